// Signs in to a running console and screenshots the dashboard (docs/fresh-machine.md).
// Usage: node tests/web/shot-dashboard.mjs URL USER PASSWORD OUT.png
import { createRequire } from 'node:module'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
const require = createRequire(new URL('../../web/package.json', import.meta.url))
const { chromium } = require('playwright-core')
const [base, user, password, out] = process.argv.slice(2)
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'yanglao-shot-'))
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  viewport: { width: 1440, height: 900 }, locale: 'zh-CN',
})
try {
  const page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(180_000)
  await page.goto(base + '/login')
  await page.fill('input[name=username]', user)
  await page.fill('input[name=password]', password)
  await page.click('button[type=submit]')
  await page.waitForURL(/\/dashboard$/)
  await page.locator('canvas').first().waitFor()
  await page.waitForFunction(() => !document.querySelector('.el-loading-mask'))
  await page.waitForFunction(() => document.querySelector('[data-kpi="能力评估已过期"] .num')?.textContent?.trim() !== '—')
  await page.waitForTimeout(1500)
  await page.screenshot({ path: out })
  const kpis = await page.$$eval('.kpi', (els) => els.map((e) => e.innerText.replace(/\s+/g, ' ')))
  console.log(kpis.join('\n'))
} finally {
  await context.close()
  fs.rmSync(profile, { recursive: true, force: true })
}
