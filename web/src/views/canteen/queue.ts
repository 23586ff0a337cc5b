// The counter's offline queue: every sale is first written to localStorage
// with its idempotency id (client_id), then sent; a sale leaves the queue
// only when the server has stored it (or refused it for good). Sending the
// same sale twice (a reply lost, a reload mid-sync) stores it once: the
// server keys sales by client_id.
import { ApiError } from '@/api/http'
import { sell, type Receipt, type SaleRequest } from '@/api/canteen'

const KEY = 'yanglao.canteen.queue'

export function loadQueue(): SaleRequest[] {
  try {
    const q = JSON.parse(localStorage.getItem(KEY) ?? '[]')
    return Array.isArray(q) ? q : []
  } catch {
    return []
  }
}

function saveQueue(q: SaleRequest[]) {
  localStorage.setItem(KEY, JSON.stringify(q))
}

export function enqueue(s: SaleRequest) {
  saveQueue([...loadQueue(), s])
}

export function newClientId(): string {
  const b = new Uint8Array(12)
  crypto.getRandomValues(b)
  return 'tab-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

export function localMinute(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`
}

export interface SyncResult {
  stored: Receipt[]
  refused: { sale: SaleRequest; message: string }[]
  offline: boolean
}

let running: Promise<SyncResult> | null = null

// Sends the queue in order; stops at the first network failure (offline).
export function syncQueue(): Promise<SyncResult> {
  if (running) return running
  running = (async () => {
    const out: SyncResult = { stored: [], refused: [], offline: false }
    for (const s of loadQueue()) {
      try {
        out.stored.push(await sell(s))
      } catch (e) {
        if (e instanceof ApiError && (e.status === 0 || e.status >= 500 || e.status === 401)) {
          out.offline = true
          break
        }
        out.refused.push({ sale: s, message: e instanceof Error ? e.message : String(e) })
      }
      saveQueue(loadQueue().filter((q) => q.client_id !== s.client_id))
    }
    return out
  })().finally(() => { running = null })
  return running
}
