/**
 * Random Intune tenants for the compliance and access differential tests: an inventory of
 * Intune platforms (and others), groups by inventory, explicit device and user members (some
 * names outside ASCII, in several cases), compliance policies created at the same or later
 * times, and the expected compliance of every device from the core rules alone.
 */
import {type CompliancePolicy, type DeviceCompliance, judgeCompliance, strictestPolicy} from '../../../src/core/compliance/rules.js'
import {normaliseRow} from '../../../src/core/device/inventory.js'
import {dottedOsVersion} from '../../../src/core/device/os.js'
import type {DeviceRecord} from '../../../src/core/device/types.js'
import type {IntuneState} from '../../../src/core/integration/types.js'
import {foldAscii} from '../../../src/core/names.js'
import type {Backend} from '../../../src/core/port/types.js'
import type {Random} from '../../helpers/random.js'

export const NOW = new Date('2026-11-20T12:00:00Z')

const OSES: [string, string | null][] = [
  ['Windows 10 Enterprise', '10.0.19045'],
  ['Windows 10 Enterprise', '10.0.14393'],
  ['Windows 11 Pro', '10.0.22631'],
  ['Windows 10 Pro', null],
  ['Android', '12'],
  ['Android', '5.1'],
  ['iOS', '17.1'],
  ['iOS', '7.1.2'],
  ['macOS 14.4', null],
  ['Windows Server 2019 Standard', null],
]
export const USERS = ['alice@contoso.com', 'ALICE@contoso.com', 'bob@contoso.com', 'JÜRGEN@contoso.com', 'jürgen@contoso.com']
const INVENTORY_GROUPS = ['Finance', 'finance', 'Sales', 'Ärzte']
export const MANAGED_GROUPS = ['Field users', 'VIP']

export interface IntuneScenario {
  records: DeviceRecord[]
  /** Explicit members of the managed groups: device names and users. */
  members: Record<string, {devices: string[]; users: string[]}>
  intune: {enabled: boolean; windows: boolean; android: boolean; ios: boolean}
  policies: {name: string; platform: CompliancePolicy['platform']; maxRisk: CompliancePolicy['maxRisk']; assignGroup: string | null; later: boolean}[]
}

const flip = (r: Random, s: string) => [...s].map((c) => (r.chance(0.3) ? c.toUpperCase() : c)).join('')

export function randomIntuneScenario(r: Random, devices: number, prefix: string): IntuneScenario {
  const records = Array.from({length: devices}, (_, i) => {
    const [os, version] = r.pick(OSES)
    return normaliseRow(
      {
        name: `${prefix}-${i}`,
        os,
        version,
        managedBy: r.chance(0.85) ? 'intune' : 'configmgr',
        user: r.chance(0.7) ? r.pick(USERS) : null,
        groups: r.subset(INVENTORY_GROUPS, 0.3),
        lastSeen: '2026-11-20T10:00:00Z',
      },
      i + 2,
    )
  })
  const members: IntuneScenario['members'] = {}
  for (const g of MANAGED_GROUPS) members[g] = {devices: r.subset(records, 0.15).map((d) => d.name), users: r.subset(USERS, 0.4)}
  const groups = [...INVENTORY_GROUPS.filter((g) => records.some((d) => d.groups.includes(g))), ...MANAGED_GROUPS]
  // Windows and low more often: policies of one platform and maximum tie on rank, so time and name decide.
  const platforms = ['android-device-admin', 'android-enterprise', 'ios', 'windows', 'windows'] as const
  return {
    records,
    members,
    intune: {enabled: r.chance(0.85), windows: r.chance(0.8), android: r.chance(0.8), ios: r.chance(0.8)},
    policies: Array.from({length: r.int(1, 7)}, (_, i) => ({
      name: `${r.pick(['cp', 'CP', 'Cp'])}-${r.pick(['a', 'B', 'c'])}${i}`,
      platform: r.pick(platforms),
      maxRisk: r.pick(['clear', 'low', 'low', 'medium', 'high'] as const),
      assignGroup: r.chance(0.3) || groups.length === 0 ? null : flip(r, r.pick(groups)),
      later: r.chance(0.25),
    })),
  }
}

/** Applies it; returns the clock so callers can keep it. */
export async function applyIntuneScenario(backend: Backend, s: IntuneScenario, clock: {now: Date}): Promise<void> {
  await backend.devices.import({records: s.records})
  await backend.integrations.setIntune(s.intune.enabled, {windows: s.intune.windows, android: s.intune.android, ios: s.intune.ios})
  for (const [group, m] of Object.entries(s.members)) {
    await backend.intune.createGroup({name: group})
    if (m.devices.length > 0 || m.users.length > 0) await backend.intune.addGroupMembers({group, devices: m.devices, users: m.users})
  }

  for (const p of s.policies) {
    // Policies created in the same second tie on their creation time: the name decides then.
    if (p.later) clock.now = new Date(clock.now.getTime() + 1000)
    await backend.compliance.create({name: p.name, platform: p.platform, maxRisk: p.maxRisk, assignGroup: p.assignGroup ?? undefined})
  }
}

/** The user's explicit groups, as the database compares members (ASCII case folded). */
export function groupsOfUser(s: IntuneScenario, user: string): string[] {
  return Object.entries(s.members)
    .filter(([, m]) => m.users.some((u) => foldAscii(u) === foldAscii(user)))
    .map(([g]) => g)
}

/** Every device's compliance from the core rules, on the scenario's data and the stored policies. */
export function expectedCompliance(s: IntuneScenario, policies: CompliancePolicy[], connection: IntuneState, ids: Map<string, string>): Map<string, DeviceCompliance> {
  const out = new Map<string, DeviceCompliance>()
  for (const d of s.records) {
    const deviceGroups = [...d.groups, ...Object.entries(s.members).filter(([, m]) => m.devices.includes(d.name)).map(([g]) => g)]
    const userGroups = d.user === null ? [] : groupsOfUser(s, d.user)
    out.set(
      d.name,
      judgeCompliance(
        {
          deviceId: ids.get(d.name)!,
          deviceName: d.name,
          osFamily: d.osFamily,
          osVersion: dottedOsVersion(d),
          managedByIntune: d.managedBy.includes('intune'),
          risk: 'None',
          strictest: strictestPolicy(d.osFamily, policies, deviceGroups, userGroups),
        },
        connection,
      ),
    )
  }

  return out
}
