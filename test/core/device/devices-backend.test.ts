import type {Backend} from '../../../src/backends/types.js'
import {normaliseRow, type RawRow} from '../../../src/core/device/inventory.js'
import {tempBackend} from '../../helpers/backend.js'

const NOW = new Date('2026-11-20T12:00:00Z')
const recent = '2026-11-20T10:00:00Z'
const rec = (raw: RawRow, line = 2) => normaliseRow({lastSeen: recent, ...raw}, line)

describe('local devices API (agent model, CM3/CM6, DC1–DC5, TP1/TP3)', () => {
  let backend: Backend
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    ;({backend, cleanup} = await tempBackend({withTenant: true, now: () => NOW}))
  })
  afterEach(async () => cleanup())

  it('get() of an unknown device is NotFound (exit 3)', async () => {
    await expect(backend.devices.get('nope')).rejects.toMatchObject({code: 'NOT_FOUND', exitCode: 3})
  })

  it('imports, upserts by name (case-insensitive) and reports a device not targeted by any policy', async () => {
    const first = await backend.devices.import({records: [rec({name: 'PC-1', os: 'Windows 10 Enterprise', version: '1803', managedBy: 'configmgr', collections: 'Pilot'})]})
    expect(first).toMatchObject({total: 1, created: 1, updated: 0, collectionsCreated: ['Pilot']})
    const again = await backend.devices.import({records: [rec({name: 'pc-1', os: 'Windows 10 Enterprise', version: '10.0.19045', managedBy: 'configmgr'})]})
    expect(again).toMatchObject({created: 0, updated: 1})
    const d = await backend.devices.get('PC-1')
    expect(d).toMatchObject({osFamily: 'windows', build: 19045, release: '22H2', level: 'up-level', onboarded: false, health: 'not-onboarded', collections: []})
    expect(d.onboarding.reasonCode).toBe('cm-not-targeted')
  })

  it('third-party devices are onboarded while the provider is on (TP1, TP3); sensors report themselves', async () => {
    await backend.devices.import({records: [rec({name: 'mac-1', os: 'macOS 14.4', managedBy: 'third-party:sentinelone'})]})
    expect((await backend.devices.get('mac-1')).onboarding.reasonCode).toBe('tp-integration-off')
    await expect(backend.devices.reportFromSensor({name: 'lnx-9', os: 'Ubuntu 22.04', provider: 'sentinelone'})).rejects.toMatchObject({exitCode: 4})
    await backend.integrations.setThirdParty('sentinelone', true)
    expect(await backend.devices.get('mac-1')).toMatchObject({onboarded: true, health: 'healthy', thirdPartyProvider: 'sentinelone'})
    const reported = await backend.devices.reportFromSensor({name: 'lnx-9', os: 'Ubuntu 22.04', provider: 'sentinelone'})
    expect(reported).toMatchObject({onboarded: true, source: 'sensor', lastSeen: NOW.toISOString(), sensorService: 'running', managedBy: ['third-party:sentinelone']})
    expect(reported.onboarding.path).toBe('sensor')
    await backend.integrations.setThirdParty('sentinelone', false)
    expect(await backend.devices.get('lnx-9')).toMatchObject({onboarded: false, health: 'not-onboarded'})
  })
})
