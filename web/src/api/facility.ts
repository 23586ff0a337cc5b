// /api/v1/facility: elderly-care facilities, 15-minute circles, coverage
// against the city's targets (docs/facility.md).
import { http } from './http'

export interface MapArea { code: string; name: string; street: string; urban: boolean; older: number; covered: boolean; placed: boolean; x?: number; y?: number }
export interface MapFacility { id: string; name: string; kind: string; kind_label: string; community: string; x: number; y: number; beds: number; floor_area_m2: number; status: string; synthetic: boolean }
export interface FacilityPolicy { city: string; file: string; version: number; document: string; document_title: string; source: string; walk: { minutes: number; meters_per_minute: number; detour_factor: number; radius_m: number } }
export interface FacilityMap {
  region: { code: string; name: string; full_name?: string }
  children: { code: string; name: string }[]
  policy: FacilityPolicy
  synthetic: boolean
  kinds: string[]
  radius_m: number
  older: number
  older_covered: number
  areas: MapArea[]
  facilities: MapFacility[]
}
export interface CoverageLine {
  id: string; label: string; ratio: boolean; known: boolean; value: number; numerator: number; denominator: number; why: string; quote: string
  goals: { year: number; min?: number; met?: boolean }[]
}
export interface Coverage { region: { code: string; name: string }; policy: FacilityPolicy; synthetic: boolean; lines: CoverageLine[] }
export interface Suggestion { sites: { code: string; name: string; x: number; y: number; gain: number }[]; uncovered_before: number; uncovered_after: number }

export const facilityMap = (q: { region?: string; kinds?: string }) => http.get<FacilityMap>('/facility/map', q)
export const facilityCoverage = (q: { region?: string }) => http.get<Coverage>('/facility/coverage', q)
export const facilitySuggest = (q: { region?: string; kinds?: string; count?: number; capacity?: number }) =>
  http.get<Suggestion>('/facility/suggest', q)
