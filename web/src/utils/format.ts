export const yuan = (fen: number | undefined | null) =>
  fen === undefined || fen === null
    ? ''
    : '¥' + (fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
export const count = (n: number | undefined | null) => (n ?? 0).toLocaleString('zh-CN')
export const regionName = (r: { name?: string; full_name?: string; code?: string } | null | undefined) =>
  r ? r.full_name ?? r.name ?? r.code ?? '' : ''
export const thisMonth = () => {
  const d = new Date()
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`
}
