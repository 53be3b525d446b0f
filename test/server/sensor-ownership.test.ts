import {normaliseRow} from '../../src/core/device/inventory.js'
import {eicarBytes} from '../../src/core/detect/eicar.js'
import {startTestServer, type TestServer} from './helpers.js'

const EICAR_B64 = eicarBytes().toString('base64')

// Issue 15, item 2: SentinelOne's token registered the ConfigMgr-managed SRV-2019 and rewrote
// it as "Ubuntu 22.04 / managed by third-party:sentinelone". Every sensor route now refuses a
// device that its provider does not manage alone (403, exit 5), audits the attempt and leaves
// the device as it was.
describe('a sensor token cannot take over a device (TP2)', () => {
  let s: TestServer
  let sentinel: string
  const inventory = [
    {name: 'SRV-2019', os: 'Windows Server 2019 Datacenter', managedBy: 'configmgr'},
    {name: 'LAPTOP-7', os: 'Windows 11 Pro', managedBy: 'intune'},
    {name: 'azure-vm-1', os: 'Windows Server 2022', managedBy: 'defender-for-cloud'},
    {name: 'mac-bd', os: 'macOS 14.4', managedBy: 'third-party:bitdefender'},
    {name: 'plain-1', os: 'Ubuntu 22.04'},
    {name: 'lnx-s1', os: 'Ubuntu 20.04', managedBy: 'third-party:sentinelone'},
  ]

  beforeAll(async () => {
    s = await startTestServer()
    sentinel = await s.direct(async (b) => {
      await b.integrations.setThirdParty('sentinelone', true)
      await b.integrations.setThirdParty('bitdefender', true)
      await b.devices.import({records: inventory.map((raw, i) => normaliseRow({lastSeen: '2026-11-20T10:00:00Z', ...raw}, i + 2))})
      return (await b.tokens.mint({provider: 'sentinelone', ttlMs: 3_600_000})).secret
    })
  })
  afterAll(async () => {
    await s.cleanup()
    expect(s.errors).toEqual([])
  })

  const state = async (name: string) => {
    const d = await s.direct((b) => b.devices.get(name))
    return {name: d.name, osName: d.osName, managedBy: d.managedBy, source: d.source}
  }

  it.each(['SRV-2019', 'srv-2019', 'LAPTOP-7', 'azure-vm-1', 'mac-bd', 'plain-1'])('refuses register, heartbeat and files for %s, audited, nothing changed', async (name) => {
    const before = await state(name)
    const auditBefore = (await s.direct(async (b) => (await b.audit.list()).items)).length
    const machine = {name, os: 'Ubuntu 22.04'}
    for (const [path, body] of [
      ['/v1/sensor/register', machine],
      ['/v1/sensor/heartbeat', machine],
      ['/v1/sensor/files', {device: name, fileName: 'eicar.com', path: '/tmp/eicar.com', contentBase64: EICAR_B64}],
    ] as const) {
      const r = await s.request('POST', path, {auth: sentinel, body})
      expect([path, r.status, r.body.error?.code, r.body.error?.exitCode]).toEqual([path, 403, 'FORBIDDEN', 5])
      expect(r.body.error.message).toContain(before.name)
    }

    expect(await state(name)).toEqual(before)
    const audit = (await s.direct(async (b) => (await b.audit.list()).items)).slice(auditBefore)
    expect(audit.map((a) => [a.operation, a.outcome, a.actor])).toEqual([
      ['device.sensor-report', 'refused:FORBIDDEN', `sensor:sentinelone:${name}`],
      ['sensor.heartbeat', 'refused:FORBIDDEN', `sensor:sentinelone:${name}`],
      ['sensor.file', 'refused:FORBIDDEN', `sensor:sentinelone:${name}`],
    ])
    expect(await s.direct(async (b) => (await b.alerts.list({device: name})).items)).toEqual([])
  })

  it('still registers, heartbeats and reports files for its own devices and new ones', async () => {
    expect((await s.request('POST', '/v1/sensor/register', {auth: sentinel, body: {name: 'lnx-s1', os: 'Ubuntu 22.04'}})).status).toBe(200)
    expect((await s.request('POST', '/v1/sensor/register', {auth: sentinel, body: {name: 'new-s1', os: 'Ubuntu 22.04'}})).status).toBe(200)
    expect((await s.request('POST', '/v1/sensor/heartbeat', {auth: sentinel, body: {name: 'new-s1', os: 'Ubuntu 22.04'}})).status).toBe(202)
    const r = await s.request('POST', '/v1/sensor/files', {auth: sentinel, body: {device: 'lnx-s1', fileName: 'eicar.com', path: '/tmp/eicar.com', contentBase64: EICAR_B64}})
    expect(r.status).toBe(202)
    expect(await state('lnx-s1')).toEqual({name: 'lnx-s1', osName: 'Ubuntu 22.04', managedBy: ['third-party:sentinelone'], source: 'sensor'})
    let alerts: unknown[] = []
    for (let i = 0; i < 50 && alerts.length === 0; i++) {
      alerts = await s.direct(async (b) => (await b.alerts.list({device: 'lnx-s1'})).items)
      if (alerts.length === 0) await new Promise((r) => setTimeout(r, 100))
    }

    expect(alerts).toHaveLength(1)
  })
})
