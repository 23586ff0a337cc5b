// Reads the first sheet of an .xlsx file (a zip of XML parts) into rows of
// strings, with node's zlib only: enough for the workbooks the server
// writes (libxlsxwriter: shared strings, inline strings, numbers).
import { inflateRawSync } from 'node:zlib'

function unzip(buf) {
  // The end of central directory record: signature 0x06054b50.
  let eocd = buf.length - 22
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--
  if (eocd < 0) throw new Error('not a zip file')
  const count = buf.readUInt16LE(eocd + 10)
  let at = buf.readUInt32LE(eocd + 16)
  const files = new Map()
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central directory')
    const method = buf.readUInt16LE(at + 10)
    const size = buf.readUInt32LE(at + 20)
    const nameLen = buf.readUInt16LE(at + 28)
    const extraLen = buf.readUInt16LE(at + 30)
    const commentLen = buf.readUInt16LE(at + 32)
    const local = buf.readUInt32LE(at + 42)
    const name = buf.toString('utf8', at + 46, at + 46 + nameLen)
    const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    const raw = buf.subarray(dataAt, dataAt + size)
    files.set(name, method === 0 ? raw : inflateRawSync(raw))
    at += 46 + nameLen + extraLen + commentLen
  }
  return files
}

const unescape = (s) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n))).replace(/&amp;/g, '&')

function colIndex(ref) {
  const letters = ref.match(/^[A-Z]+/)[0]
  let n = 0
  for (const c of letters) n = n * 26 + (c.charCodeAt(0) - 64)
  return n - 1
}

export function readXlsx(buf) {
  const files = unzip(buf)
  const shared = []
  const sst = files.get('xl/sharedStrings.xml')
  if (sst) {
    for (const si of sst.toString('utf8').matchAll(/<si>([\s\S]*?)<\/si>/g)) {
      shared.push([...si[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => unescape(t[1])).join(''))
    }
  }
  const sheet = files.get('xl/worksheets/sheet1.xml')
  if (!sheet) throw new Error('no first sheet')
  const rows = []
  for (const row of sheet.toString('utf8').matchAll(/<row[^>]*>([\s\S]*?)<\/row>/g)) {
    const cells = []
    for (const c of row[1].matchAll(/<c ([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attrs = c[1]
      const body = c[2] ?? ''
      const ref = attrs.match(/r="([A-Z]+\d+)"/)[1]
      const type = (attrs.match(/t="(\w+)"/) ?? [])[1]
      let value = ''
      if (type === 's') value = shared[Number(body.match(/<v>(\d+)<\/v>/)[1])]
      else if (type === 'inlineStr') value = unescape((body.match(/<t[^>]*>([\s\S]*?)<\/t>/) ?? ['', ''])[1])
      else value = unescape((body.match(/<v>([\s\S]*?)<\/v>/) ?? ['', ''])[1])
      cells[colIndex(ref)] = value
    }
    rows.push(Array.from(cells, (v) => v ?? ''))
  }
  return rows
}
