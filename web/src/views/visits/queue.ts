// The visitor's offline queue (utils/offlineQueue.ts): every visit is first
// written to localStorage with its idempotency id (client_id), then sent; the
// server keys visits by client_id, so a visit sent twice is stored once. The
// due list last fetched is kept too, so the page works offline for a day.
import { recordVisit, type DueItem, type VisitRequest, type VisitStored } from '@/api/visits'
import { offlineQueue } from '@/utils/offlineQueue'

const LIST = 'yanglao.visits.list'
const queue = offlineQueue<VisitRequest, VisitStored>('yanglao.visits.queue', 'vis-', recordVisit)
export const loadQueue = queue.load
export const enqueue = queue.enqueue
export const newClientId = queue.newClientId
export const syncQueue = queue.sync

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
