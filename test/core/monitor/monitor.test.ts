import type {Backend} from '../../../src/core/port/types.js'
import {normaliseRow, type RawRow} from '../../../src/core/device/inventory.js'
import {tempBackend} from '../../helpers/backend.js'

const NOW = new Date('2026-11-20T12:00:00Z')
const rec = (raw: RawRow) => normaliseRow({managedBy: 'configmgr', lastSeen: '2026-11-20T10:00:00Z', collections: 'Fleet', ...raw}, 2)

describe('monitor: deployment status and agent health (CM6)', () => {
  let backend: Backend
  let cleanup: () => Promise<void>
  beforeAll(async () => {
    ;({backend, cleanup} = await tempBackend({withTenant: true, now: () => NOW}))
    const {orgId} = (await backend.tenant.get())!
    await backend.devices.import({
      records: [
        rec({name: 'healthy-1', os: 'Windows 10 Enterprise', version: '1809'}),
        rec({name: 'healthy-2', os: 'Windows Server 2019'}),
        rec({name: 'inactive', os: 'Windows 10 Enterprise', version: '1809', lastSeen: '2026-11-01T00:00:00Z'}),
        rec({name: 'stopped', os: 'Windows 11 Pro', sensorService: 'stopped'}),
        rec({name: 'absent', os: 'Windows 10 Enterprise', version: '1809', sensorService: 'absent'}),
        rec({name: 'down', os: 'Windows 8.1 Pro'}), // file-only policy: not onboarded (CM3)
        rec({name: 'win7', os: 'Windows 7 Enterprise'}), // unsupported: not eligible
        rec({name: 'mac', os: 'macOS 14', managedBy: 'third-party:sentinelone', collections: ''}),
        rec({name: 'spare', os: 'Windows 10 Enterprise', version: '1809', collections: 'Spare'}), // no policy: not eligible
      ],
    })
    await backend.integrations.setThirdParty('sentinelone', true)
    await backend.policies.create({
      name: 'file',
      description: '',
      type: 'onboarding',
      configFile: {name: 'f.zip', sha256: 'b'.repeat(64), orgId, expiresAt: null},
      workspaceId: null,
      workspaceKey: null,
      sampleSharing: 'all',
      configMgrVersion: 2103,
    })
    await backend.policies.deploy({name: 'file', collections: ['Fleet'], dryRun: false, force: true})
  })
  afterAll(async () => cleanup())

  it('counts eligible clients, onboarded and health over a 7-day period', async () => {
    const r = await backend.monitor.report({periodMs: 7 * 86_400_000})
    expect(r.deployment).toEqual({eligible: 6, onboarded: 4, percent: 66.7})
    expect(r.health).toEqual({healthy: 2, inactive: 1, agentState: 1, notOnboarded: 2})
    expect(r.healthPercent).toEqual({healthy: 33.3, inactive: 16.7, agentState: 16.7, notOnboarded: 33.3})
    expect(r.onboardedByPath).toEqual({configmgr: 4, 'defender-for-cloud': 0, 'third-party': 1, sensor: 0})
    expect(r.devices).toBe(9)
    expect(r.collections.map((c) => [c.name, c.members, c.deployment.eligible, c.deployment.onboarded])).toEqual([
      ['Fleet', 7, 6, 4],
      ['Spare', 1, 0, 0],
    ])
  })

  it('a longer period turns Inactive into Healthy; a collection scope limits the figures', async () => {
    expect((await backend.monitor.report({periodMs: 30 * 86_400_000})).health).toEqual({healthy: 3, inactive: 0, agentState: 1, notOnboarded: 2})
    const spare = await backend.monitor.report({collection: 'spare', periodMs: 7 * 86_400_000})
    expect(spare).toMatchObject({collection: 'Spare', devices: 1, deployment: {eligible: 0, onboarded: 0, percent: 0}})
    expect(spare.collections.map((c) => c.name)).toEqual(['Spare'])
    await expect(backend.monitor.report({collection: 'nope', periodMs: 1})).rejects.toMatchObject({exitCode: 3})
  })
})
