/**
 * IN2/IN7 on a real tenant gives the embedded backend's verdicts (issue 13): the same devices,
 * groups, users, connection toggles and policies, arranged once in an embedded tenant and once
 * in the stub's Intune (managed devices, Entra groups, connector) and Defender (machines), are
 * evaluated by both backends; every device's status, reason, deciding policy and platform agree.
 */
import {randomUUID} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {openMicrosoftBackend} from '../../../src/backends/microsoft/index.js'
import {checkMicrosoftSettings} from '../../../src/backends/microsoft/settings.js'
import type {CompliancePolicy} from '../../../src/core/compliance/rules.js'
import {normaliseRow} from '../../../src/core/device/inventory.js'
import {dottedOsVersion} from '../../../src/core/device/os.js'
import {tempBackend} from '../../helpers/backend.js'
import {addGroup, makeConnector, makeMachine, makeManagedDevice, startMicrosoftStub, STUB_CLIENT_SECRET} from '../../stub/microsoft/index.js'

interface Fact {
  name: string
  os: string
  version: string | null
  intune: boolean
  user: string | null
  groups: string[]
}

const DEVICES: Fact[] = [
  {name: 'fin-01', os: 'Windows 11 Pro', version: '10.0.22631', intune: true, user: 'alice@contoso.com', groups: ['Finance']},
  {name: 'fin-02', os: 'Windows 10 Enterprise', version: '10.0.19045', intune: true, user: 'bob@contoso.com', groups: []},
  {name: 'old-01', os: 'Windows 10 Enterprise', version: '10.0.14393', intune: true, user: null, groups: ['Finance']},
  {name: 'cm-01', os: 'Windows 11 Pro', version: '10.0.22631', intune: false, user: 'alice@contoso.com', groups: ['Finance']},
  {name: 'and-01', os: 'Android', version: '12', intune: true, user: 'alice@contoso.com', groups: []},
  {name: 'and-02', os: 'Android', version: '5.1', intune: true, user: 'bob@contoso.com', groups: []},
  {name: 'ios-01', os: 'iOS', version: '17.1', intune: true, user: 'alice@contoso.com', groups: []},
  {name: 'ios-03', os: 'iOS', version: '17.1', intune: true, user: 'bob@contoso.com', groups: []},
  {name: 'ios-02', os: 'iOS', version: '7.1.2', intune: true, user: 'alice@contoso.com', groups: []},
  {name: 'mac-01', os: 'macOS 14.4', version: null, intune: true, user: null, groups: []},
]
/** Groups of users (explicit members), beside the device groups above. */
const USER_GROUPS: Record<string, string[]> = {VIP: ['alice@contoso.com']}
const POLICIES: {name: string; platform: CompliancePolicy['platform']; maxRisk: CompliancePolicy['maxRisk']; assignGroup?: string}[] = [
  {name: 'Windows all high', platform: 'windows', maxRisk: 'high'},
  {name: 'Windows finance clear', platform: 'windows', maxRisk: 'clear', assignGroup: 'Finance'},
  {name: 'Android low', platform: 'android-enterprise', maxRisk: 'low'},
  {name: 'iOS VIP medium', platform: 'ios', maxRisk: 'medium', assignGroup: 'VIP'},
]
const TOGGLES = {windows: true, android: false, ios: true}
const GRAPH_OS: Record<string, string> = {windows: 'Windows', android: 'Android', ios: 'iOS', macos: 'macOS'}

describe('compliance evaluate: microsoft (Graph) = embedded backend on the same facts (IN2, IN7)', () => {
  it('every device: status, reason, deciding policy, maximum and platform', async () => {
    const records = DEVICES.map((d, i) => normaliseRow({name: d.name, os: d.os, version: d.version, managedBy: d.intune ? 'intune' : 'configmgr', user: d.user, groups: d.groups}, i + 2))
    const local = await tempBackend({withTenant: true})
    const stub = await startMicrosoftStub({
      machines: [],
      budget: {perMinute: 100_000, perHour: 1_000_000},
      roles: {graph: ['DeviceManagementServiceConfig.ReadWrite.All', 'DeviceManagementConfiguration.ReadWrite.All', 'DeviceManagementManagedDevices.Read.All', 'Group.Read.All']},
    })
    const dir = mkdtempSync(join(tmpdir(), 'atpctl-msdiff-'))
    const secretFile = join(dir, 'secret')
    writeFileSync(secretFile, STUB_CLIENT_SECRET, {mode: 0o600})
    const settings = checkMicrosoftSettings({tenantId: stub.tenantId, clientId: stub.clientId, secretFile, authorityHost: stub.authorityHost, defenderUrl: stub.defenderUrl, graphUrl: stub.graphUrl, armUrl: stub.armUrl, caFile: stub.caFile})
    const ms = openMicrosoftBackend({settings, context: {profile: 'diff', actor: 'test'}, env: {}, budget: [{max: 100_000, windowMs: 60_000}]})
    try {
      // The embedded tenant.
      await local.backend.devices.import({records})
      await local.backend.integrations.setIntune(true, TOGGLES)
      for (const [group, users] of Object.entries(USER_GROUPS)) {
        await local.backend.intune.createGroup({name: group})
        await local.backend.intune.addGroupMembers({group, devices: [], users})
      }

      // The real tenant: Defender machines only for devices Intune does not manage, Intune managed devices, Entra groups.
      stub.graph.connector = makeConnector({windowsEnabled: TOGGLES.windows, androidEnabled: TOGGLES.android, iosEnabled: TOGGLES.ios})
      const aad = new Map(DEVICES.map((d) => [d.name, randomUUID()]))
      for (const [i, d] of DEVICES.entries()) {
        if (d.intune) {
          stub.graph.managedDevices.push(makeManagedDevice({deviceName: d.name, azureADDeviceId: aad.get(d.name)!, operatingSystem: GRAPH_OS[records[i].osFamily], osVersion: dottedOsVersion(records[i]), userPrincipalName: d.user ?? ''}))
        } else {
          stub.state.machines.push(makeMachine({computerDnsName: d.name, osPlatform: 'Windows11', version: '23H2', osBuild: 22631, aadDeviceId: aad.get(d.name)!}))
        }
      }

      for (const group of new Set(DEVICES.flatMap((d) => d.groups))) {
        addGroup(stub.graph, {displayName: group, devices: DEVICES.filter((d) => d.groups.includes(group)).map((d) => aad.get(d.name)!)})
      }

      for (const [group, users] of Object.entries(USER_GROUPS)) addGroup(stub.graph, {displayName: group, users})

      // The same policies, oldest first on both.
      for (const p of POLICIES) {
        await local.backend.compliance.create(p)
        await ms.compliance.create(p)
        await new Promise((r) => setTimeout(r, 5))
      }

      const pick = (d: {deviceName: string; status: string; reason: string; policy: string | null; maxRisk: string | null; platform: string | null; risk: string}) => ({
        device: d.deviceName,
        status: d.status,
        reason: d.reason,
        policy: d.policy,
        maxRisk: d.maxRisk,
        platform: d.platform,
        risk: d.risk,
      })
      const expected = (await local.backend.compliance.evaluate()).map(pick)
      const got = (await ms.compliance.evaluate()).map(pick)
      expect(got).toEqual(expected)
      // The facts decided something of every kind.
      expect(new Set(expected.map((e) => e.status))).toEqual(new Set(['compliant', 'not-evaluated']))
      expect(expected.filter((e) => e.policy !== null).map((e) => e.policy).sort()).toEqual(['Windows all high', 'Windows finance clear', 'iOS VIP medium'])
      for (const d of DEVICES) expect((await ms.compliance.evaluate({device: d.name})).map(pick)).toEqual(expected.filter((e) => e.device === d.name))
    } finally {
      await ms.close()
      await stub.close()
      await local.cleanup()
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
