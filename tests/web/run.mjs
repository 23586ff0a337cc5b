// Browser tests of the web console and the citizen page: playwright-core
// drives Debian's chromium (/usr/bin/chromium, never a downloaded browser)
// against a running `yanglao serve --web web/dist` on loopback (tests/web/run.sh
// starts it on a small generated city). Each test keeps a screenshot.
//
// Environment: YANGLAO_WEB_URL (server), YANGLAO_WEB_CITY (the city directory:
// demo-logins.txt, feeds/), YANGLAO_WEB_SERVER_LOG (the server's stderr, where
// the demo SMS sender writes one-time codes), YANGLAO_WEB_SHOTS (screenshots),
// YANGLAO_WEB_ONLY (run only tests whose name contains it).
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { gzipSync } from 'node:zlib'
import { readXlsx } from './xlsx.mjs'

const require = createRequire(new URL('../../web/package.json', import.meta.url))
const { chromium } = require('playwright-core')
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

const base = process.env.YANGLAO_WEB_URL ?? 'http://127.0.0.1:8080'
const city = process.env.YANGLAO_WEB_CITY ?? 'var/demo'
const serverLog = process.env.YANGLAO_WEB_SERVER_LOG
const shots = process.env.YANGLAO_WEB_SHOTS ?? 'build/web-tests'
const only = process.env.YANGLAO_WEB_ONLY ?? ''
fs.mkdirSync(shots, { recursive: true })

const logins = Object.fromEntries(
  fs.readFileSync(path.join(city, 'demo-logins.txt'), 'utf8').trim().split('\n')
    .filter((l) => l && !l.startsWith('#')).map((l) => l.split(/\s+/)))

// A person aged 80+ with local hukou and a mobile phone on record (the 公安 feed), for the
// person page and the citizen page.
function elder() {
  const lines = fs.readFileSync(path.join(city, 'feeds', '公安.csv'), 'utf8').replace(/^\uFEFF/, '').split('\n')
  const header = lines[0].split(',')
  const id = header.indexOf('公民身份号码')
  const name = header.indexOf('姓名')
  const phone = header.indexOf('联系电话')
  const dead = header.indexOf('死亡日期')
  const hukou = header.indexOf('户籍地')
  for (const l of lines.slice(1)) {
    const f = l.split(',')
    if (f.length < header.length) continue
    // 高龄津贴 needs local hukou (Suizhou, 4213) and age 80+.
    if (/^1[3-9]\d{9}$/.test(f[phone]) && !f[dead] && f[hukou].startsWith('4213') && Number(f[id].slice(6, 10)) <= 1940) {
      return { id: f[id], name: f[name] }
    }
  }
  throw new Error('no person aged 80+ with a mobile phone in the feed')
}

// Each test gets its own browser with a fresh profile (--user-data-dir).
async function newPage(options = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'yanglao-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.YANGLAO_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
    locale: 'zh-CN',
    ...options,
  })
  context.setDefaultTimeout(60_000)
  context.profile = profile
  const page = context.pages()[0] ?? (await context.newPage())
  page.on('pageerror', (e) => console.log(`    [page error] ${e.message}`))
  return page
}

async function login(page, user) {
  await page.goto(base + '/login')
  await page.fill('input[name=username]', user)
  await page.fill('input[name=password]', logins[user])
  await page.click('button[type=submit]')
  await page.waitForURL(/\/dashboard$/)
}

// All pages of a list route, through the page's session (its cookies).
async function apiAll(page, route, query) {
  const items = []
  for (let p = 1; ; p++) {
    const r = await page.request.get(`${base}/api/v1${route}?${new URLSearchParams({ ...query, page: p, size: 100 })}`)
    assert.equal(r.status(), 200, await r.text())
    const body = await r.json()
    items.push(...body.items)
    if (items.length >= body.total || body.items.length === 0) return { items, total: body.total }
  }
}

// Waits until no loading mask is left and the fade-in is over, for screenshots.
async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('.el-loading-mask'), null, { timeout: 120_000 })
  await page.waitForTimeout(600)
}

async function downloadXlsx(page, click) {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()])
  const file = await dl.path()
  return { name: dl.suggestedFilename(), rows: readXlsx(fs.readFileSync(file)) }
}

async function axe(page) {
  await page.addScriptTag({ content: axeSource })
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }))
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

// Element Plus puts an el-input's attributes on its <input>.
const field = (t) => `input[data-test="${t}"], [data-test="${t}"] input`

const tests = []
const test = (name, fn, options) => tests.push({ name, fn, options })

test('login_dashboard', async (page) => {
  // A wrong password is refused with the server's Chinese message.
  await page.goto(base + '/login')
  await page.fill('input[name=username]', 'admin')
  await page.fill('input[name=password]', 'wrong-password-1')
  await page.click('button[type=submit]')
  await page.getByText('用户名或密码错误').waitFor()
  await login(page, 'admin')
  // The menu is the server's: the administrator sees system administration.
  await page.getByText('系统管理').first().waitFor()
  await page.locator('.kpi .num').first().waitFor()
  await page.locator('canvas').first().waitFor()
  await settled(page)
  // The assessment figures fill in when the work list is computed.
  await page.waitForFunction(() => document.querySelector('[data-kpi="能力评估已过期"] .num')?.textContent?.trim() !== '—',
    null, { timeout: 120_000 })
  await page.waitForTimeout(1000) // chart animation
  await page.screenshot({ path: path.join(shots, 'dashboard.png') })
  const kpi = await page.locator('[data-kpi="登记老年人（本辖区）"] .num').innerText()
  const total = (await (await page.request.get(base + '/api/v1/persons?size=1')).json()).total
  assert.equal(Number(kpi.replace(/,/g, '')), total)
  // Figures lead to the people behind them: open conflicts, the newly entitled.
  await page.click('[data-kpi="待处理数据冲突"]')
  await page.waitForURL(/\/conflicts$/)
  await page.locator('.el-table__row').first().waitFor()
  await page.goBack()
  await page.click('[data-kpi="新增待告知"]')
  await page.waitForURL(/\/runs\/\d+\?tab=new/)
  // The to-verify figure (待核实) is the newest run's, and leads to that run.
  await page.goBack()
  const newest = (await (await page.request.get(base + '/api/v1/entitlement/runs')).json()).items[0]
  await page.waitForFunction(() => document.querySelector('[data-kpi="待核实"] .num')?.textContent?.trim() !== '—')
  const verify = await page.locator('[data-kpi="待核实"] .num').innerText()
  assert.equal(Number(verify.replace(/,/g, '')), newest.verify)
  await page.click('[data-kpi="待核实"]')
  await page.waitForURL(new RegExp(`/runs/${newest.id}$`))
  assert.equal(Number((await page.locator('[data-test="run-verify"]').innerText()).replace(/,/g, '')), newest.verify)
  // Session expiry: once the session is gone, the next call leads to sign-in.
  await page.context().clearCookies()
  await page.goto(base + '/persons')
  await page.waitForURL(/\/login/)
})

test('person_entitlements', async (page) => {
  const p = elder()
  await login(page, 'city')
  await page.goto(base + '/persons')
  await page.fill('input[name=q-id]', p.id)
  await page.click('button[type=submit]')
  await page.locator('.el-table__row', { hasText: p.name }).first().click()
  await page.waitForURL(/\/persons\//)
  const advice = page.locator('[data-test=advice]')
  await advice.waitFor()
  const text = await advice.innerText()
  assert.match(text, /可享受/)
  assert.match(text, /高龄津贴/)
  assert.match(text, /年满80周岁/) // the reason behind the allowance, in words
  await settled(page)
  await page.screenshot({ path: path.join(shots, 'person.png') })
  // The record with its history on both time axes.
  await page.getByRole('tab', { name: /历史记录/ }).click()
  await page.locator('#pane-history .el-table__row').first().waitFor()
})

test('run_month_roll', async (page) => {
  await login(page, 'city')
  await page.goto(base + '/runs')
  const next = new Date()
  next.setMonth(next.getMonth() + 1)
  const month = `${next.getFullYear()}-${String(next.getMonth() + 1).padStart(2, '0')}`
  await page.fill(field('run-month'), month)
  await page.click('[data-test=run-start]')
  const job = page.locator('[data-test=job]')
  await job.getByText('已完成').waitFor({ timeout: 180_000 })
  assert.match(await job.innerText(), new RegExp(month))
  await page.click('[data-test=job-open]')
  await page.waitForURL(/\/runs\/\d+$/)
  const runId = page.url().match(/\/runs\/(\d+)$/)[1]
  await page.locator('[data-test=run-items] .el-table__row').first().waitFor()
  await settled(page)
  await page.screenshot({ path: path.join(shots, 'run.png') })
  // The roll of item 3 (高龄津贴): one row per person entitled, as the API lists them.
  const roll = await downloadXlsx(page, () => page.click('[data-test=roll-3]'))
  assert.match(roll.name, /代发名册/)
  const lines = await apiAll(page, `/entitlement/runs/${runId}/lines`, { item: '3' })
  assert.ok(lines.total > 0)
  const dataRows = roll.rows.slice(1).filter((r) => /^\d{17}[\dX]$/.test(r.find((c) => /^\d{17}[\dX]$/.test(c)) ?? ''))
  assert.equal(dataRows.length, lines.total)
  const summary = await downloadXlsx(page, () => page.click('[data-test=summary]'))
  assert.match(summary.name, /资金汇总/)
  assert.ok(summary.rows.length > 1)
  // The 享受名单 tab's export (no server export route: every API page as CSV)
  // holds exactly the API's rows for the filter, masked as the API masks them.
  await page.getByRole('tab', { name: '享受名单' }).click()
  await page.locator('#pane-lines .el-form .el-select').click()
  await page.locator('.el-select-dropdown__item', { hasText: /^3 高龄津贴$/ }).click()
  await page.locator('#pane-lines .el-table__row').first().waitFor()
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=export-lines]')])
  const csv = fs.readFileSync(await dl.path(), 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n')
  assert.equal(csv.length - 1, lines.total)
  assert.deepEqual(csv.slice(1).map((l) => l.split(',').slice(0, 2)), lines.items.map((l) => [l.id_number, l.name]))
})

test('whatif', async (page) => {
  await login(page, 'city')
  await page.goto(base + '/whatif')
  // The defaults: 高龄津贴 from 75 (50元) and 150元 from 80.
  assert.equal(await page.inputValue(field('set-value-1')), '150元')
  await page.click('[data-test=whatif-run]')
  const result = page.locator('[data-test=whatif-result]')
  await result.waitFor({ timeout: 120_000 })
  const text = await result.innerText()
  assert.match(text, /高龄津贴/)
  assert.match(text, /每月资金变化 [1-9]/)
  const row = await result.locator('.el-table__row', { hasText: '高龄津贴' }).innerText()
  const [gainers] = row.split('\t').slice(4, 5).map(Number)
  assert.ok(gainers > 0, row)
  assert.ok((await result.locator('canvas').count()) >= 2)
  await result.scrollIntoViewIfNeeded()
  await page.waitForTimeout(1500)
  await page.screenshot({ path: path.join(shots, 'whatif.png') })
})

test('import_bad_file', async (page) => {
  await login(page, 'admin')
  await page.goto(base + '/imports')
  const tpl = await page.request.get(base + '/api/v1/console/import-template?source=民政&format=csv')
  assert.equal(tpl.status(), 200)
  const header = (await tpl.text()).replace(/^\uFEFF/, '').trim()
  const n = header.split(',').length
  const bad = [header,
    ['421302193208015320', '张三', ...Array(n - 2).fill('')].join(','), // wrong check character
    ['12345', '', ...Array(n - 2).fill('')].join(',')].join('\n') + '\n'
  await page.setInputFiles('[data-test=file]', { name: '民政-有错误.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) })
  await page.click('[data-test=upload]')
  const problems = page.locator('[data-test=problems] .el-table__row')
  await problems.first().waitFor()
  const report = await page.locator('[data-test=report]').innerText()
  assert.match(report, /整个文件未导入/)
  const rows = await problems.allInnerTexts()
  assert.ok(rows.some((r) => r.startsWith('2')), rows.join('\n'))
  assert.ok(rows.some((r) => r.startsWith('3')), rows.join('\n'))
  await page.screenshot({ path: path.join(shots, 'import-errors.png'), fullPage: true })
})

test('street_scope', async (page) => {
  // A person living in 广水市, far from the street worker's 西城街道 (曾都区).
  await login(page, 'admin')
  const other = (await (await page.request.get(base + '/api/v1/persons?region=421381&size=1')).json()).items[0]
  await page.context().clearCookies()
  await login(page, 'street')
  await page.goto(base + '/persons/' + encodeURIComponent(other.ref))
  const err = page.locator('[data-test=person-error]')
  await err.waitFor()
  assert.match(await err.innerText(), /不在您的数据范围内/)
  assert.equal(await page.getByText(other.name, { exact: true }).count(), 0)
  // The list search does not reach it either.
  const r = await (await page.request.get(base + '/api/v1/persons?region=421381&size=1')).json()
  assert.equal(r.total, 0)
  await page.screenshot({ path: path.join(shots, 'street-scope.png') })
})

test('citizen_phone_axe', async (page) => {
  const p = elder()
  await page.goto(base + '/citizen')
  await page.locator('#idnum').waitFor()
  let bad = await axe(page)
  assert.deepEqual(bad.map((v) => v.id), [], JSON.stringify(bad, null, 1))
  const sizes = await page.evaluate(() => ({
    body: parseFloat(getComputedStyle(document.querySelector('.body p')).fontSize),
    button: document.querySelector('.btn.primary').getBoundingClientRect().height,
    input: document.querySelector('#idnum').getBoundingClientRect().height,
  }))
  assert.ok(sizes.body >= 18, `body text ${sizes.body}px`)
  assert.ok(sizes.button >= 60 && sizes.input >= 60, JSON.stringify(sizes))
  await page.fill('#idnum', p.id)
  await page.click('.btn.primary')
  await page.locator('#code').waitFor()
  // The demo SMS sender wrote the code to the server log.
  const masked = p.id.slice(0, 4) + '*'.repeat(10) + p.id.slice(14)
  const log = fs.readFileSync(serverLog, 'utf8').split('\n').filter((l) => l.includes(masked) && l.includes('验证码'))
  const code = log.at(-1).match(/验证码是 (\d{6})/)[1]
  await page.fill('#code', code)
  await page.click('.btn.primary')
  await page.locator('.answer').waitFor()
  const text = await page.locator('.answer').innerText()
  assert.match(text, new RegExp(p.name))
  assert.match(text, /高龄津贴/)
  assert.match(text, /每月可领取/)
  assert.match(text, /有疑问找谁/)
  bad = await axe(page)
  assert.deepEqual(bad.map((v) => v.id), [], JSON.stringify(bad, null, 1))
  await page.screenshot({ path: path.join(shots, 'citizen-phone.png') })
  // The larger mode, and 200% zoom (a 1280px screen at 200% is 640 CSS px),
  // and the narrowest phones (320 CSS px): no sideways scrolling.
  await page.click('.btn.size')
  assert.ok(await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('.answer p')).fontSize)) >= 22)
  for (const width of [640, 320]) {
    await page.setViewportSize({ width, height: 800 })
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    assert.ok(overflow <= 0, `horizontal overflow ${overflow}px at ${width}px`)
  }
  // A wrong code, and a number that is not registered, answer alike.
  const r1 = await page.request.post(base + '/api/v1/citizen/code', { data: { id_number: '11010519491231002X' } })
  const r2 = await page.request.post(base + '/api/v1/citizen/code', { data: { id_number: p.id } })
  assert.equal(r1.status(), 200)
  assert.equal(r2.status(), 200)
  const [b1, b2] = [await r1.json(), await r2.json()]
  assert.deepEqual(Object.keys(b1).sort(), Object.keys(b2).sort())
  assert.equal(b1.message, b2.message)
}, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })

test('export_equals_api', async (page) => {
  await login(page, 'city')
  await page.goto(base + '/persons')
  await page.fill('input[name=q-name]', '王')
  await page.click('button[type=submit]')
  await page.locator('.el-table__row').first().waitFor()
  const x = await downloadXlsx(page, () => page.click('[data-test=export]'))
  const api = await apiAll(page, '/persons', { name: '王' })
  assert.ok(api.total > 0)
  assert.deepEqual(x.rows[0], ['公民身份号码（脱敏）', '姓名', '性别', '年龄', '居住地代码', '居住地', '状态'])
  const fromApi = api.items.map((p) => [p.id_number, p.name, p.sex, String(p.age), p.residence?.code ?? '',
    p.residence?.full_name ?? '', p.deceased ? '已死亡' : '在世'])
  assert.deepEqual(x.rows.slice(1), fromApi)
  assert.ok(x.rows.slice(1).every((r) => r[0].includes('**********')), 'ID numbers masked')
  await page.screenshot({ path: path.join(shots, 'export.png') })
})

test('lists_rules_in_words', async (page) => {
  await login(page, 'city')
  await page.goto(base + '/lists')
  const row = page.locator('.el-table__row', { hasText: '高龄津贴' }).first()
  await row.waitFor()
  const text = await row.innerText()
  assert.match(text, /年龄（周岁） 不低于 80/, text) // the rule in words
  assert.match(text, /age >= 80/, text) // and as the engine runs it
})

test('assessment_live_scoring', async (page) => {
  await login(page, 'health')
  await page.goto(base + '/assessments/new')
  const live = page.locator('[data-test=live-score]')
  await live.getByText('90').first().waitFor()
  // B1.1 进食 from 4 to 0: the total drops by 4 at once, before anything is recorded.
  const item = page.locator('.item', { hasText: 'B1.1' })
  await item.locator('.el-radio-button', { hasText: /^0/ }).click()
  await live.locator('.total', { hasText: '86' }).waitFor()
  assert.match(await live.innerText(), /轻度/)
  await page.screenshot({ path: path.join(shots, 'assessment-form.png') })
})

// The JavaScript a first visit loads, gzipped (the budget is 500 KB).
async function firstScreenJs(page, url, ready) {
  const scripts = []
  const onResponse = (r) => { if (r.url().endsWith('.js')) scripts.push(r) }
  page.on('response', onResponse)
  await page.goto(url)
  await ready()
  page.off('response', onResponse)
  let total = 0
  for (const r of scripts) total += gzipSync(await r.body(), { level: 9 }).length
  return { files: scripts.length, kb: total / 1024 }
}

test('first_screen_js', async (page) => {
  const citizen = await firstScreenJs(page, base + '/citizen', () => page.locator('#idnum').waitFor())
  await login(page, 'admin')
  const dashboard = await firstScreenJs(page, base + '/dashboard', () => page.locator('canvas').first().waitFor())
  console.log(`    first screen JS, gzipped: dashboard ${dashboard.kb.toFixed(1)} KB in ${dashboard.files} files; ` +
    `citizen page ${citizen.kb.toFixed(1)} KB in ${citizen.files} files`)
  assert.ok(dashboard.kb <= 500, `dashboard ${dashboard.kb} KB`)
  assert.ok(citizen.kb <= 500, `citizen ${citizen.kb} KB`)
})

// Each module's browser tests live in tests/web/modules/<module>.mjs: a default
// export called with `test` and the helpers above, so a new module adds a file
// and touches nothing here. They run after the tests above, in file-name order.
const moduleDir = new URL('./modules/', import.meta.url)
for (const f of fs.readdirSync(moduleDir).filter((n) => n.endsWith('.mjs')).sort()) {
  const m = await import(new URL(f, moduleDir).href)
  m.default({ test, base, city, shots, serverLog, logins, elder, newPage, login, apiAll, settled,
    downloadXlsx, axe, field, assert, fs, path })
}

let failed = 0
for (const t of tests) {
  if (only && !t.name.includes(only)) continue
  const started = Date.now()
  const page = await newPage(t.options)
  try {
    await t.fn(page)
    console.log(`ok   ${t.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  } catch (e) {
    failed++
    console.log(`FAIL ${t.name}: ${e.stack ?? e}`)
    await page.screenshot({ path: path.join(shots, `${t.name}-failed.png`), fullPage: true }).catch(() => {})
  } finally {
    const profile = page.context().profile
    await page.context().close()
    try { fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5 }) } catch { /* left in the temp dir */ }
  }
}
console.log(failed ? `${failed} browser test(s) failed; screenshots in ${shots}` : `all browser tests passed; screenshots in ${shots}`)
process.exit(failed ? 1 : 0)
