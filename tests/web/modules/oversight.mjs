// Browser tests of the oversight pages (issue #23): the public page (信息公开)
// without sign-in, every count of people on it at least 10 or withheld, and
// the console page (任务与报表) with the task tables' states and the report
// downloaded as a PDF.
import { execFileSync } from 'node:child_process'

export default function register({ test, base, city, shots, login, settled, axe, assert, fs, path }) {
  test('oversight_public_page', async (page) => {
    const year = new Date().getFullYear()
    await page.goto(base + `/public?period=${year}`)
    await page.locator('[data-test="ind-served"]').waitFor({ timeout: 120_000 })
    await settled(page)
    assert.match(await page.locator('h1').innerText(), /随州市养老服务信息公开/)
    assert.match(await page.locator('[data-test="state"]').innerText(), /少于 10 人的数字不公开/)
    // What the page shows comes from the public route: check every count of people.
    const res = await page.request.get(base + `/api/v1/public/oversight?jurisdiction=421300&period=${year}`)
    assert.equal(res.status(), 200)
    const data = await res.json()
    let published = 0
    for (const t of data.tables) {
      const cols = t.header.map((h, i) => (/人|周岁|特困|低保|独居/.test(h) ? i : -1)).filter((i) => i >= 0)
      for (const row of t.rows) {
        for (const c of cols) {
          if (row[c] === '<阈值') continue
          const n = Number(row[c])
          assert.ok(n === 0 || n >= 10, `${t.title}: ${row.join(' ')}`)
          if (n > 0) published++
        }
      }
    }
    assert.ok(published > 10)
    // The table on the page shows the same cells.
    const firstCell = await page.locator('[data-test="table-1"] tbody tr').first().locator('td').nth(2).innerText()
    assert.equal(firstCell.trim(), data.tables[1].rows[0][2])
    assert.ok((await page.locator('[data-test="list-items"] tbody tr').count()) > 5)
    await axe(page)
    await page.screenshot({ path: path.join(shots, 'oversight-public.png'), fullPage: false })
  })

  test('oversight_console_tasks_and_report', async (page) => {
    // The task tables, imported as an official would from the command line.
    const bin = process.env.YANGLAO_BIN ?? 'build/asan/src/cli/yanglao'
    execFileSync(bin, ['oversight', 'import', '--db', `sqlite:${city}/yanglao.db`,
      'policies/oversight/suizhou.tasks.yaml'])
    await login(page, 'admin')
    await page.goto(base + '/oversight')
    await page.locator('[data-test="ov-tasks"] tbody tr').first().waitFor()
    await settled(page)
    assert.equal(await page.locator('[data-test="ov-tasks"] tbody tr').count(), 42)
    const states = await page.locator('[data-test="ov-states"]').innerText()
    assert.match(states, /已完成|已逾期|按计划推进|有风险|未报告/)
    await page.screenshot({ path: path.join(shots, 'oversight-tasks.png') })
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-test="ov-pdf"]')])
    assert.match(dl.suggestedFilename(), /随州市养老服务统计年报.*\.pdf$/)
    const bytes = fs.readFileSync(await dl.path())
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-')
  })
}
