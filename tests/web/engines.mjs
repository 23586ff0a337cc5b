// Every package in web/package-lock.json must accept Debian 12's Node
// (18.20.4, the oldest Node the quick start meets) in its `engines.node`
// range, so that `npm ci` on a fresh machine neither warns nor fails.
// Usage: node tests/web/engines.mjs [NODE_VERSION]   (default 18.20.4)
import fs from 'node:fs'

const want = (process.argv[2] ?? '18.20.4').split('.').map(Number)
const lock = JSON.parse(fs.readFileSync(new URL('../../web/package-lock.json', import.meta.url)))

const cmp = (a, b) => { for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0); return 0 }
const parts = (v) => v.replace(/^v/, '').split('.').filter((p) => p !== '' && p !== 'x' && p !== '*').map(Number)

// One comparator of a node-semver range, over major.minor.patch.
function satisfies(comp, v) {
  const m = comp.match(/^(>=|<=|>|<|=|\^|~)?\s*(.*)$/)
  const op = m[1] ?? ''
  const p = parts(m[2])
  if (m[2] === '*' || m[2] === '' || m[2] === 'x') return true
  const lo = [p[0], p[1] ?? 0, p[2] ?? 0]
  switch (op) {
    case '>=': return cmp(v, lo) >= 0
    case '>': return cmp(v, lo) > 0
    case '<=': return cmp(v, lo) <= 0
    case '<': return cmp(v, lo) < 0
    case '^': return cmp(v, lo) >= 0 && v[0] === p[0] && (p[0] !== 0 || v[1] === p[1])
    case '~': return cmp(v, lo) >= 0 && v[0] === p[0] && (p.length < 2 || v[1] === p[1])
    default: // "=1.2.3", "18", "18.x": the given parts must match
      return p.every((n, i) => v[i] === n)
  }
}
const inRange = (range, v) => range.split('||').some((set) =>
  set.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/).every((c) => satisfies(c, v)))

const bad = []
for (const [name, pkg] of Object.entries(lock.packages)) {
  const range = pkg.engines?.node
  if (range && !inRange(range, want)) bad.push(`${name || 'yanglao-web'}@${pkg.version}: node ${range}`)
}
if (bad.length) {
  console.log(`web/package-lock.json: packages that refuse Node ${want.join('.')}:\n  ${bad.join('\n  ')}`)
  process.exit(1)
}
console.log(`web/package-lock.json: every package accepts Node ${want.join('.')}`)
