// An offline queue in the browser's localStorage, for pages used where the
// network comes and goes (the canteen counter, the visitor's phone page):
// every item is first written to the queue with its idempotency id
// (client_id), then sent; it leaves the queue only when the server has stored
// it (or refused it for good). Sending an item twice (a reply lost, a reload
// mid-sync) stores it once: the server keys items by client_id.
import { ApiError } from '@/api/http'

export interface SyncResult<T, R> {
  stored: R[]
  refused: { item: T; message: string }[]
  offline: boolean
}

export interface OfflineQueue<T, R> {
  load(): T[]
  enqueue(item: T): void
  newClientId(): string
  // Sends the queue in order; stops at the first network failure (offline).
  sync(): Promise<SyncResult<T, R>>
}

export function offlineQueue<T extends { client_id: string }, R>(
  key: string,
  idPrefix: string,
  send: (item: T) => Promise<R>,
): OfflineQueue<T, R> {
  const load = (): T[] => {
    try {
      const q = JSON.parse(localStorage.getItem(key) ?? '[]')
      return Array.isArray(q) ? q : []
    } catch {
      return []
    }
  }
  const save = (q: T[]) => localStorage.setItem(key, JSON.stringify(q))
  let running: Promise<SyncResult<T, R>> | null = null
  return {
    load,
    enqueue: (item) => save([...load(), item]),
    newClientId: () => {
      const b = new Uint8Array(12)
      crypto.getRandomValues(b)
      return idPrefix + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
    },
    sync: () => {
      if (running) return running
      running = (async () => {
        const out: SyncResult<T, R> = { stored: [], refused: [], offline: false }
        for (const item of load()) {
          try {
            out.stored.push(await send(item))
          } catch (e) {
            if (e instanceof ApiError && (e.status === 0 || e.status >= 500 || e.status === 401)) {
              out.offline = true
              break
            }
            out.refused.push({ item, message: e instanceof Error ? e.message : String(e) })
          }
          save(load().filter((q) => q.client_id !== item.client_id))
        }
        return out
      })().finally(() => { running = null })
      return running
    },
  }
}
