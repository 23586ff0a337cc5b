// /api/v1/persons and /api/v1/imports: the elderly registry.
import { http, download, uploadWithProgress, type Page } from './http'

export interface RegionRef { code: string; name?: string; full_name?: string; level?: string }
export interface PersonRow {
  ref: string
  id_number: string
  name: string
  sex: string
  age: number
  residence: RegionRef | null
  deceased: boolean
}
export interface Fact {
  fact: string
  label: string
  value: string
  value_label: string
  valid_from: string
  valid_to: string | null
  source: string
  feed_id: number
  row: number
  recorded_on?: string
}
export interface Conflict { id: number; fact: string; label: string; a: Fact; b: Fact; status: string }
export interface PersonRecord {
  ref: string
  id_number: string
  name: string
  sex: string
  birth_date: string
  age: number
  as_of: string
  known_on: string
  deceased: boolean
  residence: RegionRef | null
  facts: Fact[]
  overruled: Fact[]
  history: Fact[]
  conflicts: Conflict[]
  hidden_field_groups: { key: string; label: string; departments: string[] }[]
}
export interface PersonQuery { name?: string; id?: string; region?: string; page?: number; size?: number }

export const searchPersons = (q: PersonQuery) => http.get<Page<PersonRow>>('/persons', { ...q })
export const exportPersons = (q: PersonQuery, format: 'xlsx' | 'csv' = 'xlsx') =>
  download('/persons/export', { name: q.name, id: q.id, region: q.region, format })
export const getPerson = (ref: string, as_of?: string, known_on?: string) =>
  http.get<PersonRecord>('/persons/' + encodeURIComponent(ref), { as_of, known_on })
export const resolveConflict = (ref: string, id: number, note: string) =>
  http.post<unknown>(`/persons/${encodeURIComponent(ref)}/conflicts/${id}/resolve`, { note })

export interface Problem { row: number; column: number; header: string; value: string; code: string; message: string }
export interface ImportReport {
  id: number
  status: 'imported' | 'already_imported' | 'rejected'
  source: string
  file_name: string
  sha256: string
  data_rows: number
  facts: number
  problems: Problem[]
  warnings: Problem[]
  feed_id?: number
  outcome?: { persons_added: number; facts_added: number; facts_unchanged: number; conflicts_added: number }
}
export interface ImportRow {
  id: number
  at: string
  username: string
  source: string
  file_name: string
  status: string
  data_rows: number
  feed_id: number | null
}
export const listImports = (page = 1, size = 20) => http.get<Page<ImportRow>>('/imports', { page, size })
export const getImport = (id: number) => http.get<ImportReport & { report?: ImportReport }>('/imports/' + id)
export const uploadImport = (source: string, file: File, onProgress: (fraction: number) => void = () => {}) =>
  uploadWithProgress<ImportReport>('/imports', file, { source, file_name: file.name }, onProgress)
