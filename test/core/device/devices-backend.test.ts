import type {Backend} from '../../../src/core/port/types.js'
import {normaliseRow, type RawRow} from '../../../src/core/device/inventory.js'
import {InvalidInputError} from '../../../src/core/errors.js'
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

  it('writes streamed records as they come and rolls all of them back when the stream fails', async () => {
    await backend.devices.import({records: [rec({name: 'keep-1', os: 'Ubuntu 22.04'})]})
    let written = 0
    function* failing() {
      yield rec({name: 'new-1', os: 'Windows 11 Pro', collections: 'Wave 1'})
      yield rec({name: 'keep-1', os: 'Windows 11 Pro'})
      written = 2
      throw new InvalidInputError('line 4: the reader found a bad row')
    }

    await expect(backend.devices.import({records: failing()})).rejects.toMatchObject({code: 'INVALID_INPUT', exitCode: 7})
    expect(written).toBe(2)
    expect((await backend.devices.list()).items.map((d) => [d.name, d.osFamily])).toEqual([['keep-1', 'linux']])
    expect((await backend.collections.list()).items.map((c) => c.name)).not.toContain('Wave 1')
    const [refusal] = (await backend.audit.list({limit: 1, newestFirst: true})).items
    expect(refusal).toMatchObject({operation: 'device.import', outcome: 'refused:INVALID_INPUT'})
  })

  it('a stream that fails with a busy database imports nothing (exit 6, DATABASE_BUSY)', async () => {
    function* interrupted() {
      yield rec({name: 'first', os: 'Ubuntu 22.04'})
      throw Object.assign(new Error('database is locked'), {code: 'SQLITE_BUSY'})
    }

    await expect(backend.devices.import({records: interrupted()})).rejects.toMatchObject({code: 'DATABASE_BUSY', exitCode: 6})
    expect((await backend.devices.list()).items).toEqual([])
  })

  it('refuses a name given twice in one import, into an empty or a filled inventory (exit 7)', async () => {
    const twice = () => [rec({name: 'dup-1', os: 'Ubuntu 22.04'}), rec({name: 'DUP-1', os: 'Windows 11 Pro'})]
    await expect(backend.devices.import({records: twice()})).rejects.toMatchObject({code: 'INVALID_INPUT', exitCode: 7, message: expect.stringContaining("'DUP-1'")})
    await backend.devices.import({records: [rec({name: 'other', os: 'Ubuntu 22.04'})]})
    await expect(backend.devices.import({records: twice()})).rejects.toMatchObject({code: 'INVALID_INPUT', exitCode: 7})
    expect((await backend.devices.list()).items.map((d) => d.name)).toEqual(['other'])
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

  it('a sensor report keeps the inventory fields of a known device and replaces only its third-party manager', async () => {
    await backend.devices.import({
      records: [rec({name: 'lnx-1', os: 'Ubuntu 20.04', managedBy: 'defender-for-cloud;third-party:ziften', user: 'ops', groups: 'Linux', collections: 'Linux fleet', subscription: 'sub-9', environment: 'azure-arc'})],
    })
    await backend.integrations.setThirdParty('bitdefender', true)
    const d = await backend.devices.reportFromSensor({name: 'LNX-1', os: 'Ubuntu 22.04', provider: 'bitdefender', sensorService: 'stopped'})
    expect(d).toMatchObject({
      name: 'lnx-1',
      osName: 'Ubuntu 22.04',
      managedBy: ['defender-for-cloud', 'third-party:bitdefender'],
      user: 'ops',
      groups: ['Linux'],
      collections: ['Linux fleet'],
      subscription: 'sub-9',
      source: 'sensor',
      health: 'agent-state',
    })
    await expect(backend.devices.reportFromSensor({name: 'x', os: 'Ubuntu', provider: 'acme'})).rejects.toMatchObject({exitCode: 3})
    await expect(backend.devices.reportFromSensor({name: 'x', os: 'Plan 9', provider: 'bitdefender'})).rejects.toMatchObject({exitCode: 7})
  })
})

describe('Defender for Cloud onboarding in the agent model (DC1, DC2, DC4, DC5)', () => {
  let backend: Backend
  let cleanup: () => Promise<void>
  const dfc = (name: string, os: string, environment: string, extra: RawRow = {}) =>
    rec({name, os, managedBy: 'defender-for-cloud', environment, subscription: 'sub-1', ...extra})
  beforeAll(async () => {
    ;({backend, cleanup} = await tempBackend({withTenant: true, now: () => NOW}))
    await backend.devices.import({
      records: [
        dfc('vm-2019', 'Windows Server 2019 Datacenter', 'azure-vm', {sensorService: 'absent'}),
        dfc('vm-2008r2', 'Windows Server 2008 R2 Datacenter', 'azure-vm'),
        dfc('vm-2012', 'Windows Server 2012 Datacenter', 'azure-vm'),
        dfc('vm-w10', 'Windows 10 Enterprise', 'azure-vm', {version: '21H2'}),
        dfc('vm-avd', 'Windows 10 Enterprise multi-session', 'azure-vm', {version: '21H2'}),
        dfc('arc-w10', 'Windows 10 Enterprise', 'azure-arc', {version: '21H2'}),
        dfc('onprem-2019', 'Windows Server 2019 Standard', 'on-premises'),
        dfc('aws-2016', 'Windows Server 2016 Standard', 'aws'),
        dfc('arc-ubuntu', 'Ubuntu 22.04', 'azure-arc', {previousInstall: 'true'}),
        dfc('vm-rhel-fan', 'Red Hat Enterprise Linux 8.6', 'azure-vm', {otherFanotifySolution: 'true'}),
        dfc('vm-mac', 'macOS 14.4', 'azure-vm'),
        dfc('vm-never', 'Windows Server 2022 Datacenter', 'azure-vm', {lastSeen: ''}),
        rec({name: 'no-sub', os: 'Windows Server 2019', managedBy: 'defender-for-cloud', environment: 'azure-vm'}),
      ],
    })
  })
  afterAll(async () => cleanup())
  const code = async (name: string) => (await backend.devices.get(name)).onboarding.reasonCode

  it('nothing is onboarded while the subscription has no integration (DC1)', async () => {
    expect(await code('vm-2019')).toBe('dfc-integration-off')
    expect(await code('arc-ubuntu')).toBe('dfc-integration-off')
  })

  it('Windows only: Windows machines onboard, Linux needs the one-time Linux step (DC1, DC2)', async () => {
    await backend.integrations.enableDefenderForCloud({subscriptionId: 'sub-1', cloud: 'commercial', linux: false, windowsOnly: true})
    expect(await backend.devices.get('vm-2019')).toMatchObject({onboarded: true, health: 'healthy', onboarding: {path: 'defender-for-cloud'}})
    expect(await code('arc-ubuntu')).toBe('dfc-linux-off')
  })

  it('applies DC5 and DC4 once Linux is on', async () => {
    await backend.integrations.enableDefenderForCloud({subscriptionId: 'sub-1', cloud: 'commercial', linux: true, windowsOnly: false})
    const expected: Record<string, string> = {
      'vm-2019': 'dfc-onboarded',
      'vm-2008r2': 'dfc-onboarded',
      'vm-2012': 'dfc-unsupported-os',
      'vm-w10': 'dfc-windows-client-azure-vm',
      'vm-avd': 'dfc-onboarded',
      'arc-w10': 'dfc-onboarded',
      'onprem-2019': 'dfc-not-connected',
      'aws-2016': 'dfc-onboarded',
      'arc-ubuntu': 'dfc-reconfigured',
      'vm-rhel-fan': 'dfc-fanotify',
      'vm-mac': 'dfc-unsupported-os',
      'vm-never': 'dfc-never-seen',
      'no-sub': 'dfc-no-subscription',
    }
    const actual: Record<string, string> = {}
    for (const d of (await backend.devices.list()).items) actual[d.name] = d.onboarding.reasonCode
    expect(actual).toEqual(expected)
    expect((await backend.devices.get('arc-ubuntu')).onboarding.reason).toMatch(/previous Defender for Endpoint installation was reconfigured/)
  })

  it('disabling the integration offboards them again (deterministic from state)', async () => {
    await backend.integrations.disableDefenderForCloud({subscriptionId: 'sub-1', linuxOnly: false})
    expect((await backend.devices.list({onboarded: true})).items.map((d) => d.name)).toEqual([])
  })
})
