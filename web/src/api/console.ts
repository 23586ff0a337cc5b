// /api/v1/console: the menu and permissions of the signed-in user, import templates.
import { http, download } from './http'
import type { Principal } from './auth'

export interface MenuItem {
  path?: string
  title: string
  icon?: string
  permission?: string
  children?: MenuItem[]
}

export const menu = () => http.get<{ menus: MenuItem[]; permissions: string[]; user: Principal }>('/console/menu')
export const downloadImportTemplate = (source: string, format: 'xlsx' | 'csv' = 'xlsx') =>
  download('/console/import-template', { source, format })
