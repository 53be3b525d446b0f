/**
 * The Intune resources on a real tenant (issue 13, G2): groups, EDR profiles and the iOS
 * supervised-mode app configuration through Microsoft Graph, against the stub. The rules are
 * core's (lifecycle, IN4, IN5, IN6); these tests check the Graph calls and their facts.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {type MicrosoftBackend, openMicrosoftBackend} from '../../../src/backends/microsoft/index.js'
import {checkMicrosoftSettings} from '../../../src/backends/microsoft/settings.js'
import {expectAtpError} from '../contract/expect.js'
import {INTUNE_RESOURCE_ROLES, type MicrosoftStub, sampleIntuneResources, startMicrosoftStub, STUB_CLIENT_SECRET} from '../../stub/microsoft/index.js'

let stub: MicrosoftStub
let backend: MicrosoftBackend
let dir: string

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atpctl-graph-intune-'))
  const secretFile = join(dir, 'secret')
  writeFileSync(secretFile, STUB_CLIENT_SECRET, {mode: 0o600})
  stub = await startMicrosoftStub({graph: sampleIntuneResources(), roles: {graph: INTUNE_RESOURCE_ROLES}})
  const settings = checkMicrosoftSettings({tenantId: stub.tenantId, clientId: stub.clientId, secretFile, authorityHost: stub.authorityHost, defenderUrl: stub.defenderUrl, graphUrl: stub.graphUrl, armUrl: stub.armUrl, caFile: stub.caFile})
  backend = openMicrosoftBackend({settings, context: {profile: 't', actor: 'test'}, env: {}})
})

afterEach(async () => {
  await backend.close()
  await stub.close()
  rmSync(dir, {recursive: true, force: true})
})

const graphCalls = () => stub.requests.filter((r) => r.api === 'graph')

describe('groups through Microsoft Graph', () => {
  it('creates a security group once, then a no-op; another description is a conflict', async () => {
    const first = await backend.intune.createGroup({name: 'Finance', description: 'Finance laptops'})
    expect(first).toMatchObject({created: true, changed: true, group: {name: 'Finance', description: 'Finance laptops', devices: 0, users: 0}})
    const g = stub.graph.groups.find((x) => x.displayName === 'Finance')!
    expect(g).toMatchObject({securityEnabled: true, mailEnabled: false})
    expect(await backend.intune.createGroup({name: 'Finance'})).toMatchObject({created: false, changed: false})
    await expectAtpError(backend.intune.createGroup({name: 'Finance', description: 'other'}), {code: 'CONFLICT', exitCode: 4})
    await expectAtpError(backend.intune.createGroup({name: 'all'}), {exitCode: 2})
    expect(stub.graph.groups).toHaveLength(1)
  })

  it('adds and removes devices and users by name; counts come from $count with ConsistencyLevel eventual', async () => {
    await backend.intune.createGroup({name: 'Finance'})
    const added = await backend.intune.addGroupMembers({group: 'finance', devices: ['ws-001', 'ws-old'], users: ['alice@contoso.com']})
    expect(added.added).toBe(3)
    expect(added.group.members).toEqual([
      {kind: 'device', member: 'ws-001', source: 'explicit'},
      {kind: 'device', member: 'ws-old', source: 'explicit'},
      {kind: 'user', member: 'alice@contoso.com', source: 'explicit'},
    ])
    // Adding again adds nothing and sends no second $ref.
    expect((await backend.intune.addGroupMembers({group: 'Finance', devices: ['ws-001'], users: []})).added).toBe(0)
    expect(graphCalls().filter((r) => r.method === 'POST' && r.path.endsWith('/members/$ref'))).toHaveLength(3)
    const [listed] = (await backend.intune.listGroups()).items
    expect(listed).toMatchObject({name: 'Finance', devices: 2, users: 1})
    expect(graphCalls().some((r) => r.path === '/v1.0/$batch')).toBe(true)
    expect(await backend.intune.userGroups('alice@contoso.com')).toEqual({known: true, groups: ['Finance']})
    expect(await backend.intune.userGroups('nobody@contoso.com')).toEqual({known: false, groups: []})
    const removed = await backend.intune.removeGroupMembers({group: 'Finance', devices: ['ws-old'], users: ['alice@contoso.com']})
    expect(removed).toMatchObject({removed: 2, group: {devices: 1, users: 0}})
    await expectAtpError(backend.intune.addGroupMembers({group: 'Finance', devices: ['nope'], users: []}), {code: 'NOT_FOUND', exitCode: 3})
    await expectAtpError(backend.intune.addGroupMembers({group: 'Nope', devices: [], users: []}), {code: 'NOT_FOUND', exitCode: 3})
  })

  it('updates the description and deletes a group, refusing while an EDR profile uses it unless forced', async () => {
    await backend.intune.createGroup({name: 'HR'})
    expect((await backend.intune.updateGroup('HR', {description: 'People'})).changed).toBe(true)
    expect((await backend.intune.updateGroup('HR', {description: 'People'})).changed).toBe(false)
    expect((await backend.intune.showGroup('HR')).description).toBe('People')
    await backend.intune.createEdrProfile({name: 'EDR HR', sampleSharing: 'all', expediteTelemetry: true, deviceGroups: ['HR'], userGroups: []})
    await expectAtpError(backend.intune.deleteGroup('HR'), {code: 'REFUSED_IN_USE', exitCode: 4})
    const deleted = await backend.intune.deleteGroup('HR', {force: true})
    expect(deleted).toMatchObject({changed: true, stillInInventory: false, group: {name: 'HR'}})
    expect(deleted.affects.join(' ')).toMatch(/EDR profile 'EDR HR'/)
    expect(stub.graph.groups).toHaveLength(0)
  })

  it('names the Graph permission the app lacks (exit 5)', async () => {
    stub.setRoles('graph', ['Group.Read.All'])
    await expectAtpError(backend.intune.createGroup({name: 'Ops'}), {code: 'FORBIDDEN', exitCode: 5})
    await backend.intune.createGroup({name: 'Ops'}).catch((error: Error) => expect(error.message).toMatch(/Group\.ReadWrite\.All/))
  })

  it('waits out a 429 with Retry-After and then answers', async () => {
    stub.inject({api: 'graph', route: '/v1.0/groups', status: 429, retryAfterSec: 1})
    expect((await backend.intune.listGroups()).items).toEqual([])
    expect(graphCalls().filter((r) => r.status === 429)).toHaveLength(1)
  })
})

describe('EDR profiles through the settings catalog', () => {
  beforeEach(async () => {
    await backend.intune.createGroup({name: 'Windows fleet'})
    await backend.intune.addGroupMembers({group: 'Windows fleet', devices: ['ws-001', 'ws-old', 'ws-byod'], users: []})
    await backend.intune.createGroup({name: 'Mobile users'})
    await backend.intune.addGroupMembers({group: 'Mobile users', devices: [], users: ['alice@contoso.com', 'bob@contoso.com']})
  })

  it('creates the /beta policy from the EDR template with its settings and assignments', async () => {
    const {profile, changed} = await backend.intune.createEdrProfile({name: 'EDR onboarding', sampleSharing: 'all', expediteTelemetry: true, deviceGroups: ['Windows fleet'], userGroups: ['Mobile users']})
    expect(changed).toBe(true)
    expect(profile).toMatchObject({name: 'EDR onboarding', platform: 'windows10', sampleSharing: 'all', expediteTelemetry: true, deviceGroups: ['Windows fleet'], userGroups: ['Mobile users']})
    const [policy] = stub.graph.configurationPolicies
    expect(policy).toMatchObject({platforms: 'windows10', technologies: 'mdm,microsoftSense', templateReference: {templateId: '0385b795-0f2f-44ac-8602-9f65bf6adede_1'}})
    expect(policy.assignments.map((a) => a.target.groupId).sort()).toEqual(stub.graph.groups.map((g) => g.id).sort())
    expect(graphCalls().some((r) => r.path.startsWith('/beta/deviceManagement/configurationPolicies') && r.method === 'POST')).toBe(true)
    // The same again is a no-op; other settings under the name a conflict.
    expect((await backend.intune.createEdrProfile({name: 'EDR onboarding', sampleSharing: 'all', expediteTelemetry: true, deviceGroups: ['Windows fleet'], userGroups: ['Mobile users']})).changed).toBe(false)
    await expectAtpError(backend.intune.createEdrProfile({name: 'EDR onboarding', sampleSharing: 'none', expediteTelemetry: true, deviceGroups: ['Windows fleet'], userGroups: []}), {code: 'CONFLICT', exitCode: 4})
    expect(stub.graph.configurationPolicies).toHaveLength(1)
  })

  it('shows reach and onboarding by the core rules (IN2, IN4) and the conflict Intune reports (IN5)', async () => {
    await backend.intune.createEdrProfile({name: 'EDR onboarding', sampleSharing: 'all', expediteTelemetry: false, deviceGroups: ['Windows fleet'], userGroups: ['Mobile users']})
    const detail = await backend.intune.showEdrProfile('EDR onboarding')
    const byName = Object.fromEntries(detail.devices.map((d) => [d.deviceName, d]))
    expect(byName['ws-001']).toMatchObject({onboarded: true, via: "device group 'Windows fleet'"})
    expect(byName['ws-old']).toMatchObject({onboarded: false, reason: 'Windows 10.0.14393.0 is below the minimum 10.0.15063'})
    expect(byName['ws-byod']).toMatchObject({onboarded: false, reason: 'the device is not managed by Intune'})
    expect(byName['iphone-alice'].reason).toMatch(/EDR profiles are for Windows 10 and later/)
    expect(detail.waitingUsers).toEqual(['bob@contoso.com'])
    expect(detail.conflicts).toEqual([
      expect.objectContaining({deviceName: 'ws-001', setting: 'sample sharing', edrProfile: 'EDR onboarding', edrValue: 'all', otherPolicy: 'Legacy ATP onboarding', otherValue: 'none'}),
    ])
    const [listed] = (await backend.intune.listEdrProfiles()).items
    expect(listed).toMatchObject({name: 'EDR onboarding', reached: 4, onboarded: 1, conflicts: 1})
    expect(await backend.intune.deviceConflicts('ws-001')).toHaveLength(1)
    expect(await backend.intune.deviceConflicts('ws-001.contoso.local')).toHaveLength(1)
    expect(await backend.intune.deviceConflicts('ws-old')).toEqual([])
    expect(await backend.intune.deviceConflicts('srv-not-in-intune')).toEqual([])
    // Turning the Windows toggle off is the connection's fact (IN2): nothing onboards.
    stub.graph.connector!.windowsEnabled = false
    expect(((await backend.intune.listEdrProfiles()).items)[0].onboarded).toBe(0)
  })

  it('updates settings and assignments, and deletes only with consent while assigned', async () => {
    await backend.intune.createEdrProfile({name: 'EDR onboarding', sampleSharing: 'all', expediteTelemetry: false, deviceGroups: ['Windows fleet'], userGroups: []})
    const updated = await backend.intune.updateEdrProfile('EDR onboarding', {sampleSharing: 'none', userGroups: ['Mobile users']})
    expect(updated).toMatchObject({changed: true, profile: {sampleSharing: 'none', deviceGroups: ['Windows fleet'], userGroups: ['Mobile users']}})
    expect((await backend.intune.showEdrProfile('EDR onboarding')).profile).toMatchObject({sampleSharing: 'none', userGroups: ['Mobile users']})
    expect((await backend.intune.updateEdrProfile('EDR onboarding', {sampleSharing: 'none'})).changed).toBe(false)
    await expectAtpError(backend.intune.deleteEdrProfile('EDR onboarding'), {code: 'REFUSED_IN_USE', exitCode: 4})
    const deleted = await backend.intune.deleteEdrProfile('EDR onboarding', {force: true})
    expect(deleted.affects[0]).toMatch(/assigned to device group 'Windows fleet'/)
    expect(stub.graph.configurationPolicies).toHaveLength(0)
    await expectAtpError(backend.intune.showEdrProfile('EDR onboarding'), {code: 'NOT_FOUND', exitCode: 3})
  })

  it('leaves no half-made policy when the assignment fails', async () => {
    stub.inject({api: 'graph', method: 'POST', route: '/assign', status: 500, body: {error: {code: 'InternalServerError', message: 'boom'}}, times: 10})
    await expectAtpError(backend.intune.createEdrProfile({name: 'EDR x', sampleSharing: 'all', expediteTelemetry: false, deviceGroups: ['Windows fleet'], userGroups: []}), {exitCode: 6})
    expect(stub.graph.configurationPolicies).toHaveLength(0)
  })
})

describe('iOS supervised-mode app configuration (IN6)', () => {
  it('creates it with the issupervised key, assigns it (204) to all devices or a group, retargets and deletes it', async () => {
    const {config, created} = await backend.intune.createIosAppConfig({name: 'Defender for iOS: supervised mode', assignGroup: null})
    expect(created).toBe(true)
    expect(config).toMatchObject({platform: 'ios', bundleId: 'com.microsoft.scmx', settings: [{key: 'issupervised', valueType: 'string', value: '{{issupervised}}'}], assignment: 'all devices', assignGroup: null})
    const [raw] = stub.graph.mobileAppConfigurations
    expect(raw).toMatchObject({'@odata.type': '#microsoft.graph.iosMobileAppConfiguration', settings: [{appConfigKey: 'issupervised', appConfigKeyType: 'stringType', appConfigKeyValue: '{{issupervised}}'}]})
    expect(raw.assignments).toEqual([expect.objectContaining({target: {'@odata.type': '#microsoft.graph.allDevicesAssignmentTarget'}})])
    expect(graphCalls().find((r) => r.path.endsWith('/assign'))?.status).toBe(204)
    expect((await backend.intune.createIosAppConfig({name: 'Defender for iOS: supervised mode', assignGroup: null})).changed).toBe(false)
    await backend.intune.createGroup({name: 'iPhones'})
    await expectAtpError(backend.intune.createIosAppConfig({name: 'Defender for iOS: supervised mode', assignGroup: 'iPhones'}), {code: 'CONFLICT', exitCode: 4})
    const updated = await backend.intune.updateAppConfig(config.id, {assignGroup: 'iPhones'})
    expect(updated).toMatchObject({changed: true, config: {assignment: "group 'iPhones'", assignGroup: 'iPhones'}})
    expect((await backend.intune.listAppConfigs()).items).toEqual([expect.objectContaining({name: 'Defender for iOS: supervised mode', assignGroup: 'iPhones'})])
    await expectAtpError(backend.intune.deleteAppConfig(config.name), {code: 'REFUSED_IN_USE', exitCode: 4})
    expect((await backend.intune.deleteAppConfig(config.name, {force: true})).affects).toEqual(["it targets group 'iPhones'"])
    expect(stub.graph.mobileAppConfigurations).toHaveLength(0)
    await expectAtpError(backend.intune.showAppConfig(config.name), {code: 'NOT_FOUND', exitCode: 3})
  })
})
