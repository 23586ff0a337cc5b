// /api/v1/assessments: capability assessments (GB/T 42195-2022).
import { http, type Page } from './http'

export const createAssessment = (form: unknown) => http.post<Record<string, unknown>>('/assessments', form)
export const personAssessments = (ref: string) =>
  http.get<{ items: Record<string, unknown>[] }>(`/persons/${encodeURIComponent(ref)}/assessments`)
export const requestAssessment = (ref: string, note: string) =>
  http.post<Record<string, unknown>>(`/persons/${encodeURIComponent(ref)}/assessment-requests`, { note })
export const due = (q: { region?: string; status?: string; page?: number; size?: number }) =>
  http.get<Page<Record<string, unknown>> & Record<string, unknown>>('/assessments/due', q)

export interface FormItem { code: string; dimension: number; name: string; max: number; anchors: string[] }
export interface FormSpec {
  dimensions: { clause: string; name: string; max: number }[]
  items: FormItem[]
  levels: { level: number; name: string; min_total: number; max_total: number }[]
  risk_events: { key: string; name: string }[]
}
export interface LiveScore {
  dimensions: { clause: string; name: string; score: number; max: number }[]
  total: number
  preliminary_level: number
  level: number
  level_name: string
  adjustments: { code: string; name: string; reason: string; effect: string; applied: boolean; note: string; from: number; to: number }[]
}
export const assessmentForm = () => http.get<FormSpec>('/console/assessment-form')
export const scoreForm = (form: unknown) => http.post<LiveScore>('/console/assessment-score', form)
