/**
 * The microsoft backend's Intune side through Microsoft Graph against the stub (issue 13): the
 * connector and its platform toggles (IN1, IN2), compliance policies by machine risk (IN7,
 * Windows on /beta, the block action, /assign), `compliance evaluate` from managed devices and
 * machine risk joined by the Entra device id, conditional access (IN8), the user's groups,
 * `$batch` of at most 20, Graph's 429 with Retry-After, and permissions by role.
 */
import {randomUUID} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {type MicrosoftBackend, openMicrosoftBackend} from '../../../src/backends/microsoft/index.js'
import {checkMicrosoftSettings} from '../../../src/backends/microsoft/settings.js'
import {checkAccess} from '../../../src/core/access/service.js'
import {guardCapabilities} from '../../../src/core/capabilities.js'
import {isAtpError} from '../../../src/core/errors.js'
import type {Backend} from '../../../src/core/port/types.js'
import {addGroup, addUser, makeAlert, makeConnector, makeManagedDevice, type MicrosoftStub, startMicrosoftStub, STUB_CLIENT_SECRET} from '../../stub/microsoft/index.js'

const GRAPH_ROLES = [
  'DeviceManagementServiceConfig.ReadWrite.All',
  'DeviceManagementConfiguration.ReadWrite.All',
  'DeviceManagementManagedDevices.Read.All',
  'Group.Read.All',
  'Policy.Read.All',
  'Policy.ReadWrite.ConditionalAccess',
]

let dir: string
let secretFile: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'atpctl-msgraph-'))
  secretFile = join(dir, 'secret')
  writeFileSync(secretFile, STUB_CLIENT_SECRET, {mode: 0o600})
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

function open(stub: MicrosoftStub): MicrosoftBackend {
  const settings = checkMicrosoftSettings({tenantId: stub.tenantId, clientId: stub.clientId, secretFile, authorityHost: stub.authorityHost, defenderUrl: stub.defenderUrl, graphUrl: stub.graphUrl, armUrl: stub.armUrl, caFile: stub.caFile})
  return openMicrosoftBackend({settings, context: {profile: 'test', actor: 'test'}, env: {}, budget: [{max: 100_000, windowMs: 60_000}], hostname: () => 'nowhere'})
}

async function rejection(promise: Promise<unknown>): Promise<{exitCode: number; code: string; message: string; suggestions: string[]; details: Record<string, unknown>}> {
  try {
    await promise
  } catch (error) {
    if (isAtpError(error)) return {exitCode: error.exitCode, code: error.code, message: error.message, suggestions: error.suggestions, details: (error.details ?? {}) as Record<string, unknown>}
    throw error
  }

  throw new Error('expected a rejection')
}

/** ws-001 (Windows 11) is Intune-managed, joined to Entra, used by alice, in group Finance Devices. */
function seed(stub: MicrosoftStub): {ws1Aad: string; financeId: string} {
  const ws1 = stub.state.machines.find((m) => m.computerDnsName === 'ws-001.contoso.local')!
  const ws1Aad = randomUUID()
  ws1.aadDeviceId = ws1Aad
  ws1.isAadJoined = true
  const financeId = randomUUID()
  addUser(stub.graph, 'alice@contoso.com')
  addUser(stub.graph, 'bob@contoso.com')
  stub.graph.managedDevices.push(
    makeManagedDevice({deviceName: 'ws-001', azureADDeviceId: ws1Aad, userPrincipalName: 'alice@contoso.com', osVersion: '10.0.22631.3880'}),
    makeManagedDevice({deviceName: 'pixel-7', azureADDeviceId: randomUUID(), operatingSystem: 'Android', osVersion: '14', userPrincipalName: 'bob@contoso.com'}),
  )
  addGroup(stub.graph, {id: financeId, displayName: 'Finance', users: ['alice@contoso.com']})
  addGroup(stub.graph, {displayName: 'Finance Devices', devices: [ws1Aad]})
  return {ws1Aad, financeId}
}

describe('microsoft backend: Intune through Microsoft Graph', () => {
  let stub: MicrosoftStub
  let raw: MicrosoftBackend
  let backend: Backend
  beforeEach(async () => {
    stub = await startMicrosoftStub({budget: {perMinute: 100_000, perHour: 1_000_000}, roles: {graph: GRAPH_ROLES}, riskFromAlerts: true})
    raw = open(stub)
    backend = guardCapabilities(raw)
  })
  afterEach(async () => {
    await raw.close()
    await stub.close()
  })

  it('IN1: an absent or not enabled connector is a connection that is off; enabling says where to switch it on (exit 4)', async () => {
    const state = await backend.integrations.state()
    expect(state.intune).toMatchObject({enabled: false, connectorId: 'fc780465-2017-40d4-a0c5-307022471b92', classicPolicyId: null})
    expect(state.thirdParty).toEqual([])
    const refused = await rejection(backend.integrations.setIntune(true, {windows: true}))
    expect(refused).toMatchObject({exitCode: 4, code: 'REFUSED_IN1'})
    expect(refused.message).toMatch(/no Microsoft Defender for Endpoint connector/)
    expect(refused.suggestions.join(' ')).toMatch(/Settings > Endpoints > Advanced features > Microsoft Intune connection/)
    expect(await backend.integrations.setIntune(false, {})).toMatchObject({changed: false, state: {enabled: false}})

    stub.graph.connector = makeConnector({partnerState: 'available'})
    expect((await rejection(backend.integrations.setIntune(true, {windows: true}))).message).toMatch(/'available', not enabled/)
    expect(stub.requests.filter((r) => r.api === 'graph' && r.method === 'PATCH')).toEqual([])
  })

  it('IN2: PATCHes only the toggles that change, with the minimum versions; the same again sends nothing; disable turns every toggle off', async () => {
    stub.graph.connector = makeConnector()
    const on = await backend.integrations.setIntune(true, {windows: true, android: true})
    expect(on.changed).toBe(true)
    expect(on.state.platforms).toEqual({
      android: {enabled: true, minimumVersion: '6.0.0'},
      ios: {enabled: false, minimumVersion: '8.0'},
      windows: {enabled: true, minimumVersion: '10.0.15063'},
    })
    expect(stub.graph.connector).toMatchObject({windowsEnabled: true, androidEnabled: true, iosEnabled: false})
    const patches = () => stub.requests.filter((r) => r.api === 'graph' && r.method === 'PATCH')
    expect(patches().map((r) => r.path)).toEqual(['/v1.0/deviceManagement/mobileThreatDefenseConnectors/fc780465-2017-40d4-a0c5-307022471b92'])
    expect((await backend.integrations.setIntune(true, {windows: true})).changed).toBe(false)
    expect(patches()).toHaveLength(1)
    const off = await backend.integrations.setIntune(false, {})
    expect(off.changed).toBe(true)
    expect(Object.values(off.state.platforms).map((p) => p.enabled)).toEqual([false, false, false])
    expect((await backend.integrations.state()).intune.enabled).toBe(true)
  })

  it('names the missing Graph permission (exit 5) and rides out a 429 with Retry-After', async () => {
    stub.graph.connector = makeConnector()
    stub.inject({api: 'graph', route: 'mobileThreatDefenseConnectors', status: 429, retryAfterSec: 1})
    expect((await backend.integrations.state()).intune.enabled).toBe(true)
    expect(stub.requests.filter((r) => r.api === 'graph').map((r) => r.status).slice(0, 2)).toEqual([429, 200])

    const other = await startMicrosoftStub({roles: {graph: ['Group.Read.All']}})
    const limited = open(other)
    try {
      const denied = await rejection(limited.compliance.list())
      expect(denied).toMatchObject({exitCode: 5, code: 'FORBIDDEN'})
      expect(denied.message).toMatch(/DeviceManagementConfiguration\.Read\.All on Microsoft Graph/)
      expect(denied.suggestions.join(' ')).toMatch(/Microsoft Graph > Application permissions/)
    } finally {
      await limited.close()
      await other.close()
    }
  })

  it('IN7: a Windows policy goes through /beta with the threat level and one block action, assigned to all devices; Android on v1.0 to a group', async () => {
    seed(stub)
    const created = await backend.compliance.create({name: 'Windows low', platform: 'windows', maxRisk: 'low'})
    expect(created).toMatchObject({changed: true, policy: {name: 'Windows low', platform: 'windows', maxRisk: 'low', assignGroup: null, description: null}})
    const posts = stub.requests.filter((r) => r.api === 'graph' && r.method === 'POST')
    expect(posts.map((r) => r.path)).toEqual(['/beta/deviceManagement/deviceCompliancePolicies', `/beta/deviceManagement/deviceCompliancePolicies/${created.policy.id}/assign`])
    const stored = stub.graph.compliancePolicies[0]
    expect(stored).toMatchObject({'@odata.type': '#microsoft.graph.windows10CompliancePolicy', deviceThreatProtectionEnabled: true, deviceThreatProtectionRequiredSecurityLevel: 'low'})
    expect(stored.assignments.map((a) => a.target['@odata.type'])).toEqual(['#microsoft.graph.allDevicesAssignmentTarget'])

    // The same create again is a no-op; other content under the name is a conflict (SPEC §3).
    expect(await backend.compliance.create({name: 'Windows low', platform: 'windows', maxRisk: 'low'})).toMatchObject({changed: false, policy: {id: created.policy.id}})
    expect(await rejection(backend.compliance.create({name: 'Windows low', platform: 'windows', maxRisk: 'high'}))).toMatchObject({exitCode: 4, code: 'CONFLICT'})

    const android = await backend.compliance.create({name: 'Android clear', platform: 'android-device-admin', maxRisk: 'clear', assignGroup: 'Finance', description: 'phones'})
    expect(android.policy).toMatchObject({assignGroup: 'Finance', maxRisk: 'clear', description: 'phones'})
    expect(stub.graph.compliancePolicies[1]).toMatchObject({'@odata.type': '#microsoft.graph.androidCompliancePolicy', deviceThreatProtectionRequiredSecurityLevel: 'secured'})
    expect(stub.requests.some((r) => r.method === 'POST' && r.path === '/v1.0/deviceManagement/deviceCompliancePolicies')).toBe(true)
    expect(await rejection(backend.compliance.create({name: 'X', platform: 'ios', maxRisk: 'low', assignGroup: 'Nobody'}))).toMatchObject({exitCode: 3})

    expect(((await backend.compliance.list()).items).map((p) => [p.name, p.platform, p.maxRisk, p.assignGroup])).toEqual([
      ['Windows low', 'windows', 'low', null],
      ['Android clear', 'android-device-admin', 'clear', 'Finance'],
    ])
    expect((await backend.compliance.get(android.policy.id)).name).toBe('Android clear')
    expect(await rejection(backend.compliance.get('nope'))).toMatchObject({exitCode: 3})

    const updated = await backend.compliance.update('Windows low', {maxRisk: 'medium', assignGroup: 'Finance Devices'})
    expect(updated).toMatchObject({changed: true, policy: {maxRisk: 'medium', assignGroup: 'Finance Devices'}})
    expect((await backend.compliance.update('Windows low', {maxRisk: 'medium'})).changed).toBe(false)
    expect(await rejection(backend.compliance.update('Windows low', {platform: 'ios'}))).toMatchObject({exitCode: 4, code: 'REFUSED_IN7'})
    // A policy that does not judge machine risk is not one of atpctl's.
    stub.graph.compliancePolicies.push({...stub.graph.compliancePolicies[1], id: randomUUID(), displayName: 'Passwords', deviceThreatProtectionEnabled: false})
    expect(((await backend.compliance.list()).items).map((p) => p.name)).toEqual(['Windows low', 'Android clear'])
  })

  it('the stub holds Intune to the block action and to v1.0 without Windows threat levels', async () => {
    const graph = await raw.client('graph')
    const refused = await rejection(graph.post('/v1.0/deviceManagement/deviceCompliancePolicies', {'@odata.type': '#microsoft.graph.androidCompliancePolicy', displayName: 'x', scheduledActionsForRule: []}))
    expect(refused).toMatchObject({exitCode: 7, details: {status: 400}})
    expect(refused.message).toMatch(/Exactly one scheduled action with a block action is required/)
    const windows = await rejection(graph.post('/v1.0/deviceManagement/deviceCompliancePolicies', {'@odata.type': '#microsoft.graph.windows10CompliancePolicy', displayName: 'x', deviceThreatProtectionEnabled: true}))
    expect(windows.message).toMatch(/does not exist on type 'microsoft.graph.windows10CompliancePolicy'/)
  })

  it('compliance evaluate joins managed devices and machines by Entra device id, judged by the core rules (IN2, IN7); delete in use needs force', async () => {
    const {ws1Aad} = seed(stub)
    stub.graph.connector = makeConnector({windowsEnabled: true})
    await backend.compliance.create({name: 'Windows low', platform: 'windows', maxRisk: 'low'})
    const ws1 = stub.state.machines.find((m) => m.aadDeviceId === ws1Aad)!
    let [one] = await backend.compliance.evaluate({device: 'ws-001'})
    expect(one).toEqual({
      deviceId: ws1.id,
      deviceName: 'ws-001.contoso.local',
      platform: 'windows',
      status: 'compliant',
      risk: 'None',
      policy: 'Windows low',
      maxRisk: 'low',
      reason: "device risk None is within the maximum Low of policy 'Windows low'",
    })
    stub.state.alerts.push(makeAlert(ws1, {severity: 'Medium'}))
    ;[one] = await backend.compliance.evaluate({device: ws1.computerDnsName})
    expect(one).toMatchObject({status: 'noncompliant', risk: 'Medium', reason: "device risk Medium is above the maximum Low of policy 'Windows low'"})

    const all = await backend.compliance.evaluate()
    const by = Object.fromEntries(all.map((d) => [d.deviceName, d]))
    expect(by['ws-001.contoso.local'].status).toBe('noncompliant')
    expect(by['ws-002.contoso.local']).toMatchObject({status: 'not-evaluated', reason: 'the device is not managed by Intune'})
    expect(by['lnx-001.contoso.local'].status).toBe('not-evaluated')
    // An Intune device without a Defender machine; the connection's Android toggle is off (IN2).
    expect(by['pixel-7']).toMatchObject({platform: 'android', status: 'not-evaluated', reason: "the Intune connection's Android toggle is off (atpctl integration enable intune --android)"})
    expect(await rejection(backend.compliance.evaluate({device: 'nope'}))).toMatchObject({exitCode: 3})

    const inUse = await rejection(backend.compliance.delete('Windows low'))
    expect(inUse).toMatchObject({exitCode: 4, code: 'REFUSED_IN_USE'})
    expect(stub.graph.compliancePolicies).toHaveLength(1)
    expect(await backend.compliance.delete('Windows low', {force: true})).toMatchObject({changed: true, affects: [expect.stringMatching(/decides the compliance of 1 device/)]})
    expect(stub.graph.compliancePolicies).toEqual([])
  })

  it('IN8: conditional access policies with group ids, app ids and compliantDevice; report-only and other grants; delete in use needs force', async () => {
    const {financeId} = seed(stub)
    const created = await backend.access.createPolicy({name: 'Require compliant', includeGroups: ['Finance'], excludeGroups: [], apps: ['sharepoint'], clients: ['browser', 'mobile-desktop'], grant: 'compliant-device', enabled: true})
    expect(created).toMatchObject({changed: true, policy: {name: 'Require compliant', kind: 'custom', protected: false, enabled: true, includeGroups: ['Finance'], apps: ['sharepoint']}})
    expect(stub.graph.conditionalAccessPolicies[0]).toMatchObject({
      state: 'enabled',
      conditions: {users: {includeGroups: [financeId]}, applications: {includeApplications: ['00000003-0000-0ff1-ce00-000000000000']}, clientAppTypes: ['browser', 'mobileAppsAndDesktopClients']},
      grantControls: {builtInControls: ['compliantDevice']},
    })
    expect((await backend.access.createPolicy({name: 'require compliant', includeGroups: ['Finance'], excludeGroups: [], apps: ['sharepoint'], clients: ['mobile-desktop', 'browser'], grant: 'compliant-device', enabled: true})).changed).toBe(false)
    expect(await rejection(backend.access.createPolicy({name: 'Require compliant', includeGroups: ['all'], excludeGroups: [], apps: ['sharepoint'], clients: ['browser'], grant: 'compliant-device', enabled: true}))).toMatchObject({code: 'CONFLICT'})
    expect(await rejection(backend.access.createPolicy({name: 'Z', includeGroups: ['all'], excludeGroups: [], apps: ['payroll'], clients: ['browser'], grant: 'compliant-device', enabled: true}))).toMatchObject({exitCode: 2})

    // An MFA policy is not modelled; a report-only one enforces nothing.
    stub.graph.conditionalAccessPolicies.push({
      ...structuredClone(stub.graph.conditionalAccessPolicies[0]),
      id: randomUUID(),
      displayName: 'MFA for all',
      grantControls: {operator: 'OR', builtInControls: ['mfa'], customAuthenticationFactors: [], termsOfUse: []},
    })
    expect(((await backend.access.listPolicies()).items).map((p) => p.name)).toEqual(['Require compliant'])
    stub.graph.conditionalAccessPolicies[0].state = 'enabledForReportingButNotEnforced'
    expect((await backend.access.getPolicy('Require compliant')).enabled).toBe(false)
    expect((await backend.access.setPolicyEnabled('Require compliant', true)).changed).toBe(true)
    expect(stub.graph.conditionalAccessPolicies[0].state).toBe('enabled')
    expect((await backend.access.setPolicyEnabled('Require compliant', true)).changed).toBe(false)

    const updated = await backend.access.updatePolicy('Require compliant', {apps: ['all'], clients: ['browser']})
    expect(updated).toMatchObject({changed: true, policy: {apps: ['all'], clients: ['browser'], includeGroups: ['Finance']}})
    expect(stub.graph.conditionalAccessPolicies[0].conditions.applications.includeApplications).toEqual(['All'])

    expect(await rejection(backend.access.deletePolicy('Require compliant'))).toMatchObject({code: 'REFUSED_IN_USE', exitCode: 4})
    expect((await backend.access.deletePolicy('Require compliant', {force: true})).changed).toBe(true)
    expect(stub.graph.conditionalAccessPolicies.map((p) => p.displayName)).toEqual(['MFA for all'])
    expect(await rejection(backend.access.getPolicy('Require compliant'))).toMatchObject({exitCode: 3})
  })

  it('conditional access writes need Policy.Read.All as well (§8.4)', async () => {
    stub.setRoles('graph', GRAPH_ROLES.filter((r) => r !== 'Policy.Read.All'))
    seed(stub)
    const graph = await raw.client('graph')
    const denied = await rejection(graph.post('/v1.0/identity/conditionalAccess/policies', {displayName: 'x'}, {permission: 'Policy.ReadWrite.ConditionalAccess'}))
    expect(denied).toMatchObject({exitCode: 5, code: 'FORBIDDEN'})
  })

  it('access check decides from the policies and device state it read: granted, blocked after a Medium alert, granted after it is resolved', async () => {
    seed(stub)
    stub.graph.connector = makeConnector({windowsEnabled: true})
    await backend.compliance.create({name: 'Windows low', platform: 'windows', maxRisk: 'low'})
    await backend.access.createPolicy({name: 'Require compliant', includeGroups: ['Finance'], excludeGroups: [], apps: ['sharepoint'], clients: ['browser'], grant: 'compliant-device', enabled: true})
    const check = () => checkAccess(backend, {user: 'alice@contoso.com', device: 'ws-001', app: 'sharepoint', client: 'browser', profile: 'test'})
    expect((await check()).decision).toBe('grant')
    const ws1 = stub.state.machines.find((m) => m.computerDnsName === 'ws-001.contoso.local')!
    const alert = makeAlert(ws1, {severity: 'Medium'})
    stub.state.alerts.push(alert)
    const blocked = await check()
    expect(blocked).toMatchObject({decision: 'block', decidedBy: ['Require compliant']})
    expect(blocked.explanation).toBe("blocked by 'Require compliant': device risk Medium is above the maximum Low of policy 'Windows low'")
    await backend.alerts.resolve(alert.id, {comment: 'false positive'})
    expect((await check()).decision).toBe('grant')
    expect(await backend.intune.userGroups('alice@contoso.com')).toEqual({known: true, groups: ['Finance']})
    expect(await backend.intune.userGroups('nobody@contoso.com')).toEqual({known: false, groups: []})
  })

  it('reads group names in $batch requests of at most 20', async () => {
    seed(stub)
    const ids: string[] = []
    for (let i = 0; i < 25; i++) {
      const id = randomUUID()
      ids.push(id)
      addGroup(stub.graph, {id, displayName: `G${String(i).padStart(2, '0')}`})
    }

    stub.graph.conditionalAccessPolicies.push({
      id: randomUUID(),
      displayName: 'Many groups',
      createdDateTime: new Date().toISOString(),
      modifiedDateTime: null,
      state: 'disabled',
      conditions: {users: {includeUsers: [], excludeUsers: [], includeGroups: ids, excludeGroups: []}, applications: {includeApplications: ['All'], excludeApplications: []}, clientAppTypes: ['all']},
      grantControls: {operator: 'OR', builtInControls: ['compliantDevice'], customAuthenticationFactors: [], termsOfUse: []},
    })
    // Two items of the first batch are throttled: each is sent again on its own.
    stub.graph.throttleBatchItems = 2
    const [policy] = (await backend.access.listPolicies()).items
    expect(stub.requests.filter((r) => r.api === 'graph' && r.method === 'GET' && /^\/v1\.0\/groups\/[^/]+$/.test(r.path))).toHaveLength(2)
    expect(policy.includeGroups).toHaveLength(25)
    expect(policy.includeGroups[24]).toBe('G24')
    expect(policy.clients).toEqual(['browser', 'mobile-desktop'])
    expect(stub.graphBatches).toEqual([20, 5])
    const graph = await raw.client('graph')
    // Advanced queries need ConsistencyLevel: eventual (§8.4); the client sends it when asked.
    expect((await rejection(graph.get('/v1.0/groups', {query: {$count: 'true'}}))).message).toMatch(/ConsistencyLevel: eventual/)
    expect((await graph.get<{value: unknown[]}>('/v1.0/groups', {query: {$count: 'true'}, headers: {ConsistencyLevel: 'eventual'}})).value.length).toBeGreaterThan(25)
    const tooMany = Array.from({length: 21}, (_, i) => ({id: String(i), method: 'GET', url: '/groups'}))
    expect((await rejection(graph.post('/v1.0/$batch', {requests: tooMany}))).message).toMatch(/must not exceed 20/)
  })
})
