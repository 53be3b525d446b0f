/**
 * Every reason code of the agent model (core/device/onboarding.ts, REASON_CODES) is produced by
 * a real scenario through the embedded backend. The list is read from core: a code added
 * without a scenario here fails this test (CM3, CM6, DC1–DC5, TP1/TP3, IN2/IN4).
 */
import {REASON_CODES, type ReasonCode} from '../../../src/core/device/onboarding.js'
import {normaliseRow, type RawRow} from '../../../src/core/device/inventory.js'
import type {Device} from '../../../src/core/device/types.js'
import type {Backend} from '../../../src/core/port/types.js'
import {tempBackend} from '../../helpers/backend.js'

const NOW = new Date('2026-11-20T12:00:00Z')
const seen = '2026-11-20T10:00:00Z'

const win10 = {os: 'Windows 10 Enterprise', version: '10.0.19045'}
const ubuntu = {os: 'Ubuntu 22.04'}
const mac = {os: 'macOS 14.4'}

/**
 * One inventory row per code, in a tenant where: collection Up has a file-only policy, Down a
 * key/ID-only one, Any an any-OS one, Off an offboarding one; sentinelone is on, ziften off;
 * subscription sub-on has Windows and Linux, sub-win Windows only, sub-off was disabled; Intune
 * is on with Windows, and EDR profile 'EDR Finance' is assigned to device group Finance.
 * A `sensor` scenario is a live sensor's report instead of an inventory row.
 */
const SCENARIOS: Record<ReasonCode, RawRow | {sensor: {os: string; provider: string}}> = {
  'cm-onboarded': {...win10, managedBy: 'configmgr', collections: 'Up'},
  'dfc-onboarded': {...ubuntu, managedBy: 'defender-for-cloud', environment: 'azure-vm', subscription: 'sub-on'},
  'dfc-reconfigured': {...ubuntu, managedBy: 'defender-for-cloud', environment: 'azure-arc', subscription: 'sub-on', previousInstall: 'true'},
  'tp-onboarded': {...mac, managedBy: 'third-party:sentinelone'},
  'sensor-onboarded': {sensor: {os: 'Ubuntu 22.04', provider: 'sentinelone'}},
  'intune-onboarded': {...win10, managedBy: 'intune', groups: 'Finance'},
  'cm-conflict': {...win10, managedBy: 'configmgr', collections: 'Up;Off'},
  'cm-offboarded': {...win10, managedBy: 'configmgr', collections: 'Off'},
  'cm-not-targeted': {...win10, managedBy: 'configmgr'},
  'cm-unsupported-os': {os: 'Windows 7 Enterprise', managedBy: 'configmgr', collections: 'Any'},
  'cm-up-level-without-file': {...win10, managedBy: 'configmgr', collections: 'Down'},
  'cm-down-level-without-workspace': {os: 'Windows 8.1 Pro', managedBy: 'configmgr', collections: 'Up'},
  'cm-sensor-absent': {...win10, managedBy: 'configmgr', collections: 'Up', sensorService: 'absent'},
  'cm-never-seen': {...win10, managedBy: 'configmgr', collections: 'Up', lastSeen: null},
  'dfc-unsupported-os': {...mac, managedBy: 'defender-for-cloud', environment: 'azure-arc', subscription: 'sub-on'},
  'dfc-no-subscription': {...ubuntu, managedBy: 'defender-for-cloud', environment: 'azure-vm'},
  'dfc-not-connected': {...ubuntu, managedBy: 'defender-for-cloud', environment: 'on-premises', subscription: 'sub-on'},
  'dfc-windows-client-azure-vm': {...win10, managedBy: 'defender-for-cloud', environment: 'azure-vm', subscription: 'sub-on'},
  'dfc-integration-off': {os: 'Windows Server 2019 Standard', managedBy: 'defender-for-cloud', environment: 'azure-arc', subscription: 'sub-off'},
  'dfc-linux-off': {...ubuntu, managedBy: 'defender-for-cloud', environment: 'azure-vm', subscription: 'sub-win'},
  'dfc-fanotify': {...ubuntu, managedBy: 'defender-for-cloud', environment: 'azure-vm', subscription: 'sub-on', otherFanotifySolution: 'true'},
  'dfc-never-seen': {...ubuntu, managedBy: 'defender-for-cloud', environment: 'aws', subscription: 'sub-on', lastSeen: null},
  'tp-integration-off': {...mac, managedBy: 'third-party:ziften'},
  'tp-platform': {...win10, managedBy: 'third-party:sentinelone'},
  'tp-sensor-absent': {...mac, managedBy: 'third-party:sentinelone', sensorService: 'absent'},
  'tp-never-seen': {...mac, managedBy: 'third-party:sentinelone', lastSeen: null},
  'intune-edr-profile': {...win10, managedBy: 'intune'},
  'intune-edr-not-onboarding': {os: 'Windows 10 Enterprise', version: '10.0.14393', managedBy: 'intune', groups: 'Finance'},
  'intune-never-seen': {...win10, managedBy: 'intune', groups: 'Finance', lastSeen: null},
  unmanaged: {...ubuntu},
  // Onboarded by ConfigMgr, then the offboard action (see OFFBOARDED below).
  offboarded: {...win10, managedBy: 'configmgr', collections: 'Up'},
}

const deviceName = (code: string) => `case-${code}`

describe('every agent-model reason code has a scenario that produces it', () => {
  let backend: Backend
  let cleanup: () => Promise<void>
  let devices: Map<string, Device>

  beforeAll(async () => {
    ;({backend, cleanup} = await tempBackend({withTenant: true, now: () => NOW}))
    const tenant = (await backend.tenant.get())!
    const key = (await backend.tenant.secrets()).workspaceKey
    const file = (expiresAt: string | null = null) => ({name: 'cfg.zip', sha256: 'a'.repeat(64), orgId: tenant.orgId, expiresAt})
    const rows = Object.entries(SCENARIOS).filter(([, s]) => !('sensor' in s)) as [string, RawRow][]
    await backend.devices.import({records: rows.map(([code, raw], i) => normaliseRow({name: deviceName(code), lastSeen: seen, ...raw}, i + 2))})
    const base = {description: '', sampleSharing: 'none', configMgrVersion: 2103} as const
    const policies = [
      {name: 'Up', type: 'onboarding', configFile: file(), workspaceId: null, workspaceKey: null},
      {name: 'Down', type: 'onboarding', configFile: null, workspaceId: tenant.workspaceId, workspaceKey: key},
      {name: 'Any', type: 'onboarding', configFile: file(), workspaceId: tenant.workspaceId, workspaceKey: key},
      {name: 'Off', type: 'offboarding', configFile: file('2026-12-01T00:00:00.000Z'), workspaceId: null, workspaceKey: null},
    ] as const
    for (const p of policies) {
      await backend.policies.create({...base, ...p})
      await backend.policies.deploy({name: p.name, collections: [p.name], dryRun: false, force: true})
    }

    await backend.integrations.setThirdParty('sentinelone', true)
    for (const [code, s] of Object.entries(SCENARIOS)) {
      if ('sensor' in s) await backend.devices.reportFromSensor({name: deviceName(code), os: s.sensor.os, provider: s.sensor.provider})
    }

    await backend.integrations.enableDefenderForCloud({subscriptionId: 'sub-on', cloud: 'commercial', linux: false, windowsOnly: false})
    await backend.integrations.enableDefenderForCloud({subscriptionId: 'sub-win', cloud: 'commercial', linux: false, windowsOnly: true})
    await backend.integrations.enableDefenderForCloud({subscriptionId: 'sub-off', cloud: 'government', linux: false, windowsOnly: false})
    await backend.integrations.disableDefenderForCloud({subscriptionId: 'sub-off', linuxOnly: false})
    await backend.integrations.setIntune(true, {windows: true})
    await backend.intune.createEdrProfile({name: 'EDR Finance', sampleSharing: 'none', expediteTelemetry: false, deviceGroups: ['Finance'], userGroups: []})
    await backend.devices.offboard({device: deviceName('offboarded'), comment: 'leaving the fleet'})
    devices = new Map(((await backend.devices.list()).items).map((d) => [d.name, d]))
  })
  afterAll(async () => cleanup())

  it('the scenario table covers exactly the codes core declares', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual([...REASON_CODES].sort())
  })

  for (const code of REASON_CODES) {
    it(`produces ${code}`, () => {
      const device = devices.get(deviceName(code))
      expect(device?.onboarding.reasonCode).toBe(code)
      // The sentence names no internal rule and is a whole sentence.
      expect(device!.onboarding.reason).toMatch(/^[A-Z].*\.$/)
      expect(device!.onboarding.reason).not.toMatch(/\b(CM|DC|TP|IN|DT)\d\b/)
    })
  }
})
