// /api/v1/auth: sign-in, session, password (docs/api.md "Signing in").
import { http } from './http'

export interface Principal {
  id: number
  username: string
  display_name: string
  unit: { code: string; name?: string; full_name?: string }
  department: string
  role: { key: string; name: string }
  data_scope: { key: string; name: string }
  permissions: string[]
  hidden_field_groups: { key: string; label: string }[]
  session_expires_at: string
  csrf_token?: string
}

export const login = (username: string, password: string) =>
  http.post<{ user: Principal; csrf_token: string }>('/auth/login', { username, password })
export const logout = () => http.post<{ ok: boolean }>('/auth/logout')
export const me = () => http.get<Principal>('/auth/me')
export const changePassword = (old_password: string, new_password: string) =>
  http.post<{ ok: boolean; message: string }>('/auth/password', { old_password, new_password })
