// /api/v1/regions and /api/v1/lists: regions and the service lists.
import { http } from './http'

export interface Region { code: string; name: string; full_name?: string; level?: string; children?: Region[]; ancestors?: Region[] }
export const getRegion = (code: string) => http.get<Region & { children: Region[] }>('/regions/' + code)
export const findRegions = (q: string) => http.get<{ items: Region[] }>('/regions', { q })

export interface ListInfo { name: string; title: string; jurisdiction: unknown; [k: string]: unknown }
export interface ListItem { number: string; name: string; content?: string; rule?: string; [k: string]: unknown }
export const listLists = () => http.get<{ items: ListInfo[] }>('/lists')
export const getList = (name: string) => http.get<Record<string, unknown> & { items: ListItem[] }>('/lists/' + name)
export const diffLists = (name: string, against: string) =>
  http.get<Record<string, unknown>>(`/lists/${name}/diff`, { against })
export const compliance = (name: string, parent: string, date?: string) =>
  http.get<Record<string, unknown>>(`/lists/${name}/compliance`, { parent, date })
