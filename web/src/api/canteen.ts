// /api/v1/canteen: canteens and meal aid (幸福食堂、助餐) — the counter, flags,
// settlement and coverage (docs/canteen.md).
import { http, type Page } from './http'

export interface Canteen {
  id: number
  code: string
  name: string
  kind: string
  region: { code: string; name?: string }
  periods: { name: string; start: string; end: string }[]
  prices: { dish: string; market_fen: number }[]
}
export interface SaleRequest {
  client_id: string
  canteen_id: number
  sold_at: string // YYYY-MM-DDTHH:MM, the counter's local time
  diner: string // ID number or the person ref of the citizen page's QR code
  dish: string
}
export interface Receipt {
  id: number
  client_id: string
  already_recorded: boolean
  canteen: string
  sold_at: string
  period: string
  dish: string
  id_number: string
  name: string
  market_fen: number
  discount_fen: number
  subsidy_fen: number
  paid_fen: number
  percent: number
  citation: string
  funds: Record<string, number>
  flags: { kind: string; name: string; detail: string }[]
}

export const canteens = () => http.get<{ items: Canteen[] }>('/canteen/canteens')
export const sell = (s: SaleRequest) => http.post<Receipt>('/canteen/sales', s)
export const sales = (canteenId: number, month?: string, page = 1, size = 20) =>
  http.get<Page<Record<string, unknown>>>('/canteen/sales', { canteen_id: canteenId, month, page, size })
