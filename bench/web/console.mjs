// Console benchmark: the data calls each console page makes, through the API
// of a running `yanglao serve`, each repeated; prints the p50 and p95 of every
// call and of every page (the page's calls made in parallel, as the browser
// does), against the target (300 ms p95 per page) and as a ratio to
// the health endpoint's p95 measured in the same run (the baseline).
// Environment: YANGLAO_BENCH_URL, YANGLAO_BENCH_LOGINS (demo-logins.txt),
// YANGLAO_BENCH_REPEAT (default 20; a page stops repeating after
// YANGLAO_BENCH_PAGE_SECONDS, default 60, once it has 3 samples), YANGLAO_BENCH_USER (default admin: every page, the whole city).
import fs from 'node:fs'

const base = process.env.YANGLAO_BENCH_URL ?? 'http://127.0.0.1:8080'
const repeat = Number(process.env.YANGLAO_BENCH_REPEAT ?? 20)
const pageSeconds = Number(process.env.YANGLAO_BENCH_PAGE_SECONDS ?? 60)
const user = process.env.YANGLAO_BENCH_USER ?? 'admin'
const logins = Object.fromEntries(fs.readFileSync(process.env.YANGLAO_BENCH_LOGINS ?? 'var/demo/demo-logins.txt', 'utf8')
  .trim().split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/\s+/)))

let cookie = ''
let csrf = ''
async function call(method, path, body) {
  const headers = { cookie }
  if (method !== 'GET') { headers['content-type'] = 'application/json'; headers['x-csrf-token'] = csrf }
  const t0 = process.hrtime.bigint()
  const r = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined })
  const text = await r.text()
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text.slice(0, 200)}`)
  return { ms, json: text.startsWith('{') ? JSON.parse(text) : null }
}

const login = await fetch(base + '/api/v1/auth/login', {
  method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: user, password: logins[user] }),
})
if (!login.ok) throw new Error('login failed: ' + (await login.text()))
cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
csrf = (await login.json()).csrf_token

// Ids the pages need.
const runs = (await call('GET', '/api/v1/entitlement/runs')).json.items
const run = runs[0].id
const person = (await call('GET', '/api/v1/persons?size=1&name=王')).json.items[0].ref
const month = runs[0].month

const pages = {
  '首页 dashboard': [['GET', '/api/v1/console/menu'], ['GET', '/api/v1/persons?size=1'], ['GET', '/api/v1/console/ages'],
    ['GET', '/api/v1/entitlement/runs'], ['GET', `/api/v1/entitlement/runs/${run}`], ['GET', '/api/v1/assessments/due?size=1'],
    ['GET', '/api/v1/console/conflicts?size=1']],
  '老年人信息 persons': [['GET', '/api/v1/persons?page=1&size=20'], ['GET', '/api/v1/persons?name=王&page=1&size=20']],
  '老年人档案 person': [['GET', `/api/v1/persons/${person}`], ['GET', `/api/v1/persons/${person}/advice`],
    ['GET', `/api/v1/persons/${person}/assessments`]],
  '服务清单 lists': [['GET', '/api/v1/lists'], ['GET', '/api/v1/lists/suizhou'], ['GET', '/api/v1/console/facts']],
  '月度核定 runs': [['GET', '/api/v1/entitlement/runs']],
  '核定结果 run': [['GET', `/api/v1/entitlement/runs/${run}`], ['GET', `/api/v1/entitlement/runs/${run}/lines?page=1&size=20`],
    ['GET', `/api/v1/entitlement/runs/${run}/changes?kind=new&page=1&size=20`]],
  '政策测算 what-if': [['POST', '/api/v1/entitlement/whatif', { list: 'suizhou', month, set: ['old_age_allowance@80=150元'] }]],
  '能力评估 assessments': [['GET', '/api/v1/assessments/due?page=1&size=20']],
  '数据导入 imports': [['GET', '/api/v1/imports?page=1&size=20']],
  '数据冲突 conflicts': [['GET', '/api/v1/console/conflicts?page=1&size=20']],
  '用户管理 users': [['GET', '/api/v1/users?page=1&size=20']],
  '审计日志 audit': [['GET', '/api/v1/audit?page=1&size=20']],
}

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] }
const health = []
for (let i = 0; i < repeat; i++) health.push((await call('GET', '/api/v1/health')).ms)
const baseline = pct(health, 95)

console.log(`== console data calls, ${repeat} times each, as ${user} (${base}); baseline: /api/v1/health p95 ${baseline.toFixed(2)} ms`)
console.log('page                     call                                                     p50 ms   p95 ms')
const summary = []
for (const [page, calls] of Object.entries(pages)) {
  const perCall = calls.map(() => [])
  const perPage = []
  const started = Date.now()
  for (let i = 0; i < repeat && (i < 3 || Date.now() - started < pageSeconds * 1000); i++) {
    const t0 = process.hrtime.bigint()
    const times = await Promise.all(calls.map(([m, p, b]) => call(m, p, b).then((r) => r.ms)))
    perPage.push(Number(process.hrtime.bigint() - t0) / 1e6)
    times.forEach((t, j) => perCall[j].push(t))
  }
  calls.forEach(([m, p], j) => console.log(`${page.padEnd(24)} ${(m + ' ' + p.replace(/\/persons\/[^/?]+/, '/persons/REF')).slice(0, 56).padEnd(56)} ${pct(perCall[j], 50).toFixed(1).padStart(7)} ${pct(perCall[j], 95).toFixed(1).padStart(8)}`))
  summary.push([page, pct(perPage, 50), pct(perPage, 95), perPage.length, perPage[0]])
}
console.log('\n== per page (its calls in parallel): p95 against the 300 ms target, and as a ratio to the baseline')
let over = 0
for (const [page, p50, p95, n, first] of summary) {
  if (p95 >= 300) over++
  console.log(`${page.padEnd(24)} p50 ${p50.toFixed(1).padStart(8)} ms  p95 ${p95.toFixed(1).padStart(8)} ms  ${(p95 / baseline).toFixed(1).padStart(8)}x baseline  ` +
    `(${n} loads, first ${first.toFixed(0)} ms)  ${p95 < 300 ? 'ok' : 'OVER 300 ms'}`)
}
console.log(over ? `${over} page(s) over 300 ms p95` : 'every page under 300 ms p95')
