// /api/v1/devices: wristbands and alarms (智能手环、一键报警) — the alarm list,
// one alarm with its trail and call list, the steps of its life, and the live
// board's server-sent events (docs/devices.md).
import { buildUrl, http } from './http'

export interface Alarm {
  id: number
  rev: number
  device: string
  kind: string
  kind_name: string
  state: string
  state_name: string
  detail: string
  region: string
  unit: string
  opened_ms: number
  updated_ms: number
  sla_due_ms: number
  repeats: number
  escalation: number
  lat?: number
  lon?: number
  person: string
}
export interface AlarmStep { step: string; step_name: string; actor: string; at_ms: number; note: string }
export interface CallEntry { code: string; name: string; role: string; phone: string; metres: number }
export interface AlarmDetail extends Alarm { trail: AlarmStep[]; call_list: CallEntry[] }

export const alarms = (open = true) => http.get<{ items: Alarm[] }>('/devices/alarms', { open: open ? 1 : 0 })
export const alarm = (id: number) => http.get<AlarmDetail>(`/devices/alarms/${id}`)
export const step = (id: number, action: 'ack' | 'dispatch' | 'on_scene' | 'resolve' | 'false_alarm',
                     body: Record<string, string> = {}) =>
  http.post<Alarm>(`/devices/alarms/${id}/${action}`, body)
/** The live board: an EventSource on the alarms changed since the cursor. */
export const alarmStream = () => new EventSource(buildUrl('/devices/stream'), { withCredentials: true })
