// The visitor's offline queue: every visit is first written to localStorage
// with its idempotency id (client_id), then sent; it leaves the queue only
// when the server has stored it (or refused it for good). A visit sent twice
// (a reply lost, a reload mid-sync) is stored once: the server keys visits
// by client_id. The due list last fetched is kept too, so the page works
// offline for a day.
import { ApiError } from '@/api/http'
import { recordVisit, type DueItem, type VisitRequest, type VisitStored } from '@/api/visits'

const KEY = 'yanglao.visits.queue'
const LIST = 'yanglao.visits.list'

export function loadQueue(): VisitRequest[] {
  try {
    const q = JSON.parse(localStorage.getItem(KEY) ?? '[]')
    return Array.isArray(q) ? q : []
  } catch {
    return []
  }
}

function saveQueue(q: VisitRequest[]) {
  localStorage.setItem(KEY, JSON.stringify(q))
}

export function enqueue(v: VisitRequest) {
  saveQueue([...loadQueue(), v])
}

export function newClientId(): string {
  const b = new Uint8Array(12)
  crypto.getRandomValues(b)
  return 'vis-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

export function localDate(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

// The due list as last fetched, with the day it was fetched.
export function saveList(items: DueItem[], asOf: string) {
  localStorage.setItem(LIST, JSON.stringify({ as_of: asOf, items }))
}
export function loadList(): { as_of: string; items: DueItem[] } | null {
  try {
    const l = JSON.parse(localStorage.getItem(LIST) ?? 'null')
    return l && Array.isArray(l.items) ? l : null
  } catch {
    return null
  }
}

export interface SyncResult {
  stored: VisitStored[]
  refused: { visit: VisitRequest; message: string }[]
  offline: boolean
}

let running: Promise<SyncResult> | null = null

// Sends the queue in order; stops at the first network failure (offline).
export function syncQueue(): Promise<SyncResult> {
  if (running) return running
  running = (async () => {
    const out: SyncResult = { stored: [], refused: [], offline: false }
    for (const v of loadQueue()) {
      try {
        out.stored.push(await recordVisit(v))
      } catch (e) {
        if (e instanceof ApiError && (e.status === 0 || e.status >= 500 || e.status === 401)) {
          out.offline = true
          break
        }
        out.refused.push({ visit: v, message: e instanceof Error ? e.message : String(e) })
      }
      saveQueue(loadQueue().filter((q) => q.client_id !== v.client_id))
    }
    return out
  })().finally(() => { running = null })
  return running
}
