// /api/v1/oversight and /api/v1/public/oversight: oversight and publication
// (docs/oversight.md) — the task breakdown tables with their state, the
// statistics report (PDF / XLSX), and the public page (信息公开, no sign-in).
import { http, download, uploadWithProgress } from './http'

export interface OversightTask {
  id: number
  year: number
  no: number
  area: string
  work: string
  requirement: string
  deadline_text: string
  deadline: string
  units: string[]
  units_text: string
  state: string // 未报告 / 按计划推进 / 有风险 / 已完成 / 已逾期
  source: string // 实时数据 / 进展报告
  live: LiveFigure[]
  reports: number
  latest?: { reported_on: string; unit: string; status: string; note: string; evidence_name: string; evidence_sha256: string }
}
export interface LiveFigure {
  indicator: string
  label: string
  known: boolean
  value: number
  shown: string
  target: number
  target_shown: string
  quote: string
  met: boolean
  why: string
  year?: number
  no?: number
}
export interface TaskBoard {
  on: string
  scorecard_year: number
  visit_month: string
  at_risk_days: number
  items: OversightTask[]
  units: { unit: string; tasks: number; states: Record<string, number> }[]
  counties: { county: string; name: string; met: number; measured: number; figures: LiveFigure[] }[]
}
export const tasks = (q: { jurisdiction: string; year?: number; on?: string }) =>
  http.get<TaskBoard>('/oversight/tasks', q)

/** Files a unit's progress report; the evidence file (optional) is the body. */
export async function reportProgress(taskId: number, q: { client_id: string; unit: string; status: string; note: string; reported_on: string },
                                     evidence?: File) {
  return uploadWithProgress<{ id: number; evidence_sha256: string }>(`/oversight/tasks/${taskId}/progress`,
    evidence ?? new Blob([]), { ...q, file_name: evidence?.name }, () => {})
}

export const downloadReport = (period: string, format: 'pdf' | 'xlsx', jurisdiction = '421300') =>
  download('/oversight/report', { period, format, jurisdiction })

export interface PublicTable { title: string; header: string[]; rows: string[][]; note: string }
export interface PublicIndicator { key: string; name: string; value: string; basis: string }
export interface PublicPage {
  title: string
  city: string
  jurisdiction: string
  period: string
  period_label: string
  report_title: string
  as_of: string
  known_on: string
  min_people: number
  withheld: number
  digest: string
  indicators: PublicIndicator[]
  tables: PublicTable[]
  lists: { title: string; items: { number: string; name: string; content: string; target: string; kind: string; departments: string[]; basis: string }[] }[]
  policies: { title: string; document: string; issuer: string; issued: string; source: string }[]
}
export const publicPage = (q: { jurisdiction?: string; period?: string }) =>
  http.get<PublicPage>('/public/oversight', q)

export interface CreditItem {
  institution: string
  name: string
  score: number
  band: string
  band_label: string
  inspections_per_year: number
  last_inspection: string
  next_due: string
  open_findings: number
  grade: number
  grade_evidence: string
  lines: { on: string; points: number; reason: string }[]
}
export interface CreditBoard {
  on: string
  rules: { file: string; quote: string; basis: string; grade_quote: string }
  items: CreditItem[]
  grade_violations: { institution: string; name: string; grade: number; reason: string }[]
}
export const credit = (on?: string) => http.get<CreditBoard>('/oversight/credit', { on })

export interface PublicInspection {
  institution: string
  on: string
  kind: string
  areas: string[]
  findings: { area: string; severity: string; text: string; deadline: string; status: string }[]
}
export const publicInspections = (year: number) =>
  http.get<{ year: number; items: PublicInspection[] }>('/public/inspections', { year })
