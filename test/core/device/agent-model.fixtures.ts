/**
 * Random tenants for the agent-model tests: a seeded scenario (inventory, collections,
 * ConfigMgr policies and deployments, integration toggles, Intune groups and EDR profiles,
 * sensor reports), applied to a real embedded backend, and the expected onboarding of every
 * device computed by the core rule (decideOnboarding) from the scenario's own plain data.
 */
import {decideOnboarding, describeReason, edrProfileOf, type OnboardingDecision, pathOf, type ReachingEdrProfile, thirdPartyOf} from '../../../src/core/device/onboarding.js'
import {dottedOsVersion} from '../../../src/core/device/os.js'
import {normaliseRow, type RawRow, sensorMachineRecord} from '../../../src/core/device/inventory.js'
import type {DeviceRecord, OnboardingState, SensorReport} from '../../../src/core/device/types.js'
import {PROVIDERS} from '../../../src/core/integration/catalogue.js'
import type {IntegrationsState} from '../../../src/core/integration/types.js'
import {edrOnboarding, edrReach} from '../../../src/core/intune/edr.js'
import {compareNoCase, nameKey} from '../../../src/core/names.js'
import type {Backend} from '../../../src/core/port/types.js'
import type {Random} from '../../helpers/random.js'

export const NOW = new Date('2026-11-20T12:00:00Z')
export const PERIOD_MS = 7 * 86_400_000
export const SINCE = new Date(NOW.getTime() - PERIOD_MS).toISOString()

/** Every kind of machine the rules tell apart: families, levels, ConfigMgr minimums, DC5 builds, multi-session, no build. */
export const OS_POOL: [os: string, version: string | null][] = [
  ['Windows 10 Enterprise', '10.0.19045'],
  ['Windows 10 Enterprise', '1511'],
  ['Windows 10 Enterprise', '10.0.14393'],
  ['Windows 10 Enterprise multi-session', '10.0.19044'],
  ['Windows 11 Pro', '10.0.22631'],
  ['Windows 10 Pro', null],
  ['Windows 8.1 Pro', null],
  ['Windows 7 Enterprise', null],
  ['Windows Server 2008 R2', null],
  ['Windows Server 2012', null],
  ['Windows Server 2012 R2', null],
  ['Windows Server 2016 Datacenter', null],
  ['Windows Server 2016 Datacenter', '1709'],
  ['Windows Server 2016 Datacenter', '1803'],
  ['Windows Server 2019 Standard', null],
  ['Windows Server 2022', null],
  ['Ubuntu 22.04', null],
  ['Red Hat Enterprise Linux 9.2', null],
  ['macOS 14.4', null],
  ['iOS', '17.1'],
  ['Android', '12'],
]

export const COLLECTIONS = ['Wave A', 'Wave B', 'Wave C']
export const GROUPS = ['Finance', 'Sales']
export const USER_GROUPS = ['Field users']
export const USERS = ['alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com']
export const SUBSCRIPTIONS = ['sub-a', 'sub-b', 'sub-c']
const ENVIRONMENTS = [null, 'on-premises', 'azure-vm', 'azure-arc', 'aws'] as const

export interface ScenarioPolicy {
  name: string
  type: 'onboarding' | 'offboarding'
  hasFile: boolean
  hasKey: boolean
  configMgrVersion: number
  collections: string[]
}

export interface Scenario {
  records: DeviceRecord[]
  /** Sensor reports sent while their provider is on (then maybe turned off). */
  sensors: SensorReport[]
  policies: ScenarioPolicy[]
  providersOn: string[]
  /** Providers turned off again after their sensors reported. */
  providersOffAfter: string[]
  dfc: {subscriptionId: string; cloud: 'commercial' | 'government' | 'aws'; windowsOnly: boolean; linuxStep: boolean; disable: boolean}[]
  intune: {enabled: boolean; windows: boolean} | null
  userGroupMembers: string[]
  edr: {name: string; deviceGroups: string[]; userGroups: string[]}[]
  /** Devices the offboard action is tried on last; `offboarded` records those it offboarded (the others were refused). */
  offboard: string[]
  offboarded: string[]
}

const LAST_SEEN = [null, '2026-11-20T10:00:00.000Z', '2026-11-01T10:00:00.000Z']

export function randomScenario(r: Random, devices: number, prefix = 'dev'): Scenario {
  const records: DeviceRecord[] = []
  for (let i = 0; i < devices; i++) {
    const [os, version] = r.pick(OS_POOL)
    const managers: string[] = r.subset(['configmgr', 'defender-for-cloud', 'intune'], 0.4)
    // Servers are Defender for Cloud's main case (DC5's builds): more of them are managed by it.
    if (os.startsWith('Windows Server') && !managers.includes('defender-for-cloud') && r.chance(0.4)) managers.push('defender-for-cloud')
    if (r.chance(0.3)) managers.splice(r.int(0, managers.length), 0, `third-party:${r.pick(PROVIDERS).id}`)
    const raw: RawRow = {
      name: `${prefix}-${String(i).padStart(4, '0')}`,
      os,
      version,
      managedBy: managers,
      environment: r.pick(ENVIRONMENTS),
      subscription: r.chance(0.8) ? r.pick(SUBSCRIPTIONS) : null,
      collections: r.subset(COLLECTIONS, 0.35),
      user: r.chance(0.5) ? r.pick(USERS) : null,
      groups: r.subset(GROUPS, 0.35),
      lastSeen: r.pick(LAST_SEEN),
      sensorService: r.pick(['running', 'running', 'stopped', 'absent']),
      otherFanotifySolution: r.chance(0.2),
      previousInstall: r.chance(0.3),
    }
    records.push(normaliseRow(raw, i + 2))
  }

  const policies: ScenarioPolicy[] = []
  const onboarding = r.int(0, 4)
  for (let i = 0; i < onboarding; i++) {
    const configMgrVersion = r.pick([1910, 2002, 2103])
    const shape = configMgrVersion === 2002 ? 'both' : r.pick(['file', 'key', 'both'])
    // Names in mixed case: the agent model names the first covering policy by the database's NOCASE order.
    policies.push({
      name: r.pick(['onb', 'Onb', 'ONB']) + `-${r.pick(['x', 'Y', 'z'])}${i}`,
      type: 'onboarding',
      hasFile: shape !== 'key',
      hasKey: shape !== 'file',
      configMgrVersion,
      collections: r.subset(COLLECTIONS, 0.5),
    })
  }

  if (r.chance(0.3)) policies.push({name: 'offboard', type: 'offboarding', hasFile: true, hasKey: false, configMgrVersion: 2103, collections: [r.pick(COLLECTIONS)]})
  const providersOn = r.subset(PROVIDERS.map((p) => p.id), 0.6)
  const sensors: SensorReport[] = []
  for (let i = 0; i < r.int(0, 4) && providersOn.length > 0; i++) {
    const [os, version] = r.pick(OS_POOL.filter(([o]) => !o.startsWith('Windows')))
    sensors.push({name: `${prefix}-sensor-${i}`, os, version, provider: r.pick(providersOn)})
  }

  return {
    // Every tenth device, chosen without the generator so the other tests' random sequences stay as they were.
    offboard: records.filter((_, i) => i % 10 === 3).map((d) => d.name),
    offboarded: [],
    records,
    sensors,
    policies,
    providersOn,
    providersOffAfter: r.subset(providersOn, 0.3),
    dfc: r.subset(SUBSCRIPTIONS, 0.7).map((subscriptionId) => ({
      subscriptionId,
      cloud: r.pick(['commercial', 'government', 'aws'] as const),
      windowsOnly: r.chance(0.4),
      linuxStep: r.chance(0.4),
      disable: r.chance(0.15),
    })),
    intune: r.chance(0.8) ? {enabled: r.chance(0.8), windows: r.chance(0.8)} : null,
    userGroupMembers: r.subset(USERS, 0.5),
    edr: r.chance(0.7)
      ? Array.from({length: r.int(1, 2)}, (_, i) => ({name: `${r.pick(['edr', 'EDR'])}-${i}`, deviceGroups: r.subset(GROUPS, 0.5), userGroups: r.subset(USER_GROUPS, 0.5)}))
      : [],
  }
}

/** Applies a scenario through the port, the way an admin would with the CLI. */
export async function applyScenario(backend: Backend, s: Scenario): Promise<void> {
  const tenant = (await backend.tenant.get())!
  const key = (await backend.tenant.secrets()).workspaceKey
  for (const c of COLLECTIONS) await backend.collections.create({name: c})
  await backend.devices.import({records: s.records})
  for (const p of s.policies) {
    await backend.policies.create({
      name: p.name,
      description: '',
      type: p.type,
      configFile: p.hasFile ? {name: 'cfg.zip', sha256: 'a'.repeat(64), orgId: tenant.orgId, expiresAt: p.type === 'offboarding' ? new Date(NOW.getTime() + 10 * 86_400_000).toISOString() : null} : null,
      workspaceId: p.hasKey ? tenant.workspaceId : null,
      workspaceKey: p.hasKey ? key : null,
      sampleSharing: 'none',
      configMgrVersion: p.configMgrVersion,
    })
    if (p.collections.length > 0) await backend.policies.deploy({name: p.name, collections: p.collections, dryRun: false, force: true})
  }

  for (const p of s.providersOn) await backend.integrations.setThirdParty(p, true)
  for (const report of s.sensors) await backend.devices.reportFromSensor(report)
  for (const p of s.providersOffAfter) await backend.integrations.setThirdParty(p, false)
  for (const d of s.dfc) {
    await backend.integrations.enableDefenderForCloud({subscriptionId: d.subscriptionId, cloud: d.cloud, linux: false, windowsOnly: d.windowsOnly})
    if (d.linuxStep) await backend.integrations.enableDefenderForCloud({subscriptionId: d.subscriptionId, cloud: d.cloud, linux: true, windowsOnly: false})
    if (d.disable) await backend.integrations.disableDefenderForCloud({subscriptionId: d.subscriptionId, linuxOnly: false})
  }

  if (s.intune) await backend.integrations.setIntune(s.intune.enabled, {windows: s.intune.windows, android: true, ios: true})
  for (const g of GROUPS) if (!s.records.some((d) => d.groups.includes(g))) await backend.intune.createGroup({name: g})
  for (const g of USER_GROUPS) {
    await backend.intune.createGroup({name: g})
    if (s.userGroupMembers.length > 0) await backend.intune.addGroupMembers({group: g, devices: [], users: s.userGroupMembers})
  }

  for (const e of s.edr) await backend.intune.createEdrProfile({name: e.name, sampleSharing: 'none', expediteTelemetry: false, deviceGroups: e.deviceGroups, userGroups: e.userGroups})
  // Offboarding refuses devices that are not onboarded and Linux/macOS ones; which succeed is recorded for the expectation.
  for (const name of s.offboard) {
    try {
      await backend.devices.offboard({device: name, comment: 'differential'})
      s.offboarded.push(name)
    } catch (error) {
      if ((error as {exitCode?: number}).exitCode !== 4) throw error
    }
  }
}

export interface ExpectedDevice {
  name: string
  decision: OnboardingDecision
  onboarding: OnboardingState
}

/** The scenario's devices as the core sees them: records plus the sensor-made ones. */
export function scenarioDevices(s: Scenario): (DeviceRecord & {source: 'inventory' | 'sensor'})[] {
  const byKey = new Map<string, DeviceRecord & {source: 'inventory' | 'sensor'}>()
  for (const d of s.records) byKey.set(nameKey(d.name), {...d, source: 'inventory'})
  for (const report of s.sensors) {
    const checked = sensorMachineRecord(report)
    byKey.set(nameKey(checked.name), {...checked, managedBy: [`third-party:${report.provider}`], lastSeen: NOW.toISOString(), source: 'sensor'})
  }

  return [...byKey.values()]
}

/** The expected onboarding of every device, from the core rules alone. */
export function expectedOnboarding(s: Scenario, state: IntegrationsState): ExpectedDevice[] {
  const same = (a: string, b: string) => nameKey(a) === nameKey(b)
  return scenarioDevices(s).map((d) => {
    const member = (c: string) => d.collections.some((x) => same(x, c))
    const deployed = s.policies.filter((p) => p.collections.some(member))
    const provider = thirdPartyOf(d.managedBy)
    const sub = state.defenderForCloud.find((x) => x.subscriptionId === d.subscription)
    const userGroups = d.user !== null && s.userGroupMembers.some((u) => same(u, d.user!)) ? USER_GROUPS : []
    const facts = {
      id: '',
      name: d.name,
      user: d.user,
      groups: d.groups,
      osFamily: d.osFamily,
      osVersion: dottedOsVersion(d),
      managedByIntune: d.managedBy.includes('intune'),
      risk: 'None' as const,
    }
    const reaching: ReachingEdrProfile[] = []
    for (const e of s.edr) {
      const via = edrReach(e, d, userGroups)
      if (via !== null) reaching.push({profile: e.name, connected: edrOnboarding(facts, via, state.intune).onboarded})
    }

    const edr = edrProfileOf(reaching)
    const decision = decideOnboarding({
      device: d,
      onboardingPolicies: deployed.filter((p) => p.type === 'onboarding'),
      offboardingDeployed: deployed.some((p) => p.type === 'offboarding'),
      offboarded: s.offboarded.some((x) => same(x, d.name)),
      dfcSubscription: sub ? {windows: sub.windows, linux: sub.linux} : null,
      thirdPartyEnabled: state.thirdParty.find((p) => p.provider === provider)?.enabled ?? false,
      edr,
      since: SINCE,
    })
    const edrReason = decision.reasonCode === 'intune-edr-not-onboarding' ? edrOnboarding(facts, `EDR profile '${edr!.profile}'`, state.intune).reason : null
    const onboarding: OnboardingState = {
      onboarded: decision.onboarded,
      path: pathOf(decision.reasonCode),
      policy: decision.reasonCode === 'cm-onboarded' ? decision.policy : null,
      reasonCode: decision.reasonCode,
      reason: describeReason(decision.reasonCode, {policy: decision.policy, osName: d.osName, subscription: d.subscription, provider, environment: d.environment, edrReason, offboardedAt: s.offboarded.some((x) => same(x, d.name)) ? NOW.toISOString() : null}),
    }
    return {name: d.name, decision, onboarding}
  })
}

export const byName = <T extends {name: string}>(items: T[]): T[] => [...items].sort((a, b) => compareNoCase(a.name, b.name))
