import {UsageError} from '../errors.js'
import type {IntunePlatform} from '../integration/catalogue.js'
import type {IntuneState} from '../integration/types.js'
import type {DeviceRisk} from '../intune/types.js'
import {DEVICE_RISKS} from '../intune/types.js'
import {connectionCovers, intunePlatformOf, PLATFORM_LABEL} from '../intune/versions.js'
import {compareNoCase, escapeName, foldAscii} from '../names.js'

/** IN7: compliance policy platforms as the Intune portal offers them. */
export const COMPLIANCE_PLATFORMS = ['android-device-admin', 'android-enterprise', 'ios', 'windows'] as const
export type CompliancePlatform = (typeof COMPLIANCE_PLATFORMS)[number]

/** IN7: maximum allowed machine risk; `clear` is Microsoft's "secured". */
export const MAX_RISKS = ['clear', 'low', 'medium', 'high'] as const
export type MaxRisk = (typeof MAX_RISKS)[number]

/** Graph's deviceThreatProtectionLevel for each maximum (REFERENCE §4.2). */
export const GRAPH_THREAT_LEVEL: Record<MaxRisk, string> = {clear: 'secured', low: 'low', medium: 'medium', high: 'high'}

/** Order of risks: a device is noncompliant when its rank is above the policy's maximum rank. */
export const RISK_RANK: Record<DeviceRisk, number> = {None: 0, Informational: 1, Low: 2, Medium: 3, High: 4}
/** clear allows nothing at all (no active alert, even informational); low allows low and informational. */
export const MAX_RISK_RANK: Record<MaxRisk, number> = {clear: 0, low: 2, medium: 3, high: 4}

export const riskLabel = (risk: DeviceRisk): string => risk
export const maxRiskLabel = (max: MaxRisk): string => max.charAt(0).toUpperCase() + max.slice(1)

export function riskFromRank(rank: number): DeviceRisk {
  return DEVICE_RISKS[Math.max(0, Math.min(4, rank))]
}

/** The Intune connector platform a compliance policy platform judges. */
export function connectorPlatform(platform: CompliancePlatform): IntunePlatform {
  return platform === 'ios' ? 'ios' : platform === 'windows' ? 'windows' : 'android'
}

export function parseCompliancePlatform(value: string): CompliancePlatform {
  if ((COMPLIANCE_PLATFORMS as readonly string[]).includes(value)) return value as CompliancePlatform
  throw new UsageError(`Unknown compliance platform '${escapeName(value)}'.`, {suggestions: [`Use one of: ${COMPLIANCE_PLATFORMS.join(', ')}.`]})
}

export function parseMaxRisk(value: string): MaxRisk {
  const v = value.toLowerCase() === 'secured' ? 'clear' : value.toLowerCase()
  if ((MAX_RISKS as readonly string[]).includes(v)) return v as MaxRisk
  throw new UsageError(`Unknown maximum risk '${escapeName(value)}'.`, {suggestions: [`Use one of: ${MAX_RISKS.join(', ')}.`]})
}

export interface CompliancePolicy {
  id: string
  name: string
  description: string | null
  platform: CompliancePlatform
  maxRisk: MaxRisk
  /** Group the policy is assigned to (device or user group); null: every device of the platform. */
  assignGroup: string | null
  createdAt: string
}

/** What `compliance update` changes; a field left out keeps its value. assignGroup null: all devices of the platform. */
export interface CompliancePolicyUpdateRequest {
  description?: string | null
  platform?: CompliancePlatform
  maxRisk?: MaxRisk
  assignGroup?: string | null
}

export type ComplianceStatus = 'compliant' | 'noncompliant' | 'not-evaluated'

/** The verdict for one device, with the reason in words. */
export interface DeviceCompliance {
  deviceId: string
  deviceName: string
  platform: IntunePlatform | null
  status: ComplianceStatus
  risk: DeviceRisk
  /** The deciding policy: the violated one, else the strictest assigned one. */
  policy: string | null
  maxRisk: MaxRisk | null
  reason: string
}

/** The facts the verdict depends on, as the backend gathers them in one set-based query. */
export interface ComplianceFacts {
  deviceId: string
  deviceName: string
  osFamily: string
  osVersion: string
  managedByIntune: boolean
  risk: DeviceRisk
  /** The strictest policy assigned to the device for its platform (lowest maximum), if any. */
  strictest: {name: string; maxRisk: MaxRisk} | null
}

/**
 * IN2 + IN7: judges one device. Not evaluated when it is not an Intune platform, not managed
 * by Intune, or not connected (toggle off, below the minimum version); otherwise noncompliant
 * when its risk is above the maximum of the strictest assigned policy. A device without any
 * assigned policy is compliant, as Intune's default "mark devices with no compliance policy
 * as compliant" has it.
 */
export function judgeCompliance(facts: ComplianceFacts, connection: IntuneState): DeviceCompliance {
  const platform = intunePlatformOf(facts.osFamily)
  const base = {deviceId: facts.deviceId, deviceName: facts.deviceName, platform, risk: facts.risk}
  const notEvaluated = (reason: string): DeviceCompliance => ({...base, status: 'not-evaluated', policy: null, maxRisk: null, reason})
  if (!platform) return notEvaluated(`${facts.osFamily} is not an Intune compliance platform (Android, iOS, Windows 10 and later)`)
  if (!facts.managedByIntune) return notEvaluated('the device is not managed by Intune')
  const covered = connectionCovers(connection, platform, facts.osVersion)
  if (!covered.connected) return notEvaluated(covered.reason)
  const risk = riskLabel(facts.risk)
  if (!facts.strictest) {
    return {...base, status: 'compliant', policy: null, maxRisk: null, reason: `no ${PLATFORM_LABEL[platform]} compliance policy is assigned (Intune marks such devices compliant); device risk ${risk}`}
  }

  const {name, maxRisk} = facts.strictest
  const max = maxRiskLabel(maxRisk)
  if (RISK_RANK[facts.risk] > MAX_RISK_RANK[maxRisk]) {
    const detail = maxRisk === 'clear' ? ' (clear allows no active alert)' : ''
    return {...base, status: 'noncompliant', policy: name, maxRisk, reason: `device risk ${risk} is above the maximum ${max} of policy '${name}'${detail}`}
  }

  return {...base, status: 'compliant', policy: name, maxRisk, reason: `device risk ${risk} is within the maximum ${max} of policy '${name}'`}
}

/**
 * Whether a policy is assigned to a device: no group means all devices; else device or
 * signed-in user membership. Group names compare with ASCII case folded, as the embedded
 * backend's set-based evaluation does (pinned by test/core/compliance/strictest.differential.test.ts).
 */
export function policyAssigned(policy: Pick<CompliancePolicy, 'assignGroup'>, deviceGroups: readonly string[], userGroups: readonly string[]): boolean {
  if (policy.assignGroup === null) return true
  const g = foldAscii(policy.assignGroup)
  return deviceGroups.some((x) => foldAscii(x) === g) || userGroups.some((x) => foldAscii(x) === g)
}

/** The order of policies by strictness: lowest maximum first, then the first created, then by name. */
export function compareStrictness(a: Pick<CompliancePolicy, 'maxRisk' | 'createdAt' | 'name'>, b: Pick<CompliancePolicy, 'maxRisk' | 'createdAt' | 'name'>): number {
  const rank = MAX_RISK_RANK[a.maxRisk] - MAX_RISK_RANK[b.maxRisk]
  if (rank !== 0) return rank
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1
  return compareNoCase(a.name, b.name)
}

/** IN7: the strictest policy of the device's platform among those assigned to it (see compareStrictness). */
export function strictestPolicy(
  osFamily: string,
  policies: readonly CompliancePolicy[],
  deviceGroups: readonly string[],
  userGroups: readonly string[],
): {name: string; maxRisk: MaxRisk} | null {
  const platform = intunePlatformOf(osFamily)
  let best: CompliancePolicy | null = null
  for (const p of policies) {
    if (connectorPlatform(p.platform) !== platform || !policyAssigned(p, deviceGroups, userGroups)) continue
    if (!best || compareStrictness(p, best) < 0) best = p
  }

  return best ? {name: best.name, maxRisk: best.maxRisk} : null
}

export interface ComplianceSummary {
  devices: number
  compliant: number
  noncompliant: number
  notEvaluated: number
}

export function summarise(results: DeviceCompliance[]): ComplianceSummary {
  const s = {devices: results.length, compliant: 0, noncompliant: 0, notEvaluated: 0}
  for (const r of results) {
    if (r.status === 'compliant') s.compliant++
    else if (r.status === 'noncompliant') s.noncompliant++
    else s.notEvaluated++
  }

  return s
}
