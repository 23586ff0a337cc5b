// /api/v1/waitlist: institutions, beds and the admission waitlist (入住评估轮候)
// — the beds report against the city's targets, the queue with each
// position's rule trace, allocation of a freed bed (docs/waitlist.md).
import { download, http } from './http'

export interface BedCounts {
  county: string
  county_name: string
  institutions: number
  beds: number
  beds_normal: number
  beds_nursing: number
  beds_dementia: number
  rooms: number
  occupied: number
  occupancy: number
  nursing_share: number
  social_share: number
  tekun_institutions: number
  tekun_willing: number
  tekun_admitted: number
  tekun_rate: number
  waiting: number
}
export interface Institution {
  id: string
  name: string
  ownership: string
  grade: number
  grade_label: string
  county: string
  county_name: string
  beds: number
  beds_normal: number
  beds_nursing: number
  beds_dementia: number
  rooms: number
  occupied: number
  tekun_care: boolean
}
export interface TargetCheck {
  key: string
  label: string
  quote: string
  note: string
  min: number
  county: string
  county_name: string
  value: number
  met: boolean
}
export interface Institutions {
  city: string
  city_name: string
  items: Institution[]
  counties: BedCounts[]
  checks: TargetCheck[]
  total?: BedCounts
}
export interface WhyStep {
  step: string
  value: string
  rule: string
  basis: string
}
export interface QueueEntry {
  position: number
  application: number
  id_number: string
  name: string
  county: string
  county_name: string
  bed_type: string
  class: string
  status: string
  offered_bed: string
  deadline: string
  valid_until: string
  trace: string
  why: WhyStep[]
}
export interface OtherApplication {
  application: number
  id_number: string
  name: string
  bed_type: string
  status: string
  valid_until: string
}
export interface Bed {
  bed: string
  institution: string
  institution_name: string
  county: string
  type: string
  state: 'vacant' | 'offered' | 'occupied'
  offered_to: number
  deadline: string
}
export interface Offer {
  application: number
  name: string
  id_number: string
  offered_on: string
  deadline: string
  refusal_rule: string
}

export const waitlistCities = () => http.get<{ items: { code: string; name: string }[] }>('/waitlist/cities')
export const waitlistInstitutions = (city: string) => http.get<Institutions>('/waitlist/institutions', { city })
export const waitlistQueue = (city: string) =>
  http.get<{ city: string; items: QueueEntry[]; others: OtherApplication[] }>('/waitlist/queue', { city })
export const waitlistBeds = (city: string) => http.get<{ city: string; items: Bed[] }>('/waitlist/beds', { city })
export const allocateBed = (city: string, bed: string, days = 7) =>
  http.post<{ bed: string; offer: Offer | null }>(`/waitlist/beds/${encodeURIComponent(bed)}/allocate`, {}, { city, days })
export const exportQueue = (city: string, format: 'xlsx' | 'csv' = 'xlsx') =>
  download('/waitlist/queue', { city, format })
