// Browser tests of the devices' alarm board (issue #21), registered with
// run.mjs's `test`. A private mosquitto (scripts/mqtt-test-broker.sh) and the
// real ingest service run beside the test server on its database; a device
// presses its SOS button (`yanglao devices publish`) and the alarm appears on
// the open board through the live stream, then goes through its life.
import { execFileSync, spawn } from 'node:child_process'

export default function register({ test, base, city, shots, login, settled, assert, fs, path }) {
  test('devices_board_live', async (page) => {
    const bin = process.env.YANGLAO_BIN ?? 'build/asan/src/cli/yanglao'
    const db = 'sqlite:' + path.join(city, 'yanglao.db')
    const dir = fs.mkdtempSync(path.join(city, 'mqtt-'))
    const port = process.env.YANGLAO_WEB_MQTT_PORT ?? '18845'
    const url = execFileSync('bash', ['scripts/mqtt-test-broker.sh', 'start', dir, port], { encoding: 'utf8' }).trim()
    let ingest = null
    try {
      const device = `web-sos-${process.pid}`
      execFileSync('bash', ['scripts/mqtt-test-broker.sh', 'device', dir, device, 'pw-web'])
      execFileSync(bin, ['devices', 'enrol', '--db', db, '--code', device, '--name', '王某某',
        '--region', '421303001001', '--home', '31.7174,113.3829'])
      execFileSync(bin, ['devices', 'responder', '--db', db, '--code', `near-${process.pid}`, '--name', '赵网格员',
        '--role', '网格员', '--phone', '13800001234', '--at', '31.7200,113.3829'])
      ingest = spawn(bin, ['devices', 'ingest', '--db', db, '--mqtt', url, '--client-id', `web-ingest-${process.pid}`],
        { stdio: 'ignore' })
      await login(page, 'admin')
      await page.goto(base + '/devices')
      await page.locator('[data-test="synthetic"]').getByText('合成数据').waitFor()
      await page.locator('[data-test="live"]').getByText('实时').waitFor()
      execFileSync(bin, ['devices', 'publish', '--mqtt', `mqtt://${device}:pw-web@127.0.0.1:${port}`,
        '--type', 'sos', '--at', '31.7174,113.3829', '--wait', '60'])
      const row = page.locator('.alarm', { hasText: '一键报警' }).filter({ hasText: '王**' })
      await row.first().waitFor({ timeout: 10000 })
      await row.first().click()
      await page.locator('[data-test="detail"]').getByText('赵网格员').waitFor()
      assert.match(await page.locator('[data-test="detail"]').innerText(), /约 2\d\d 米/)
      await page.screenshot({ path: path.join(shots, 'devices-board.png') })
      await page.click('[data-test="ack"]')
      await page.locator(`[data-test="dispatch-near-${process.pid}"]`).click()
      await page.locator('[data-test="detail"]').getByText('已派单').first().waitFor()
      await page.locator('[data-test="resolve"]').click()
      await page.locator('.step', { hasText: '已处置' }).waitFor()
      const trail = await page.locator('.step').allInnerTexts()
      assert.deepEqual(trail.map((t) => t.split(' ')[1]), ['待确认', '已确认', '已派单', '已处置'])
      await settled(page)
    } finally {
      if (ingest) ingest.kill('SIGTERM')
      execFileSync('bash', ['scripts/mqtt-test-broker.sh', 'stop', dir])
    }
  })
}
