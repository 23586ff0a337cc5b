// Browser tests of the waitlist pages (issue #19), registered with run.mjs's
// `test` (run.mjs imports every file in tests/web/modules/ and passes its
// helpers). The generated city (tests/web/city.sh) has institutions, beds and
// a waiting list from `yanglao gen` loaded with `yanglao waitlist load`.
export default function register({ test, base, shots, login, settled, assert, path }) {
  test('waitlist_console', async (page) => {
    await login(page, 'city')
    await page.goto(base + '/waitlist')
    // Beds against the city's targets: Suizhou's nursing-bed share (≥60%) quoted.
    const target = page.locator('[data-test=waitlist-targets] .el-table__row', { hasText: '护理型床位占比' }).first()
    await target.waitFor()
    assert.match(await target.innerText(), /≥60\.0%[\s\S]*(达标|未达标)[\s\S]*护理型床位数达到总床位的 60%以上/)
    await page.locator('[data-test=waitlist-counties] .el-table__row', { hasText: '全市' }).waitFor()
    assert.ok(await page.locator('[data-test=waitlist-institutions] .el-table__row').count() >= 3)
    await settled(page)
    await page.screenshot({ path: path.join(shots, 'waitlist-institutions.png') })

    // The queue with the rule trace; "为什么排在这里" explains each step.
    await page.locator('[data-test=waitlist-tabs] .el-tabs__item', { hasText: '轮候队列' }).click()
    const first = page.locator('[data-test=waitlist-queue] .el-table__row').first()
    await first.waitFor()
    assert.match(await first.innerText(), /^1\s/)
    assert.doesNotMatch(await page.locator('[data-test=waitlist-queue]').innerText(), /\d{17}[\dX]/)
    await first.getByText('为什么排在这里').click()
    const dialog = page.locator('[data-test=waitlist-why]')
    await dialog.getByText('排在第 1 位').waitFor()
    await dialog.getByText('排序步骤').waitFor()
    // The rules read as words (utils/ruleWords.ts), not as the policy language.
    await page.waitForFunction(() => !/&&|\|\||!=|==|\b(tekun|capability_level)\b/.test(document.querySelector('[data-test=waitlist-why]')?.textContent ?? '&&'))
    await settled(page)
    await page.screenshot({ path: path.join(shots, 'waitlist-why.png') })
    await dialog.locator('.el-dialog__headerbtn').click()

    // A freed (vacant) bed offered to the next applicant, with a deadline.
    await page.locator('[data-test=waitlist-tabs] .el-tabs__item', { hasText: '床位分配' }).click()
    const vacant = page.locator('[data-test=waitlist-beds] button', { hasText: '分配给下一位' }).first()
    await vacant.waitFor()
    await vacant.click()
    const result = page.locator('[data-test=waitlist-offer], [data-test=waitlist-offer-none]')
    await result.first().waitFor()
    if (await page.locator('[data-test=waitlist-offer]').count()) {
      assert.match(await page.locator('[data-test=waitlist-offer]').innerText(), /已分配给 .+，请于 \d{4}-\d\d-\d\d 前确认/)
    }
    await settled(page)
    await page.screenshot({ path: path.join(shots, 'waitlist-allocate.png') })

    // The queue as an Excel file.
    const xlsx = await page.request.get(base + '/api/v1/waitlist/queue?city=421300&format=xlsx')
    assert.equal(xlsx.status(), 200)
    assert.equal((await xlsx.body()).subarray(0, 2).toString(), 'PK')
    const all = (await (await page.request.get(base + '/api/v1/waitlist/queue?city=421300')).json()).items

    // A county official sees the county's applicants only (positions stay city-wide).
    await login(page, 'county')
    const mine = (await (await page.request.get(base + '/api/v1/waitlist/queue?city=421300')).json()).items
    assert.ok(mine.length > 0 && mine.length < all.length, `${mine.length} of ${all.length}`)
    const counties = new Set(mine.map((e) => e.county))
    assert.equal(counties.size, 1)
  })
}
