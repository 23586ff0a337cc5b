// Browser tests of the visiting-care pages (issue #18), registered with
// run.mjs's `test`.
export default function register({ test, base, shots, login, settled, downloadXlsx, assert, path }) {
  // The visitor's phone page: visits logged with the network cut are queued
  // on the phone, sent once it is back, and each is stored once (also when
  // sent again with the same client id). Then the supervisor's page: the
  // month's rates against the year's target, the referral raised, the
  // workbook export, and the dashboard's figure.
  test('visits_phone_offline_and_supervisor', async (page) => {
    await login(page, 'admin')
    const csrf = async () => (await page.context().cookies()).find((c) => c.name === 'yl_csrf')?.value ?? ''
    const post = async (route, data) => {
      const r = await page.request.post(base + '/api/v1' + route, { headers: { 'X-CSRF-Token': await csrf() }, data })
      assert.ok(r.status() === 200 || r.status() === 201, `${route}: ${r.status()} ${await r.text()}`)
      return r.json()
    }
    const get = async (route, p) => {
      const r = await page.request.get(base + '/api/v1' + route + (p ? '?' + new URLSearchParams(p) : ''))
      assert.equal(r.status(), 200, `${route}: ${await r.text()}`)
      return r.json()
    }
    // This month's roster from the list's item 24 (the rules on the registry).
    const roster = await post('/visits/roster', {})
    assert.ok(roster.people > 0, JSON.stringify(roster))
    const due = (await get('/visits/due')).items
    assert.equal(due.length, roster.people)
    // Sorted by risk tier, then days overdue.
    const order = due.map((d) => [roster.tiers.findIndex((t) => t.tier === d.tier), -d.days_overdue])
    for (let i = 1; i < order.length; i++) {
      assert.ok(order[i - 1][0] < order[i][0] || (order[i - 1][0] === order[i][0] && order[i - 1][1] <= order[i][1]),
        `due list order at ${i}`)
    }
    // A visitor (social worker, the built-in caseworker role: scope "self")
    // with three people of one community: the community with the most people
    // due (the order of the list depends on the visits already logged).
    const perCommunity = {}
    for (const d of due) perCommunity[d.region.code] = (perCommunity[d.region.code] ?? 0) + 1
    const community = Object.keys(perCommunity).sort((a, b) => perCommunity[b] - perCommunity[a])[0]
    assert.ok(perCommunity[community] >= 2, JSON.stringify(perCommunity))
    const mine = due.filter((d) => d.region.code === community).slice(0, 3)
    const username = 'visitor' + Date.now().toString(36)
    const password = 'Visit-pw-2026-x'
    await post('/users', { username, display_name: '探访社工', password, unit_code: community, department: '民政', role: 'caseworker' })
    const visitor = await post('/visits/visitors', { code: username, name: '王社工', kind: '社工', unit: community, phone: '13800000000' })
    for (const p of mine) await post('/visits/assignments', { visitor_id: visitor.id, id_number: p.ref })

    await page.context().clearCookies()
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(base + '/login')
    await page.fill('input[name=username]', username)
    await page.fill('input[name=password]', password)
    await page.click('button[type=submit]')
    await page.waitForURL(/\/dashboard$/)
    await page.goto(base + '/visits/phone')
    await page.locator('[data-test="visit-item"]').nth(mine.length - 1).waitFor()
    assert.equal(await page.locator('[data-test="visit-item"]').count(), mine.length)
    // The visitor's list is their people only (person refs differ per answer:
    // compare the masked ID numbers).
    const shown = await page.locator('[data-test="visit-item"] .who').allInnerTexts()
    assert.deepEqual(shown.map((t) => t.trim()).sort(), mine.map((p) => p.id_number).sort())
    await settled(page)
    await page.screenshot({ path: path.join(shots, 'visits-phone-list.png') })

    // The network cut: two visits logged, queued on the phone.
    await page.context().setOffline(true)
    await page.click('[data-test="log-0"]')
    await page.click('[data-test="kind-上门"]')
    await page.click('[data-test="finding-safety"]')
    await page.fill('[data-test="finding-text-safety"]', '浴室地滑，无扶手')
    await page.click('[data-test="finding-mood"]')
    await page.fill('[data-test="finding-text-mood"]', '情绪平稳')
    await page.click('[data-test="referral-wristband"]')
    await page.screenshot({ path: path.join(shots, 'visits-phone-form.png') })
    await page.click('[data-test="submit"]')
    await page.getByText('待上传 1 条').waitFor()
    await page.click('[data-test="log-1"]')
    await page.click('[data-test="kind-电话"]')
    await page.click('[data-test="submit"]')
    await page.getByText('待上传 2 条').waitFor()
    await page.getByText('已离线保存').waitFor()
    assert.equal(await page.locator('[data-test="network"]').innerText(), '离线')
    await page.screenshot({ path: path.join(shots, 'visits-phone-offline.png') })
    const queued = await page.evaluate(() => JSON.parse(localStorage.getItem('yanglao.visits.queue')))
    assert.equal(queued.length, 2)
    // Back online: sent, the queue empties.
    await page.context().setOffline(false)
    await page.getByText('待上传 0 条').waitFor()
    await page.getByText('已上传').waitFor()
    await page.screenshot({ path: path.join(shots, 'visits-phone-synced.png') })
    // The same visit sent again (a reply lost): stored once.
    const again = await page.request.post(base + '/api/v1/visits/visits', { headers: { 'X-CSRF-Token': await csrf() }, data: queued[0] })
    assert.equal(again.status(), 200, await again.text())
    assert.equal((await again.json()).already_recorded, true)

    // Back as the administrator: each visit stored once, with its findings.
    await page.context().clearCookies()
    await page.setViewportSize({ width: 1440, height: 900 })
    await login(page, 'admin')
    // (The generated city has a year of other visitors' visits: count this visitor's.)
    const byVisitor = async (q) => {
      const h = await get(`/visits/persons/${q.id_number}/visits`)
      return { ...h, items: h.items.filter((v) => v.visitor_id === visitor.id) }
    }
    for (const [i, q] of queued.entries()) {
      const h = await byVisitor(q)
      assert.equal(h.items.length, 1, `visits of person ${i}`)
      assert.equal(h.items[0].kind, q.kind)
      assert.equal(h.items[0].findings.length, q.findings.length)
    }
    const first = await byVisitor(queued[0])
    assert.equal(first.items[0].findings[0].name, '安全')
    // The referral raised is open (person refs differ per answer: compare masked ID numbers).
    const open = (await get('/visits/referrals', { status: 'open' })).items
    assert.ok(open.some((r) => r.id_number === first.id_number && r.kind === 'wristband'), JSON.stringify(open))

    // The supervisor's page: rates by community with the year's target.
    const month = new Date().toISOString().slice(0, 7)
    const rates = await get('/visits/rates', { month, level: 'community' })
    const unit = rates.items.find((u) => u.region.code === community)
    assert.ok(unit && unit.visited >= 2, JSON.stringify(unit))
    await page.goto(base + '/visits')
    await page.locator('[data-test="rates"] .el-table__row').first().waitFor()
    await page.getByText('建议配发手环').first().waitFor()
    await settled(page)
    await page.screenshot({ path: path.join(shots, 'visits-supervisor.png'), fullPage: true })
    await page.getByText('社区（村）').first().click()
    await page.waitForTimeout(300)
    const x = await downloadXlsx(page, () => page.click('[data-test="export"]'))
    assert.match(x.name, /月探访率/)
    assert.deepEqual(x.rows[0].slice(0, 6), ['单位代码', '单位名称', '月初名单人数', '本月已探访', '死亡或迁出（已记录）', '月探访率'])
    const row = x.rows.find((r) => r[0] === community)
    assert.ok(row, 'the community in the workbook')
    assert.equal(Number(row[3]), unit.visited)
    // The dashboard's figure.
    await page.goto(base + '/dashboard')
    await page.locator('[data-kpi="探访逾期上报"] .num').waitFor()
    const sum = await get('/visits/summary')
    assert.equal(Number(await page.locator('[data-kpi="探访逾期上报"] .num').innerText()), sum.escalated)
  })
}
