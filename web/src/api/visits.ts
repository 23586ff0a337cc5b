// /api/v1/visits: visiting care (探访关爱) — the visitor's due list and visit
// log (idempotent by client id), the supervisor's monthly rates, referrals,
// workload and the dashboard summary (docs/visits.md).
import { download, http } from './http'

export interface Region { code: string; name?: string; full_name?: string }

export interface DueItem {
  id_number: string // masked
  ref: string // person ref, for recording a visit
  region: Region
  tier: string
  tier_label: string
  every_days: number
  last_visit: string
  due_on: string
  state: '未到期' | '应探访' | '已逾期'
  days_overdue: number
  escalate: boolean
  event: string
  event_on: string
}

export type FindingCategory = 'health' | 'safety' | 'living' | 'mood' | 'needs'
export type ReferralKind = 'assessment' | 'meal_aid' | 'wristband' | 'urgent'

export interface VisitRequest {
  client_id: string
  id_number: string // a person ref or an ID number
  kind: '上门' | '电话' | '结对' | '邻里'
  visited_on: string // YYYY-MM-DD, the phone's local date
  note?: string
  findings?: { category: FindingCategory; text: string }[]
  referrals?: { kind: ReferralKind; note: string }[]
  visitor_id?: number
}
export interface VisitStored {
  id: number
  client_id: string
  already_recorded: boolean
  id_number: string
  visited_on: string
  kind: string
}

export interface RateItem { region: Region; roster: number; visited: number; documented: number; rate_bp: number }
export interface Target { year: number; percent: number; quote: string }
export interface Rates { month: string; level: string; items: RateItem[]; target?: Target }

export interface Referral {
  id: number
  id_number: string
  ref: string
  region: Region
  kind: ReferralKind
  kind_name: string
  note: string
  status: 'open' | 'closed'
  status_name: string
  opened_on: string
  closed_on: string
  closed_by: string
  outcome: string
}

export interface Visitor { id: number; code: string; name: string; kind: string; unit: Region; phone: string; active: boolean }
export interface Workload {
  month: string
  items: { visitor: Visitor; people: number; visits_per_month: number; visited: number }[]
  suggestions: { id_number: string; ref: string; from_visitor_id: number; from: string; to_visitor_id: number; to: string }[]
}

export interface Summary {
  month: string
  roster: number
  visited: number
  rate_bp: number
  due: number
  overdue: number
  escalated: number
  open_referrals: number
  escalate_after_days: number
  target?: Target
}

export type Level = 'community' | 'street' | 'county' | 'city'

export const FINDINGS: { key: FindingCategory; name: string }[] = [
  { key: 'health', name: '健康' },
  { key: 'safety', name: '安全' },
  { key: 'living', name: '居住生活' },
  { key: 'mood', name: '情绪' },
  { key: 'needs', name: '需求' },
]
export const REFERRALS: { key: ReferralKind; name: string }[] = [
  { key: 'assessment', name: '申请能力评估' },
  { key: 'meal_aid', name: '建议助餐' },
  { key: 'wristband', name: '建议配发手环' },
  { key: 'urgent', name: '紧急救助' },
]
export const KINDS = ['上门', '电话', '结对', '邻里'] as const

export const dueList = (asOf?: string) => http.get<{ as_of: string; items: DueItem[] }>('/visits/due', { as_of: asOf })
export const recordVisit = (v: VisitRequest) => http.post<VisitStored>('/visits/visits', v)
export const rates = (month: string, level: Level) => http.get<Rates>('/visits/rates', { month, level })
export const exportRates = (month: string, level: Level) => download('/visits/rates', { month, level, format: 'xlsx' })
export const referrals = (status?: 'open' | 'closed') => http.get<{ items: Referral[] }>('/visits/referrals', { status })
export const closeReferral = (id: number, outcome: string) => http.post<Referral>(`/visits/referrals/${id}/close`, { outcome })
export const workload = (month?: string) => http.get<Workload>('/visits/workload', { month })
export const reassign = (ref: string, from: number, to: number) =>
  http.post('/visits/assignments', { id_number: ref, visitor_id: to, from_visitor_id: from })
export const summary = () => http.get<Summary>('/visits/summary')

export const percent = (bp: number) => `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, '0')}%`
