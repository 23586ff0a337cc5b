// Browser tests of the canteen pages, registered with run.mjs's `test`
// (run.mjs imports every file in tests/web/modules/ and passes its helpers).
export default function register({ test, base, shots, login, settled, elder, field, assert, path }) {
  // The canteen counter (issue #20): a sale made offline is queued in the
  // tablet's storage, sent once the network is back, and stored once even when
  // sent again with the same idempotency id.
  test('canteen_counter_offline', async (page) => {
    await login(page, 'admin')
    const csrf = (await page.context().cookies()).find((c) => c.name === 'yl_csrf')?.value ?? ''
    const csv = '食堂编号,名称,类型,所在社区,服务社区,运营方,开放时间,供餐时段,价格\n' +
      'WEB-001,乌龙巷幸福食堂,幸福食堂,421303001001,421303001002,测试餐饮公司,每日,' +
      '早餐 00:00-09:59；午餐 10:00-15:59；晚餐 16:00-23:59,套餐A 15.00；面条 8.00\n'
    const imp = await page.request.post(base + '/api/v1/canteen/canteens/import?file_name=web.csv',
      { headers: { 'Content-Type': 'text/csv', 'X-CSRF-Token': csrf }, data: Buffer.from(csv) })
    assert.equal(imp.status(), 200, await imp.text())
    const canteen = (await (await page.request.get(base + '/api/v1/canteen/canteens')).json()).items
      .find((c) => c.code === 'WEB-001')
    const count = async () => (await (await page.request.get(base + '/api/v1/canteen/sales?' +
      new URLSearchParams({ canteen_id: canteen.id, size: 100 }))).json()).total
    const before = await count()
    await page.goto(base + '/canteen')
    await page.locator('[data-test="dish-面条"]').waitFor()
    const p = elder()
    await page.context().setOffline(true)
    await page.fill(field('diner'), p.id)
    await page.click('[data-test="dish-面条"]')
    await page.click('[data-test="sell"]')
    await page.getByText('待上传 1 笔').waitFor()
    await page.getByText('已离线记账').waitFor()
    assert.equal(await page.locator('[data-test="network"]').innerText(), '离线')
    await page.screenshot({ path: path.join(shots, 'canteen-offline.png') })
    const queued = await page.evaluate(() => JSON.parse(localStorage.getItem('yanglao.canteen.queue')))
    assert.equal(queued.length, 1)
    await page.context().setOffline(false)
    await page.getByText('待上传 0 笔').waitFor()
    await page.locator('[data-test="receipt"]').waitFor()
    assert.match(await page.locator('[data-test="paid"]').innerText(), /实付 \d+\.\d\d元/)
    await page.screenshot({ path: path.join(shots, 'canteen-synced.png') })
    assert.equal(await count(), before + 1)
    // The same sale sent again (a reply lost): stored once.
    const again = await page.request.post(base + '/api/v1/canteen/sales',
      { headers: { 'X-CSRF-Token': csrf }, data: { ...queued[0] } })
    assert.equal(again.status(), 200, await again.text())
    assert.equal((await again.json()).already_recorded, true)
    assert.equal(await count(), before + 1)
  })
}
