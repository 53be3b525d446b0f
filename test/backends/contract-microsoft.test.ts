/**
 * The contract on the microsoft backend against the stub (issue 12): every port operation is
 * covered — supported ones are called and answer with the embedded backend's shapes, the rest
 * are refused with UNSUPPORTED (exit 4) naming a portal or console path (SPEC §1).
 */
import {normaliseRow} from '../../src/core/device/inventory.js'
import {OPERATIONS} from '../../src/backends/remote/operations.js'
import {MICROSOFT_CAPABILITIES} from '../../src/backends/microsoft/index.js'
import {tempBackend} from '../helpers/backend.js'
import {makeConnector, makeManagedDevice} from '../stub/microsoft/index.js'
import {expectAtpError} from './contract/expect.js'
import {type MicrosoftTarget, openMicrosoftTarget, REFUSED_WITHIN_SUPPORTED, unsupportedOnMicrosoft} from './contract/microsoft.js'
import {INTUNE_RESOURCE_ROLES} from '../stub/microsoft/index.js'
import {STUB_SUBSCRIPTION_ID} from '../stub/microsoft/index.js'

/** The supported operations this file calls, each in a case below. */
const CALLED = new Set([
  'tenant.get',
  'devices.list',
  'devices.get',
  'monitor.report',
  'alerts.list',
  'alerts.get',
  'alerts.resolve',
  'alerts.find',
  'alerts.risks',
  'detection.target',
  'detection.submitActivity',
  'devices.offboard',
  'operations.list',
  'operations.get',
  // issue 13 (G3): Defender for Cloud through ARM
  'integrations.enableDefenderForCloud',
  'integrations.disableDefenderForCloud',
  // Intune resources through Graph (G2).
  'intune.createGroup',
  'intune.updateGroup',
  'intune.deleteGroup',
  'intune.addGroupMembers',
  'intune.removeGroupMembers',
  'intune.listGroups',
  'intune.showGroup',
  'intune.userGroups',
  'intune.createEdrProfile',
  'intune.updateEdrProfile',
  'intune.deleteEdrProfile',
  'intune.listEdrProfiles',
  'intune.showEdrProfile',
  'intune.deviceConflicts',
  'intune.createIosAppConfig',
  'intune.listAppConfigs',
  'intune.showAppConfig',
  'intune.updateAppConfig',
  'intune.deleteAppConfig',
  // Issue 13 (G1): Microsoft Graph, in the describe block at the end.
  'integrations.state',
  'integrations.setIntune',
  'compliance.create',
  'compliance.list',
  'compliance.get',
  'compliance.update',
  'compliance.delete',
  'compliance.evaluate',
  'access.createPolicy',
  'access.listPolicies',
  'access.getPolicy',
  'access.updatePolicy',
  'access.setPolicyEnabled',
  'access.deletePolicy',
])

describe('backend contract on microsoft (the stub)', () => {
  let t: MicrosoftTarget
  beforeAll(async () => {
    t = await openMicrosoftTarget()
  })
  afterAll(async () => {
    await t.cleanup()
  })

  it('covers every port operation: called here, refused within a supported capability, or unsupported', () => {
    const uncovered = OPERATIONS.map((o) => o.id).filter((id) => !CALLED.has(id) && !(id in REFUSED_WITHIN_SUPPORTED) && !unsupportedOnMicrosoft(id))
    expect(uncovered).toEqual([])
  })

  it('refuses each operation of an unsupported capability with exit 4 and where to do it instead', async () => {
    const refused = OPERATIONS.filter((o) => unsupportedOnMicrosoft(o.id))
    expect(refused.length).toBeGreaterThan(20)
    for (const op of refused) {
      const [resource, method] = op.id.split('.')
      const api = (t.backend as unknown as Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>>)[resource]
      let error: {code?: string; exitCode?: number; suggestions?: string[]} | undefined
      try {
        await api[method]({})
      } catch (caught) {
        error = caught as typeof error
      }

      expect({op: op.id, code: error?.code, exitCode: error?.exitCode}).toEqual({op: op.id, code: 'UNSUPPORTED', exitCode: 4})
      expect(error!.suggestions!.join(' ')).toMatch(/portal|admin center|console|atpctl init --backend microsoft|App registrations/)
    }
  })

  it('refuses what a real tenant has no API for inside supported capabilities', async () => {
    const record = normaliseRow({name: 'x', os: 'Windows 11'}, 2)
    for (const [id, cue] of Object.entries(REFUSED_WITHIN_SUPPORTED)) {
      const call = {
        'devices.import': () => t.backend.devices.import({records: [record]}),
        'devices.reportFromSensor': () => t.backend.devices.reportFromSensor({name: 'x', os: 'Linux', provider: 'p'}),
        'devices.delete': () => t.backend.devices.delete({names: ['ws-001']}),
        'detection.submitFile': () => t.backend.detection.submitFile({device: 'ws-001', fileName: 'f', path: '/f', contentBase64: ''}),
      }[id]!
      await expectAtpError(call(), {code: 'UNSUPPORTED', exitCode: 4})
      await call().catch((error: {suggestions: string[]}) => expect(error.suggestions.join(' ')).toMatch(cue))
    }
  })

  it('tenant.get: atpctl keeps no tenant record of a real tenant', async () => {
    expect(await t.backend.tenant.get()).toBeNull()
    expect(MICROSOFT_CAPABILITIES.tenant.supported).toBe(false)
  })

  it('devices.list and devices.get answer with every field of the embedded backend\'s Device', async () => {
    const local = await tempBackend({withTenant: true})
    try {
      await local.backend.devices.import({records: [normaliseRow({name: 'srv-01', os: 'Windows Server 2019', managedBy: 'configmgr'}, 2)]})
      const localKeys = Object.keys(await local.backend.devices.get('srv-01')).sort()
      const listed = (await t.backend.devices.list({limit: 3})).items
      expect(listed).toHaveLength(3)
      const device = await t.backend.devices.get(listed[0].name)
      for (const d of [...listed, device]) expect(Object.keys(d).filter((k) => k !== 'machine').sort()).toEqual(localKeys)
      expect(JSON.parse(JSON.stringify(device))).toEqual(device)
      await expectAtpError(t.backend.devices.get('nope'), {code: 'NOT_FOUND', exitCode: 3})
      expect(((await t.backend.devices.list({onboarded: false})).items).map((d) => d.onboarded)).toEqual([false])
      // --name PREFIX goes to the API as startswith(computerDnsName, …), and is applied again here.
      const before = t.stub.requests.length
      expect(((await t.backend.devices.list({namePrefix: 'SRV-'})).items).map((d) => d.name)).toEqual(['srv-001.contoso.local', 'srv-002.contoso.local'])
      expect(t.stub.requests.slice(before).find((r) => r.path === '/api/machines')?.query.$filter).toBe("startswith(computerDnsName,'srv-')")
      expect(((await t.backend.devices.list({namePrefix: "o'"})).items)).toEqual([])
    } finally {
      await local.cleanup()
    }
  })

  it('devices.offboard answers the embedded backend\'s Operation shape; operations.get and list follow it (DC9)', async () => {
    const windows = t.stub.state.machines.find((m) => m.computerDnsName === 'srv-001.contoso.local')!
    const operation = await t.backend.devices.offboard({device: windows.computerDnsName, comment: 'contract'})
    expect(Object.keys(operation).sort()).toEqual(['finishedAt', 'id', 'kind', 'result', 'startedAt', 'status', 'target'])
    expect(operation).toMatchObject({kind: 'device.offboard', target: windows.computerDnsName})
    let followed = await t.backend.operations.get(operation.id)
    for (let i = 0; i < 100 && followed.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 20))
      followed = await t.backend.operations.get(operation.id)
    }

    expect(followed).toMatchObject({id: operation.id, status: 'succeeded', result: {device: windows.computerDnsName, comment: 'contract'}})
    const page = await t.backend.operations.list({kind: 'device.offboard', limit: 10})
    expect(page.items.map((o) => o.id)).toContain(operation.id)
    expect(JSON.parse(JSON.stringify(page))).toEqual(page)
    await expectAtpError(t.backend.operations.get('00000000-0000-0000-0000-000000000000'), {exitCode: 3})
  })

  it('monitor.report answers the embedded backend\'s report shape', async () => {
    const local = await tempBackend({withTenant: true})
    try {
      const localReport = await local.backend.monitor.report({periodMs: 86_400_000})
      const report = await t.backend.monitor.report({periodMs: 86_400_000})
      expect(Object.keys(report).sort()).toEqual(Object.keys(localReport).sort())
      expect(Object.keys(report.health).sort()).toEqual(Object.keys(localReport.health).sort())
      await expectAtpError(t.backend.monitor.report({collection: 'Nope', periodMs: 1000}), {code: 'NOT_FOUND', exitCode: 3})
    } finally {
      await local.cleanup()
    }
  })

  it('alerts: list, get, find, resolve, risks with the embedded backend\'s errors', async () => {
    const [alert] = (await t.backend.alerts.list({limit: 5})).items
    expect(alert).toBeDefined()
    expect((await t.backend.alerts.get(alert.id)).id).toBe(alert.id)
    await expectAtpError(t.backend.alerts.get('da000000000000000000_1'), {code: 'NOT_FOUND', exitCode: 3})
    expect(await t.backend.alerts.find({machineId: alert.machineId, title: alert.title, since: '2000-01-01T00:00:00Z'})).toMatchObject({id: alert.id})
    expect(await t.backend.alerts.find({machineId: alert.machineId, title: 'no such title', since: '2000-01-01T00:00:00Z'})).toBeNull()
    const before = t.stub.requests.length
    const resolved = await t.backend.alerts.resolve(alert.id, {comment: 'contract', classification: 'InformationalExpectedActivity', determination: 'SecurityTesting'})
    expect(resolved).toMatchObject({status: 'Resolved', classification: 'InformationalExpectedActivity', determination: 'SecurityTesting'})
    expect(t.stub.requests.slice(before).filter((r) => r.method === 'PATCH').map((r) => r.path)).toEqual([`/api/alerts/${alert.id}`])
    expect(t.stub.state.alerts.find((a) => a.id === alert.id)).toMatchObject({classification: 'InformationalExpectedActivity', determination: 'SecurityTesting'})
    await expectAtpError(t.backend.alerts.resolve(alert.id, {determination: 'Nope' as never}), {code: 'USAGE', exitCode: 2})
    // Resolving again is a no-op, as on the embedded backend.
    expect((await t.backend.alerts.resolve(alert.id)).status).toBe('Resolved')
    expect(await t.backend.alerts.risks([alert.machineId])).toEqual({[alert.machineId]: 'None'})
  })

  it('detection.target and submitActivity (only on the Windows device itself)', async () => {
    const target = await t.backend.detection.target({})
    expect(target).toMatchObject({computerDnsName: 'ws-001.contoso.local', onboarded: true, health: 'healthy', dataPaths: []})
    expect(target.liveSensor?.anyFolder).toBe(true)
    await expectAtpError(t.backend.detection.target({device: 'nope'}), {code: 'NOT_FOUND', exitCode: 3})
    await expectAtpError(t.backend.detection.submitActivity({device: 'ws-001', os: 'linux', activity: {type: 'app-launch', bundlePath: '/x', bundleId: null}}), {exitCode: 2})
  })

  // issue 13 (G3): the embedded backend's shapes and errors (foundation.cases.ts), on ARM.
  it('integrations: enable and disable Defender for Cloud (DC1–DC3) with the embedded backend\'s shapes and errors', async () => {
    const sub = STUB_SUBSCRIPTION_ID
    const dfc = await t.backend.integrations.enableDefenderForCloud({subscriptionId: sub, cloud: 'commercial', linux: true, windowsOnly: false})
    expect(dfc).toEqual({changed: true, state: {subscriptionId: sub, cloud: 'commercial', windows: true, linux: true, changedAt: null}})
    await expectAtpError(t.backend.integrations.disableDefenderForCloud({subscriptionId: sub, linuxOnly: true}), {code: 'REFUSED_DC3', exitCode: 4})
    await expectAtpError(t.backend.integrations.disableDefenderForCloud({subscriptionId: '00000000-0000-4000-8000-0000000000ff', linuxOnly: false}), {exitCode: 3})
    expect(await t.backend.integrations.disableDefenderForCloud({subscriptionId: sub, linuxOnly: false})).toMatchObject({changed: true, state: {windows: false, linux: false}})
  })

  it('intune groups answer with the embedded backend\'s shapes and lifecycle errors (G2)', async () => {
    const local = await tempBackend({withTenant: true})
    try {
      const localCreated = await local.backend.intune.createGroup({name: 'Contract'})
      const created = await t.backend.intune.createGroup({name: 'Contract'})
      expect(Object.keys(created).sort()).toEqual(Object.keys(localCreated).sort())
      expect(Object.keys(created.group).sort()).toEqual(Object.keys(localCreated.group).sort())
      await expectAtpError(t.backend.intune.createGroup({name: 'Contract', description: 'other'}), {code: 'CONFLICT', exitCode: 4})
      expect((await t.backend.intune.updateGroup('Contract', {description: 'd'})).changed).toBe(true)
      const added = await t.backend.intune.addGroupMembers({group: 'Contract', devices: ['ws-001'], users: ['alice@contoso.com']})
      expect(added.added).toBe(2)
      const detail = await t.backend.intune.showGroup('Contract')
      expect(Object.keys(detail).sort()).toEqual(Object.keys(await local.backend.intune.showGroup('Contract')).sort())
      expect(((await t.backend.intune.listGroups()).items).map((g) => g.name)).toContain('Contract')
      expect(await t.backend.intune.userGroups('alice@contoso.com')).toEqual({known: true, groups: ['Contract']})
      expect((await t.backend.intune.removeGroupMembers({group: 'Contract', devices: ['ws-001'], users: []})).removed).toBe(1)
      await expectAtpError(t.backend.intune.showGroup('Nope'), {code: 'NOT_FOUND', exitCode: 3})
      const deleted = await t.backend.intune.deleteGroup('Contract')
      expect(Object.keys(deleted).sort()).toEqual(Object.keys(await local.backend.intune.deleteGroup('Contract')).sort())
    } finally {
      await local.cleanup()
    }
  })

  it('intune EDR profiles and the iOS app configuration: create, list, show, update, delete (G2)', async () => {
    await t.backend.intune.createGroup({name: 'Contract fleet'})
    await t.backend.intune.addGroupMembers({group: 'Contract fleet', devices: ['ws-001'], users: []})
    const request = {name: 'Contract EDR', sampleSharing: 'all' as const, expediteTelemetry: true, deviceGroups: ['Contract fleet'], userGroups: []}
    const {profile} = await t.backend.intune.createEdrProfile(request)
    expect((await t.backend.intune.createEdrProfile(request)).changed).toBe(false)
    expect(((await t.backend.intune.listEdrProfiles()).items).find((p) => p.id === profile.id)).toMatchObject({reached: 1, onboarded: 1, conflicts: 1})
    const shown = await t.backend.intune.showEdrProfile(profile.id)
    expect(Object.keys(shown).sort()).toEqual(['conflicts', 'devices', 'profile', 'waitingUsers'])
    expect(await t.backend.intune.deviceConflicts('ws-001')).toHaveLength(1)
    expect((await t.backend.intune.updateEdrProfile(profile.id, {sampleSharing: 'none'})).changed).toBe(true)
    await expectAtpError(t.backend.intune.deleteEdrProfile(profile.id), {code: 'REFUSED_IN_USE', exitCode: 4})
    expect((await t.backend.intune.deleteEdrProfile(profile.id, {force: true})).changed).toBe(true)

    const {config} = await t.backend.intune.createIosAppConfig({name: 'Contract iOS', assignGroup: null})
    expect(((await t.backend.intune.listAppConfigs()).items).map((c) => c.id)).toContain(config.id)
    expect((await t.backend.intune.showAppConfig('Contract iOS')).assignment).toBe('all devices')
    expect((await t.backend.intune.updateAppConfig(config.id, {assignGroup: 'Contract fleet'})).config.assignGroup).toBe('Contract fleet')
    expect((await t.backend.intune.deleteAppConfig(config.id, {force: true})).affects).toEqual(["it targets group 'Contract fleet'"])
    await t.backend.intune.deleteGroup('Contract fleet', {force: true})
  })
})

/** Issue 13 (G1): the Intune connection, compliance and conditional access through Microsoft Graph. */
describe('backend contract on microsoft (the stub): Microsoft Graph', () => {
  let t: MicrosoftTarget
  beforeAll(async () => {
    t = await openMicrosoftTarget()
    t.stub.setRoles('graph', [
      'DeviceManagementServiceConfig.ReadWrite.All',
      'DeviceManagementConfiguration.ReadWrite.All',
      'DeviceManagementManagedDevices.Read.All',
      'Group.Read.All',
      'Policy.Read.All',
      'Policy.ReadWrite.ConditionalAccess',
    ])
    const ws1 = t.stub.state.machines[0]
    ws1.aadDeviceId = '0b7c5a3e-1d2f-4e6a-8b9c-0d1e2f3a4b5c'
    t.stub.graphIntune.connector = makeConnector({windowsEnabled: true})
    t.stub.graphIntune.users.push({id: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a', userPrincipalName: 'alice@contoso.com'})
    t.stub.graphIntune.groups.push({id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', displayName: 'Finance', devices: [], users: ['alice@contoso.com']})
    t.stub.graphIntune.managedDevices.push(makeManagedDevice({deviceName: 'ws-001', azureADDeviceId: ws1.aadDeviceId, userPrincipalName: 'alice@contoso.com'}))
  })
  afterAll(async () => {
    await t.cleanup()
  })

  it('integrations.state and setIntune answer the embedded backend\'s shapes (IN1, IN2)', async () => {
    const local = await tempBackend({withTenant: true})
    try {
      const localState = await local.backend.integrations.state()
      const state = await t.backend.integrations.state()
      expect(Object.keys(state).sort()).toEqual(Object.keys(localState).sort())
      expect(Object.keys(state.intune).sort()).toEqual(Object.keys(localState.intune).sort())
      const localSet = await local.backend.integrations.setIntune(true, {android: true})
      const set = await t.backend.integrations.setIntune(true, {android: true})
      expect(Object.keys(set).sort()).toEqual(Object.keys(localSet).sort())
      expect(set).toMatchObject({changed: true, state: {platforms: {android: {enabled: true}, windows: {enabled: true}}}})
      expect(JSON.parse(JSON.stringify(set))).toEqual(set)
    } finally {
      await local.cleanup()
    }
  })

  it('compliance: create, list, get, update, evaluate, delete with the embedded backend\'s shapes and errors (IN7)', async () => {
    const local = await tempBackend({withTenant: true})
    try {
      await local.backend.devices.import({records: [normaliseRow({name: 'ws-001', os: 'Windows 11', managedBy: 'intune'}, 2)]})
      const localCreated = await local.backend.compliance.create({name: 'Windows low', platform: 'windows', maxRisk: 'low'})
      const created = await t.backend.compliance.create({name: 'Windows low', platform: 'windows', maxRisk: 'low'})
      expect(Object.keys(created.policy).sort()).toEqual(Object.keys(localCreated.policy).sort())
      expect((await t.backend.compliance.create({name: 'Windows low', platform: 'windows', maxRisk: 'low'})).changed).toBe(false)
      await expectAtpError(t.backend.compliance.create({name: 'Windows low', platform: 'windows', maxRisk: 'high'}), {code: 'CONFLICT', exitCode: 4})
      expect(((await t.backend.compliance.list()).items).map((p) => p.name)).toEqual(['Windows low'])
      expect((await t.backend.compliance.get('Windows low')).id).toBe(created.policy.id)
      await expectAtpError(t.backend.compliance.get('nope'), {code: 'NOT_FOUND', exitCode: 3})
      const updated = await t.backend.compliance.update('Windows low', {description: 'seed 003'})
      expect(Object.keys(updated).sort()).toEqual(['changed', 'policy'])
      expect(updated.policy.description).toBe('seed 003')
      const [localVerdict] = await local.backend.compliance.evaluate({device: 'ws-001'})
      const [verdict] = await t.backend.compliance.evaluate({device: 'ws-001'})
      expect(Object.keys(verdict).sort()).toEqual(Object.keys(localVerdict).sort())
      expect(verdict).toMatchObject({status: 'compliant', policy: 'Windows low'})
      await expectAtpError(t.backend.compliance.delete('Windows low'), {code: 'REFUSED_IN_USE', exitCode: 4})
      const deleted = await t.backend.compliance.delete('Windows low', {force: true})
      const localDeleted = await local.backend.compliance.delete('Windows low', {force: true})
      expect(Object.keys(deleted).sort()).toEqual(Object.keys(localDeleted).sort())
    } finally {
      await local.cleanup()
    }
  })

  it('access: createPolicy, list, get, update, enable, delete and the user\'s groups with the embedded backend\'s shapes (IN8)', async () => {
    const local = await tempBackend({withTenant: true})
    try {
      const request = {name: 'Require compliant', includeGroups: ['all'], excludeGroups: [], apps: ['sharepoint'], clients: ['browser' as const], grant: 'compliant-device' as const, enabled: false}
      const localCreated = await local.backend.access.createPolicy(request)
      const created = await t.backend.access.createPolicy(request)
      expect(Object.keys(created.policy).sort()).toEqual(Object.keys(localCreated.policy).sort())
      expect((await t.backend.access.createPolicy(request)).changed).toBe(false)
      expect(((await t.backend.access.listPolicies()).items).map((p) => p.name)).toEqual(['Require compliant'])
      expect((await t.backend.access.getPolicy(created.policy.id)).name).toBe('Require compliant')
      await expectAtpError(t.backend.access.getPolicy('nope'), {code: 'NOT_FOUND', exitCode: 3})
      expect((await t.backend.access.updatePolicy('Require compliant', {includeGroups: ['Finance']})).policy.includeGroups).toEqual(['Finance'])
      expect((await t.backend.access.setPolicyEnabled('Require compliant', true)).policy.enabled).toBe(true)
      await expectAtpError(t.backend.access.deletePolicy('Require compliant'), {code: 'REFUSED_IN_USE', exitCode: 4})
      const deleted = await t.backend.access.deletePolicy('Require compliant', {force: true})
      const localDeleted = await local.backend.access.deletePolicy('Require compliant', {force: true})
      expect(Object.keys(deleted).sort()).toEqual(Object.keys(localDeleted).sort())
      expect(await t.backend.intune.userGroups('alice@contoso.com')).toEqual({known: true, groups: ['Finance']})
      expect(Object.keys(await t.backend.intune.userGroups('nobody@contoso.com')).sort()).toEqual(Object.keys(await local.backend.intune.userGroups('nobody')).sort())
    } finally {
      await local.cleanup()
    }
  })
})

/** Issue 14: tenant as code on a real tenant (the stub with both Graph models' permissions). */
describe('backend contract on microsoft (the stub): tenant as code', () => {
  let t: MicrosoftTarget
  beforeAll(async () => {
    t = await openMicrosoftTarget()
    // The Intune resources' model answers first (the stub's rule: no connector or compliance arranged).
    t.stub.setRoles('graph', [...INTUNE_RESOURCE_ROLES, 'DeviceManagementServiceConfig.ReadWrite.All', 'DeviceManagementConfiguration.ReadWrite.All', 'DeviceManagementManagedDevices.Read.All', 'Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess'])
  })
  afterAll(async () => {
    await t.cleanup()
  })

  it('tenant as code: export then plan shows no changes; the kinds a real tenant cannot hold are left out and named (issue 14)', async () => {
    const {readTenantState, exportTenant} = await import('../../src/core/tenant-file/export.js')
    const {formatTenantFile} = await import('../../src/core/tenant-file/format.js')
    const {parseTenantFile} = await import('../../src/core/tenant-file/parse.js')
    const {computePlan} = await import('../../src/core/tenant-file/plan.js')
    // Arranged through the port, as an admin would have set the tenant up.
    await t.backend.intune.createGroup({name: 'TaC Finance', description: 'as code'})
    await t.backend.intune.addGroupMembers({group: 'TaC Finance', devices: [], users: ['alice@contoso.com']})
    await t.backend.intune.createEdrProfile({name: 'TaC EDR', sampleSharing: 'all', expediteTelemetry: true, deviceGroups: ['TaC Finance'], userGroups: []})
    await t.backend.intune.createIosAppConfig({name: 'TaC iOS', assignGroup: 'TaC Finance'})
    const state = await readTenantState(t.backend)
    expect(state.omitted.map((o) => o.kind).sort()).toEqual(['collection', 'policy', 'tenant', 'third-party'])
    expect(state.omitted.every((o) => /portal|admin center|console|atpctl init --backend microsoft/.test(o.reason))).toBe(true)
    expect(state.document.groups).toEqual(expect.arrayContaining([{name: 'TaC Finance', description: 'as code', users: ['alice@contoso.com']}]))
    expect(state.document.edrProfiles).toEqual(expect.arrayContaining([expect.objectContaining({name: 'TaC EDR', sampleSharing: 'all', expediteTelemetry: true})]))
    expect(state.document.appConfigurations).toEqual(expect.arrayContaining([{name: 'TaC iOS', kind: 'ios-supervised', assignGroup: 'TaC Finance'}]))
    expect(state.document.integrations?.intune).toBeDefined()
    const parsed = parseTenantFile(formatTenantFile(state.document), 'atpctl.yaml')
    const plan = await computePlan(t.backend, parsed.document, {prune: true, file: 'atpctl.yaml', profile: 'contract', now: () => new Date(), positionOf: parsed.positionOf})
    expect(plan.backend).toBe('microsoft')
    expect(plan.resources.filter((r) => r.action !== 'unchanged')).toEqual([])
    expect(plan.predictions).toEqual([])
    // Asking for a kind a real tenant cannot hold is a blocking prediction, not a failure.
    const withPolicy = await computePlan(t.backend, {...(await exportTenant(t.backend)), policies: [{name: 'P', type: 'onboarding', configFile: {file: 'x.zip'}}]}, {prune: false, file: 'f', profile: 'contract', now: () => new Date()})
    expect(withPolicy.predictions).toEqual([expect.objectContaining({kind: 'policy', name: 'P', code: 'UNSUPPORTED', blocking: true})])
  })
})
