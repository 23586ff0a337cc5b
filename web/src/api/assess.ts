// /api/v1/assessments: capability assessments (GB/T 42195-2022).
import { http, type Page } from './http'

export const createAssessment = (form: unknown) => http.post<Record<string, unknown>>('/assessments', form)
export const personAssessments = (ref: string) =>
  http.get<{ items: Record<string, unknown>[] }>(`/persons/${encodeURIComponent(ref)}/assessments`)
export const requestAssessment = (ref: string, note: string) =>
  http.post<Record<string, unknown>>(`/persons/${encodeURIComponent(ref)}/assessment-requests`, { note })
export const due = (q: { region?: string; status?: string; page?: number; size?: number }) =>
  http.get<Page<Record<string, unknown>> & Record<string, unknown>>('/assessments/due', q)
