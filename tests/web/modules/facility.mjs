// Browser tests of the facility pages, registered with run.mjs's `test`
// (run.mjs imports every file in tests/web/modules/ and passes its helpers).
export default function register({ test, base, shots, login, settled, elder, field, assert, path }) {
  test('facility_map', async (page) => {
    await login(page, 'city')
    await page.goto(base + '/facility')
    await page.locator('[data-test=facility-map] canvas').first().waitFor()
    // Generated coordinates are labelled as synthetic.
    await page.locator('[data-test=facility-synthetic]').getByText('合成数据').waitFor()
    // The coverage table shows Suizhou's yearly steps (城市社区日间照料中心 90% / 95% / 100%).
    const row = page.locator('[data-test=facility-coverage] .el-table__row', { hasText: '城市社区日间照料中心' })
    await row.waitFor()
    assert.match(await row.innerText(), /≥90%[\s\S]*≥95%[\s\S]*≥100%/)
    // One county at a time.
    await page.locator('[data-test=facility-region]').click()
    await page.locator('.el-select-dropdown__item', { hasText: '曾都区' }).click()
    await page.locator('.summary', { hasText: '曾都区' }).waitFor()
    await page.locator('[data-test=facility-suggest]').click()
    await page.locator('.sites li').first().waitFor()
    await settled(page)
    await page.screenshot({ path: path.join(shots, 'facility-map.png') })
  })
}
