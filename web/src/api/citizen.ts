// /api/v1/citizen: the citizen page's care advisor (no sign-in).
import { http } from './http'

export interface CitizenItem { item: string; name: string; content: string; benefit: string; departments: string[]; why: string[]; amount?: string }
export interface CitizenAdvice {
  name: string
  id_number: string
  list_title: string
  month: string
  residence: { code: string; name?: string; full_name?: string }
  entitled: CitizenItem[]
  not_entitled_count: number
  monthly_cash_yuan: string
  upcoming: { date: string; text: string }[]
  contacts: string[]
}
export const requestCode = (id_number: string) =>
  http.post<{ challenge: string; code_length: number; message: string }>('/citizen/code', { id_number })
export const citizenAdvice = (challenge: string, code: string) =>
  http.post<CitizenAdvice>('/citizen/advice', { challenge, code })
