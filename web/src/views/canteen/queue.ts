// The counter's offline queue (utils/offlineQueue.ts): every sale is first
// written to localStorage with its idempotency id (client_id), then sent; the
// server keys sales by client_id, so a sale sent twice is stored once.
import { sell, type Receipt, type SaleRequest } from '@/api/canteen'
import { offlineQueue } from '@/utils/offlineQueue'

const queue = offlineQueue<SaleRequest, Receipt>('yanglao.canteen.queue', 'tab-', sell)
export const loadQueue = queue.load
export const enqueue = queue.enqueue
export const newClientId = queue.newClientId
export const syncQueue = queue.sync

export function localMinute(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`
}
