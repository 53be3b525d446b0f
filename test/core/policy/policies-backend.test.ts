import type {Backend} from '../../../src/core/port/types.js'
import {normaliseRow, type RawRow} from '../../../src/core/device/inventory.js'
import type {PolicyCreateRequest} from '../../../src/core/policy/types.js'
import {tempBackend} from '../../helpers/backend.js'

let now = new Date('2026-11-20T12:00:00Z')
const rec = (raw: RawRow) => normaliseRow({lastSeen: '2026-11-20T10:00:00Z', managedBy: 'configmgr', collections: 'Mixed', ...raw}, 2)

describe('policies and deployment plans (CM1, CM3, CM4, CM5, CM7)', () => {
  let backend: Backend
  let cleanup: () => Promise<void>
  let base: Omit<PolicyCreateRequest, 'name'>
  let key: string
  let workspaceId: string
  let orgId: string
  beforeAll(async () => {
    ;({backend, cleanup} = await tempBackend({withTenant: true, now: () => now}))
    const tenant = (await backend.tenant.get())!
    ;({orgId, workspaceId} = tenant)
    key = (await backend.tenant.secrets()).workspaceKey
    base = {description: '', type: 'onboarding', configFile: null, workspaceId: null, workspaceKey: null, sampleSharing: 'none', configMgrVersion: 2103}
    await backend.devices.import({
      records: [
        rec({name: 'w10', os: 'Windows 10 Enterprise', version: '1803'}),
        rec({name: 'w81', os: 'Windows 8.1 Pro'}),
        rec({name: 's2016', os: 'Windows Server 2016 Datacenter'}),
        rec({name: 's1709', os: 'Windows Server 2016 Datacenter', version: '1709'}),
        rec({name: 's1803', os: 'Windows Server 2016 Datacenter', version: '1803'}),
        rec({name: 's2019', os: 'Windows Server 2019 Standard', sensorService: 'stopped'}),
        rec({name: 'w1511', os: 'Windows 10 Enterprise', version: '1511'}),
        rec({name: 'mac', os: 'macOS 14.4', managedBy: 'intune'}),
        rec({name: 'old-pc', os: 'Windows 10 Enterprise', version: '1909', collections: 'Retire'}),
      ],
    })
  })
  afterAll(async () => cleanup())
  const file = (expiresAt: string | null = null) => ({name: 'cfg.zip', sha256: 'a'.repeat(64), orgId, expiresAt})

  it('creates the three shapes: file only, key/ID only, any OS', async () => {
    expect((await backend.policies.create({...base, name: 'file', configFile: file()})).policy.shape).toBe('up-level')
    expect((await backend.policies.create({...base, name: 'keyid', workspaceId, workspaceKey: key})).policy.shape).toBe('down-level')
    const {policy: any} = await backend.policies.create({...base, name: 'any', configFile: file(), workspaceId, workspaceKey: key})
    expect(any).toMatchObject({shape: 'any-os', workspaceKey: true, workspaceId})
    expect(JSON.stringify(any)).not.toContain(key)
  })

  it('CM4: ConfigMgr 2002 refuses a policy without both parts (exit 4); 2103 does not', async () => {
    await expect(backend.policies.create({...base, name: 'cm4', configFile: file(), configMgrVersion: 2002})).rejects.toMatchObject({code: 'REFUSED_CM4', exitCode: 4})
    await expect(backend.policies.create({...base, name: 'cm4', workspaceId, workspaceKey: key, configMgrVersion: 2002})).rejects.toMatchObject({exitCode: 4})
    expect((await backend.policies.create({...base, name: 'cm4', configFile: file(), workspaceId, workspaceKey: key, configMgrVersion: 2002})).policy.shape).toBe('any-os')
  })

  it('refuses another tenant\'s key, ID or file (exit 7), a duplicate name (exit 4), half a key/ID pair (exit 2)', async () => {
    await expect(backend.policies.create({...base, name: 'x', workspaceId, workspaceKey: 'wrong'})).rejects.toMatchObject({code: 'WORKSPACE_MISMATCH', exitCode: 7})
    await expect(backend.policies.create({...base, name: 'x', workspaceId: '00000000-0000-0000-0000-000000000000', workspaceKey: key})).rejects.toMatchObject({exitCode: 7})
    await expect(backend.policies.create({...base, name: 'x', configFile: {...file(), orgId: '11111111-1111-1111-1111-111111111111'}})).rejects.toMatchObject({exitCode: 7})
    // Issue 11 item 4: the same create again is a no-op; other content under the name is a conflict.
    expect(await backend.policies.create({...base, name: 'FILE', configFile: file()})).toMatchObject({changed: false, policy: {name: 'file'}})
    await expect(backend.policies.create({...base, name: 'FILE', configFile: file(), sampleSharing: 'all'})).rejects.toMatchObject({exitCode: 4, code: 'CONFLICT'})
    await expect(backend.policies.create({...base, name: 'x', workspaceId, workspaceKey: null})).rejects.toMatchObject({exitCode: 2})
  })

  it('plans every outcome: file-only misses down-level, key/ID-only misses up-level (CM3), unsupported OS (CM1), non-clients', async () => {
    const {plan: file} = await backend.policies.deploy({name: 'file', collections: ['Mixed'], dryRun: true, force: false})
    const reasons = (p: typeof file) => Object.fromEntries(p.missed.map((m) => [m.name, m.reason]))
    expect(reasons(file)).toEqual({
      w81: 'down-level-without-workspace',
      s2016: 'down-level-without-workspace',
      s1709: 'down-level-without-workspace',
      w1511: 'unsupported-os',
      mac: 'not-configmgr-client',
    })
    expect(file.summary).toMatchObject({targeted: 8, reached: 3, missed: 5})
    expect(file).toMatchObject({refused: true, applied: false, dryRun: true})
    const {plan: keyid} = await backend.policies.deploy({name: 'keyid', collections: ['Mixed'], dryRun: true, force: false})
    expect(reasons(keyid)).toEqual({w10: 'up-level-without-file', s1803: 'up-level-without-file', s2019: 'up-level-without-file', w1511: 'unsupported-os', mac: 'not-configmgr-client'})
    const {plan: any} = await backend.policies.deploy({name: 'any', collections: ['Mixed'], dryRun: true, force: false})
    expect(reasons(any)).toEqual({w1511: 'unsupported-os', mac: 'not-configmgr-client'})
    expect(any.summary.byReason).toEqual({'unsupported-os': 1, 'not-configmgr-client': 1})
  })

  it('ConfigMgr 1910 cannot onboard Windows 8.1 or any Windows Server (CM1)', async () => {
    await backend.policies.create({...base, name: 'old', configFile: file(), workspaceId, workspaceKey: key, configMgrVersion: 1910})
    const {plan} = await backend.policies.deploy({name: 'old', collections: ['Mixed'], dryRun: true, force: false})
    expect(plan.missed.filter((m) => m.reason === 'unsupported-os').map((m) => m.name)).toEqual(['s1709', 's1803', 's2016', 's2019', 'w1511', 'w81'])
  })

  it('refuses a deployment that would miss devices and records nothing; --force deploys; the agents then report (CM6)', async () => {
    const refused = await backend.policies.deploy({name: 'keyid', collections: ['Mixed'], dryRun: false, force: false})
    expect(refused).toMatchObject({plan: {refused: true, applied: false}, operation: null})
    expect((await backend.policies.get('keyid')).deployments).toEqual([])
    expect((await backend.devices.get('w81')).onboarding.reasonCode).toBe('cm-not-targeted')

    const forced = await backend.policies.deploy({name: 'keyid', collections: ['Mixed'], dryRun: false, force: true})
    expect(forced.plan).toMatchObject({applied: true, refused: false, forced: true})
    // Issue 11 item 5: the applied deployment is an operation, finished at once, its result the applied plan.
    expect(forced.operation).toMatchObject({kind: 'policy.deploy', status: 'succeeded', target: 'keyid -> Mixed', result: forced.plan})
    expect(await backend.operations.get(forced.operation!.id)).toEqual(forced.operation)
    expect((await backend.policies.get('keyid')).deployments).toMatchObject([{collection: 'Mixed', forced: true}])
    expect(await backend.devices.get('w81')).toMatchObject({onboarded: true, health: 'healthy', onboarding: {path: 'configmgr', policy: 'keyid'}})
    expect((await backend.devices.get('w10')).onboarding.reasonCode).toBe('cm-up-level-without-file')

    // A second, file-carrying policy covers the up-level devices too.
    await backend.policies.deploy({name: 'file', collections: ['Mixed'], dryRun: false, force: true})
    expect(await backend.devices.get('w10')).toMatchObject({onboarded: true, onboarding: {policy: 'file'}})
    expect(await backend.devices.get('s2019')).toMatchObject({onboarded: true, health: 'agent-state'})
  })

  it('an offboarding policy: conflict with onboarding on the same device, expired file (CM7), offboards', async () => {
    await backend.policies.create({...base, name: 'off', type: 'offboarding', configFile: file('2026-12-01T00:00:00Z')})
    const {plan: conflict} = await backend.policies.deploy({name: 'off', collections: ['Mixed'], dryRun: true, force: false})
    expect(conflict.summary.byReason['onboarding-and-offboarding']).toBe(7) // every client of Mixed; mac is not a ConfigMgr client
    const {plan: retire} = await backend.policies.deploy({name: 'off', collections: ['Retire'], dryRun: false, force: false})
    expect(retire).toMatchObject({applied: true, summary: {targeted: 1, reached: 1, missed: 0}})
    expect(await backend.devices.get('old-pc')).toMatchObject({onboarded: false, onboarding: {reasonCode: 'cm-offboarded'}})

    now = new Date('2026-12-02T00:00:00Z')
    const {plan: expired} = await backend.policies.deploy({name: 'off', collections: ['Retire'], dryRun: true, force: false})
    expect(expired.missed).toMatchObject([{name: 'old-pc', reason: 'expired-offboarding-file'}])
    await expect(backend.policies.deploy({name: 'off', collections: ['Retire'], dryRun: false, force: true})).rejects.toMatchObject({code: 'PACKAGE_EXPIRED', exitCode: 7})
    await expect(backend.policies.create({...base, name: 'off2', type: 'offboarding', configFile: file('2026-12-01T00:00:00Z')})).rejects.toMatchObject({exitCode: 7})
    now = new Date('2026-11-20T12:00:00Z')
  })

  it('unknown policy or collection is exit 3; delete removes the deployments', async () => {
    await expect(backend.policies.deploy({name: 'nope', collections: ['Mixed'], dryRun: true, force: false})).rejects.toMatchObject({exitCode: 3})
    await expect(backend.policies.deploy({name: 'any', collections: ['Nope'], dryRun: true, force: false})).rejects.toMatchObject({exitCode: 3})
    await expect(backend.policies.delete('keyid')).rejects.toMatchObject({exitCode: 4, code: 'REFUSED_IN_USE'})
    await backend.policies.delete('keyid', {force: true})
    expect((await backend.devices.get('w81')).onboarding.reasonCode).toBe('cm-down-level-without-workspace')
    await expect(backend.policies.get('keyid')).rejects.toMatchObject({exitCode: 3})
  })
})
