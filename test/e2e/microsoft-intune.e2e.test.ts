/**
 * Seed 003 on a real tenant (issue 13 Proof), end to end: bin/run.js against the HTTPS stub of
 * Entra ID, the Defender for Endpoint API and Microsoft Graph. The connection is not switched on
 * yet (exit 4 with the portal path, IN1); once it is, the connector's Windows toggle (IN2) → a
 * Windows compliance policy at `low` (IN7, /beta) → a conditional access policy requiring a
 * compliant device (IN8) → `access check` granted, blocked after a Medium alert on the device,
 * granted again after `alert resolve`, each decision said to be atpctl's own. On the stub's one
 * Graph model, a group made with `group create` is then assigned a compliance policy and named by
 * a report-only access policy, which `access check` reports as "would have blocked".
 */
import {randomUUID} from 'node:crypto'
import {runCli, tempHome} from '../helpers/cli.js'
import {addGroup, makeAlert, makeConnector, makeManagedDevice, type MicrosoftStub, startMicrosoftStub, STUB_CLIENT_SECRET} from '../stub/microsoft/index.js'

let stub: MicrosoftStub
let home: string
let cleanup: () => void
const run = (args: string[], options: {input?: string} = {}) => runCli(args, {home, ...options})

beforeAll(async () => {
  stub = await startMicrosoftStub({
    riskFromAlerts: true,
    roles: {
      graph: [
        'DeviceManagementServiceConfig.ReadWrite.All',
        'DeviceManagementConfiguration.ReadWrite.All',
        'DeviceManagementManagedDevices.Read.All',
        'Group.ReadWrite.All',
        'GroupMember.ReadWrite.All',
        'User.Read.All',
        'Policy.Read.All',
        'Policy.ReadWrite.ConditionalAccess',
      ],
    },
  })
  ;({home, cleanup} = tempHome('atpctl-ms-intune-e2e-'))
  const ws1 = stub.state.machines.find((m) => m.computerDnsName === 'ws-001.contoso.local')!
  ws1.aadDeviceId = randomUUID()
  addGroup(stub.graph, {displayName: 'Finance', users: ['alice@contoso.com']})
  stub.graph.managedDevices.push(makeManagedDevice({deviceName: 'ws-001', azureADDeviceId: ws1.aadDeviceId, userPrincipalName: 'alice@contoso.com'}))
  const init = await run(
    ['init', '--backend', 'microsoft', '--tenant-id', stub.tenantId, '--client-id', stub.clientId, '--client-secret-file', '-', '--authority-host', stub.authorityHost, '--defender-url', stub.defenderUrl, '--graph-url', stub.graphUrl, '--arm-url', stub.armUrl, '--ca-file', stub.caFile, '--json'],
    {input: STUB_CLIENT_SECRET + '\n'},
  )
  expect(init.code).toBe(0)
})
afterAll(async () => {
  await stub.close()
  cleanup()
})

describe('seed 003 on microsoft (the stub)', () => {
  it('IN1: before the connection is switched on in the portal, enabling a platform exits 4 saying where', async () => {
    const show = await run(['integration', 'show', 'intune', '--json'])
    expect(show.code).toBe(0)
    expect(show.json().intune).toMatchObject({enabled: false, connectorId: 'fc780465-2017-40d4-a0c5-307022471b92'})
    const refused = await run(['integration', 'enable', 'intune', '--windows'])
    expect(refused.code).toBe(4)
    expect(refused.stderr).toMatch(/Error: The Intune connection is not switched on/)
    expect(refused.stderr).toMatch(/Settings > Endpoints > Advanced features > Microsoft Intune connection/)
    expect(refused.stderr).not.toMatch(/\n\s+at /)
  })

  it('IN2 → IN7 → IN8: toggles, a Windows policy at low, a conditional access policy; access granted, blocked after a Medium alert, granted after alert resolve', async () => {
    // The admin switched the connection on in the Defender portal.
    stub.graph.connector = makeConnector()
    const enabled = await run(['integration', 'enable', 'intune', '--windows', '--json'])
    expect(enabled.code).toBe(0)
    expect(enabled.json()).toMatchObject({changed: true, intune: {enabled: true, platforms: {windows: {enabled: true, minimumVersion: '10.0.15063'}}}})
    expect(stub.graph.connector.windowsEnabled).toBe(true)
    expect((await run(['integration', 'enable', 'intune', '--windows', '--json'])).json().changed).toBe(false)

    const policy = await run(['compliance', 'create', '--name', 'Windows low', '--platform', 'windows', '--max-risk', 'low', '--json'])
    expect(policy.code).toBe(0)
    expect(stub.graph.compliancePolicies[0]).toMatchObject({'@odata.type': '#microsoft.graph.windows10CompliancePolicy', deviceThreatProtectionRequiredSecurityLevel: 'low'})
    const again = await run(['compliance', 'create', '--name', 'Windows low', '--platform', 'windows', '--max-risk', 'high', '--json'])
    expect(again.code).toBe(4)
    expect(again.json().error.code).toBe('CONFLICT')

    const ca = await run(['access', 'policy', 'create', '--name', 'Require compliant device', '--include-group', 'Finance', '--app', 'sharepoint', '--json'])
    expect(ca.code).toBe(0)
    expect(stub.graph.conditionalAccessPolicies[0].grantControls.builtInControls).toEqual(['compliantDevice'])
    const list = await run(['access', 'policy', 'list', '--json'])
    expect(list.json().policies.map((p: {name: string}) => p.name)).toEqual(['Require compliant device'])

    const check = ['access', 'check', '--user', 'alice@contoso.com', '--device', 'ws-001', '--app', 'sharepoint']
    const granted = await run(check)
    expect(granted.code).toBe(0)
    expect(granted.stdout).toMatch(/GRANTED: granted: 'Require compliant device' satisfied/)
    expect(granted.stdout).toMatch(/decided by atpctl from 1 conditional access policy requiring a compliant device, read at \d{4}-/)

    const ws1 = stub.state.machines.find((m) => m.computerDnsName === 'ws-001.contoso.local')!
    const alert = makeAlert(ws1, {severity: 'Medium'})
    stub.state.alerts.push(alert)
    const blocked = await run([...check, '--json'])
    expect(blocked.code).toBe(4)
    expect(blocked.json()).toMatchObject({decision: 'block', decidedBy: ['Require compliant device'], compliance: {status: 'noncompliant', risk: 'Medium'}})
    const evaluated = await run(['compliance', 'evaluate', '--device', 'ws-001', '--json'])
    expect(evaluated.stdout).toMatch(/device risk Medium is above the maximum Low of policy 'Windows low'/)

    const resolved = await run(['alert', 'resolve', alert.id, '--json'])
    expect(resolved.code).toBe(0)
    const again2 = await run([...check, '--json'])
    expect(again2.code).toBe(0)
    expect(again2.json()).toMatchObject({decision: 'grant', compliance: {status: 'compliant', risk: 'None'}})
  })

  it('one Graph: a group made by group create is assigned a compliance policy and named by a report-only access policy; access check says it would have blocked', async () => {
    expect((await run(['group', 'create', 'Pilot users', '--json'])).code).toBe(0)
    expect((await run(['group', 'add', 'Pilot users', '--user', 'alice@contoso.com', '--json'])).code).toBe(0)
    const assigned = await run(['compliance', 'create', '--name', 'Windows pilot', '--platform', 'windows', '--max-risk', 'clear', '--assign-group', 'Pilot users', '--json'])
    expect(assigned.code).toBe(0)
    const pilotGroup = stub.graph.groups.find((g) => g.displayName === 'Pilot users')!
    expect(stub.graph.compliancePolicies.find((p) => p.displayName === 'Windows pilot')!.assignments.map((a) => a.target.groupId)).toEqual([pilotGroup.id])

    const pilot = await run(['access', 'policy', 'create', '--name', 'Pilot: compliant device', '--include-group', 'Pilot users', '--app', 'sharepoint', '--report-only', '--json'])
    expect(pilot.code).toBe(0)
    expect(pilot.json().policy).toMatchObject({enabled: false, reportOnly: true, includeGroups: ['Pilot users']})
    const wire = stub.graph.conditionalAccessPolicies.find((p) => p.displayName === 'Pilot: compliant device')!
    expect(wire).toMatchObject({state: 'enabledForReportingButNotEnforced', conditions: {users: {includeGroups: [pilotGroup.id]}}})
    const shown = await run(['access', 'policy', 'show', 'Pilot: compliant device'])
    expect(shown.stdout).toMatch(/State:\s+report-only/)

    const ws1 = stub.state.machines.find((m) => m.computerDnsName === 'ws-001.contoso.local')!
    stub.state.alerts.push(makeAlert(ws1, {severity: 'Medium'}))
    const checked = await run(['access', 'check', '--user', 'alice@contoso.com', '--device', 'ws-001', '--app', 'sharepoint', '--json'])
    // The enforced policy blocks; the report-only one is evaluated and reported, not enforced.
    expect(checked.code).toBe(4)
    expect(checked.json()).toMatchObject({decision: 'block', decidedBy: ['Require compliant device'], wouldHaveBlocked: ['Pilot: compliant device']})
    expect(checked.json().explanation).toMatch(/report-only 'Pilot: compliant device' would have blocked it \(not enforced\)/)
  })
})
