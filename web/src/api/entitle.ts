// /api/v1/entitlement and /persons/{ref}/advice: monthly runs, rolls, the
// care advisor and what-ifs.
import { http, download, type Page } from './http'
import type { RegionRef } from './registry'

export interface Run {
  id: number
  list: string | null
  jurisdiction: RegionRef
  title: string
  list_current: boolean
  month: string
  as_of: string
  known_on: string
  previous_run: number | null
  people: number
  lines: number
  monthly_fen: number
  monthly_yuan: string
  yearly_fen: number
  yearly_yuan: string
  verify: number // (item, person) pairs to verify (待核实), whole jurisdiction
  residents: number
  created_on: string
}
export interface RunItem {
  item: string
  name: string
  section: string
  benefit: string
  departments: string[]
  people: number
  amount_fen?: number
  amount_yuan?: string
  period?: string
}
export interface RunDetail extends Run {
  scope: { whole: boolean; data_scope: string; unit: RegionRef }
  items: RunItem[]
  scope_monthly_fen: number
  scope_monthly_yuan: string
  changes: { new: number; ceased: number; changed: number }
}
export interface Job {
  id: number
  list: string
  month: string
  state: 'queued' | 'running' | 'done' | 'failed'
  state_name: string
  run?: Run
  changes?: { new: number; ceased: number; changed: number }
  error?: { code: string; message: string }
}
export interface Line {
  ref: string
  id_number: string
  name: string
  item: string
  item_name: string
  residence: RegionRef
  amount?: string
  amount_fen?: number
  percent?: number
}
export interface Change extends Line {
  kind: string
  kind_name: string
  old_amount_fen: number
  new_amount_fen: number
  reason: string
}

export const listRuns = (list?: string) => http.get<{ items: Run[] }>('/entitlement/runs', { list })
export const getRun = (id: number) => http.get<RunDetail>('/entitlement/runs/' + id)
export const startRun = (list: string, month: string, replace = false) =>
  http.post<Job>('/entitlement/runs', { list, month, replace })
export const getJob = (id: number) => http.get<Job>('/entitlement/jobs/' + id)
export const runLines = (id: number, q: { item?: string; region?: string; page?: number; size?: number }) =>
  http.get<Page<Line>>(`/entitlement/runs/${id}/lines`, q)
export const runChanges = (id: number, q: { kind?: string; item?: string; page?: number; size?: number }) =>
  http.get<Page<Change>>(`/entitlement/runs/${id}/changes`, q)
export const downloadRoll = (id: number, item: string, format: 'xlsx' | 'csv' = 'xlsx') =>
  download(`/entitlement/runs/${id}/rolls/${item}`, { format })

export interface AdviceItem {
  item: string
  name: string
  section: string
  benefit: string
  departments: string[]
  withheld: boolean
  entitled?: boolean
  excluded?: boolean
  amount?: string
  percent?: number
  service?: string
  why?: string[]
}
export interface Advice {
  ref: string
  id_number: string
  name: string
  list: string
  list_title: string
  month: string
  deceased: boolean
  facts: { fact: string; label: string; value: unknown; text: string }[]
  items: AdviceItem[]
  monthly_cash_yuan: string
  upcoming: { date: string; event: string; item: string; item_name: string; text: string }[]
  hidden_field_groups: string[]
}
export const advice = (ref: string, q: { list?: string; month?: string } = {}) =>
  http.get<Advice>(`/persons/${encodeURIComponent(ref)}/advice`, q)

export interface WhatIfItem {
  item: string
  name: string
  base_people: number
  variant_people: number
  gainers: number
  losers: number
  monthly_delta_fen: number
  yearly_delta_fen: number
  sample_gainers?: string[]
  sample_losers?: string[]
}
export interface WhatIfCounty {
  county: RegionRef | null
  base_monthly_fen: number
  variant_monthly_fen: number
  monthly_delta_fen: number
  yearly_delta_fen: number
}
export interface WhatIf {
  list: string
  month: string
  people: number
  monthly_delta_yuan: string
  yearly_delta_yuan: string
  items: WhatIfItem[]
  counties: WhatIfCounty[]
}
export const whatIf = (body: { list: string; month?: string; set?: string[]; rule?: string[]; drop?: string[] }) =>
  http.post<WhatIf>('/entitlement/whatif', body)
