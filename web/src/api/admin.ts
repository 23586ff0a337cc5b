// /api/v1/users, /roles, /audit: system administration.
import { http, download, type Page } from './http'

export interface UserRow {
  id: number
  username: string
  display_name: string
  unit: { code: string; name?: string; full_name?: string }
  department: string
  role: string
  active: boolean
  created_at: string
}
export interface Role { key: string; name: string; data_scope: string; permissions: string[]; [k: string]: unknown }
export interface AuditRow {
  id: number
  at: string
  username: string
  unit_code: string
  ip: string
  action: string
  target: string
  outcome: string
  detail: unknown
  request_id: string
}
export interface AuditQuery { user?: string; action?: string; target?: string; outcome?: string; from?: string; to?: string; page?: number; size?: number }

export const listUsers = (q: { page?: number; size?: number } = {}) => http.get<Page<UserRow>>('/users', q)
export const createUser = (u: Record<string, unknown>) => http.post<UserRow & { initial_password?: string }>('/users', u)
export const updateUser = (id: number, u: Record<string, unknown>) => http.patch<UserRow>('/users/' + id, u)
export const getCaseload = (id: number) => http.get<{ id_numbers: string[] }>(`/users/${id}/caseload`)
export const putCaseload = (id: number, id_numbers: string[]) => http.put<unknown>(`/users/${id}/caseload`, { id_numbers })
export const listRoles = () => http.get<{ items: Role[]; permissions: { key: string; label: string }[]; field_groups: unknown[] }>('/roles')
export const listAudit = (q: AuditQuery) => http.get<Page<AuditRow>>('/audit', { ...q })
export const exportAudit = (q: AuditQuery, format: 'xlsx' | 'csv' = 'xlsx') =>
  download('/audit/export', { ...q, page: undefined, size: undefined, format })
export const putRole = (key: string, r: { name: string; data_scope: string; permissions: string[] }) =>
  http.put<unknown>('/roles/' + encodeURIComponent(key), r)
