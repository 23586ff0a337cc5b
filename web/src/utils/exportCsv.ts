// Export of a list page that has no server export route: every page of the
// API's answer for the current filters, as CSV in UTF-8 with a BOM (Excel
// opens it), with the values exactly as the API gives them (ID numbers masked
// as the API masks them). Lists with a server export (persons, audit, rolls)
// use that instead.
import type { Page } from '@/api/http'

export interface Column<T> { label: string; value: (row: T) => unknown }

const cell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v)
  return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s
}

export async function exportCsv<T>(fetchPage: (page: number, size: number) => Promise<Page<T>>,
                                   columns: Column<T>[], fileName: string, limit = 100000) {
  const rows: T[] = []
  for (let p = 1; rows.length < limit; p++) {
    const r = await fetchPage(p, 100)
    rows.push(...r.items)
    if (rows.length >= r.total || r.items.length === 0) break
  }
  const lines = [columns.map((c) => cell(c.label)).join(',')]
  for (const row of rows) lines.push(columns.map((c) => cell(c.value(row))).join(','))
  const blob = new Blob(['\uFEFF' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' })
  const a = document.createElement('a')
  a.href = URL.createObjectURL(blob)
  a.download = fileName.endsWith('.csv') ? fileName : fileName + '.csv'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(a.href), 10000)
  return rows.length
}
