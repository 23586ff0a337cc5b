// /api/v1/console: the menu and permissions of the signed-in user, import templates.
import { http, download, type Page } from './http'
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

export interface AgeUnit { region: { code: string; name: string; full_name?: string }; counts: number[]; total: number }
/** Registered people by age band in each unit below `region` (default the user's unit), within scope. */
export const ages = (region?: string) => http.get<{ region: { code: string; name: string }; bands: string[]; units: AgeUnit[] }>('/console/ages', { region })

export interface FactLabel { name: string; label: string; values: Record<string, string> }
/** The person facts rules read, with their Chinese labels. */
export const facts = () => http.get<{ facts: FactLabel[] }>('/console/facts')

export interface OpenConflict { id: number; ref: string; id_number: string; name: string; fact: string; label: string }
/** Open conflicts between sources, within the caller's scope. */
export const openConflicts = (page = 1, size = 20) => http.get<Page<OpenConflict>>('/console/conflicts', { page, size })
