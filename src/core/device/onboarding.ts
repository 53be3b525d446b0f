/**
 * The agent model (CM3, CM6, DC1–DC5, TP1/TP3, IN4): every reason a device is or is not
 * onboarded, as a stable code, the rule that decides it from plain facts (`decideOnboarding`),
 * and the sentence `device show` prints. Pure. The embedded backend computes the same decision
 * set-based in SQL for large inventories; test/core/device/agent-model.differential.test.ts pins
 * that SQL to this function.
 */
import {PROVIDERS} from '../integration/catalogue.js'
import {compareNoCase} from '../names.js'
import type {DeviceRecord, Health, OnboardingPath} from './types.js'

export const ONBOARDED_CODES = ['cm-onboarded', 'dfc-onboarded', 'dfc-reconfigured', 'tp-onboarded', 'sensor-onboarded', 'intune-onboarded'] as const

export const REASON_CODES = [
  ...ONBOARDED_CODES,
  'cm-conflict',
  'cm-offboarded',
  'cm-not-targeted',
  'cm-unsupported-os',
  'cm-up-level-without-file',
  'cm-down-level-without-workspace',
  'cm-sensor-absent',
  'cm-never-seen',
  'dfc-unsupported-os',
  'dfc-no-subscription',
  'dfc-not-connected',
  'dfc-windows-client-azure-vm',
  'dfc-integration-off',
  'dfc-linux-off',
  'dfc-fanotify',
  'dfc-never-seen',
  'tp-integration-off',
  'tp-platform',
  'tp-sensor-absent',
  'tp-never-seen',
  'intune-edr-profile',
  'intune-edr-not-onboarding',
  'intune-never-seen',
  'unmanaged',
  // Issue 12: offboarded by the offboard machine action (`device offboard`). It wins over every
  // path above: an offboarded device is no longer onboarded, whatever manages it (seed 001, DC9).
  'offboarded',
] as const
export type ReasonCode = (typeof REASON_CODES)[number]

/** An onboarding policy deployed to one of the device's collections (CM3, CM4). */
export interface DeployedOnboardingPolicy {
  name: string
  configMgrVersion: number
  /** It carries the onboarding configuration file (up-level). */
  hasFile: boolean
  /** It carries the Workspace key and ID (down-level). */
  hasKey: boolean
}

/** An Intune EDR profile that reaches the device (IN4), and whether it onboards it (IN2). */
export interface ReachingEdrProfile {
  profile: string
  connected: boolean
}

/** Everything the agent model looks at for one device. */
export interface OnboardingFacts {
  device: Pick<
    DeviceRecord,
    'osFamily' | 'level' | 'minConfigMgr' | 'build' | 'multiSession' | 'managedBy' | 'environment' | 'subscription' | 'lastSeen' | 'sensorService' | 'otherFanotifySolution' | 'previousInstall'
  > & {source: 'inventory' | 'sensor'}
  /** Onboarding policies deployed to any collection the device is a member of. */
  onboardingPolicies: readonly DeployedOnboardingPolicy[]
  /** An offboarding policy is deployed to one of its collections. */
  offboardingDeployed: boolean
  /** The offboard machine action ran on it (`device offboard`; seed 001, DC9). */
  offboarded: boolean
  /**
   * The Defender for Cloud state of its subscription, null when the subscription was never
   * enabled. (DC5's Azure China 21Vianet is refused when the integration is enabled, so no
   * enabled subscription is in that cloud.)
   */
  dfcSubscription: {windows: boolean; linux: boolean} | null
  /** Its third-party provider's integration toggle (TP1/TP3); ignored without a provider. */
  thirdPartyEnabled: boolean
  /** The EDR profile that reaches it (see `edrProfileOf`), or null. */
  edr: ReachingEdrProfile | null
  /** ISO start of the health period: a device without data since then is Inactive (CM6). */
  since: string
}

export interface OnboardingDecision {
  reasonCode: ReasonCode
  onboarded: boolean
  health: Health
  /** The policy a reason names: the ConfigMgr policy that covers it, or for intune-* codes the EDR profile. */
  policy: string | null
  /** Counts in the deployment status (CM6): a ConfigMgr client targeted by an onboarding policy whose version supports its OS. */
  eligible: boolean
}

/** The third-party provider of a device: the first `third-party:<id>` manager, or null. */
export function thirdPartyOf(managedBy: readonly string[]): string | null {
  const m = managedBy.find((x) => x.startsWith('third-party:'))
  return m === undefined ? null : m.slice('third-party:'.length)
}

/** IN4: of the EDR profiles that reach a device, one that onboards it wins; then the first by name. */
export function edrProfileOf(reaching: readonly ReachingEdrProfile[]): ReachingEdrProfile | null {
  const first = (list: readonly ReachingEdrProfile[]) => (list.length === 0 ? null : list.reduce((a, b) => (compareNoCase(b.profile, a.profile) < 0 ? b : a)))
  return first(reaching.filter((r) => r.connected)) ?? first(reaching)
}

/** DC5: Windows Server builds Defender for Cloud onboards on Azure VMs (2008 R2 SP1, 2012 R2, 2016 and later). */
const dfcServerBuild = (build: number | null): boolean => build !== null && (build === 7601 || build === 9600 || build >= 14393)
const CONNECTED_ENVIRONMENTS = ['azure-vm', 'azure-arc', 'aws']

/**
 * The agent model for one device. The first path that onboards it wins, in this order:
 * ConfigMgr (CM2/CM3: a deployed policy of a version that supports its OS carries what its
 * level needs, no offboarding policy, sensor present, has reported), Defender for Cloud
 * (DC1–DC5), its third-party provider (TP1/TP3), an Intune EDR profile (IN4). Otherwise the
 * reason is that of its first manager in the same order. Health (CM6): not onboarded; agent
 * state when the sensor service is stopped; inactive without data since `since`; else healthy.
 */
export function decideOnboarding(f: OnboardingFacts): OnboardingDecision {
  const d = f.device
  const configmgr = d.managedBy.includes('configmgr')
  const dfc = d.managedBy.includes('defender-for-cloud')
  const intune = d.managedBy.includes('intune')
  const provider = thirdPartyOf(d.managedBy)
  const sensorPresent = d.sensorService !== 'absent'
  const seen = d.lastSeen !== null

  // CM1/CM2/CM3/CM4 over the policies deployed to its collections.
  const supports = (p: DeployedOnboardingPolicy) => d.minConfigMgr !== null && p.configMgrVersion >= d.minConfigMgr
  const covers = (p: DeployedOnboardingPolicy) => supports(p) && ((d.level === 'up-level' && p.hasFile) || (d.level === 'down-level' && p.hasKey))
  const targeted = f.onboardingPolicies.length > 0
  const supported = f.onboardingPolicies.some(supports)
  const covering = f.onboardingPolicies.filter(covers).map((p) => p.name)
  const coveringPolicy = covering.length === 0 ? null : covering.reduce((a, b) => (compareNoCase(b, a) < 0 ? b : a))

  // DC1–DC5.
  const sub = f.dfcSubscription
  const dfcWindows = sub?.windows === true
  const dfcLinux = sub?.linux === true
  const env = d.environment
  const dfcOk =
    dfc &&
    d.subscription !== null &&
    seen &&
    ((d.osFamily === 'linux' && dfcLinux && !d.otherFanotifySolution && env !== null && CONNECTED_ENVIRONMENTS.includes(env)) ||
      (d.osFamily === 'windows-server' && dfcWindows && (env === 'azure-arc' || env === 'aws' || (env === 'azure-vm' && dfcServerBuild(d.build)))) ||
      (d.osFamily === 'windows' && dfcWindows && (env === 'azure-arc' || env === 'aws' || (env === 'azure-vm' && d.multiSession))))

  // TP1/TP3.
  const platformOk = provider !== null && PROVIDERS.some((p) => p.id === provider && p.platforms.includes(d.osFamily))

  const code = ((): ReasonCode => {
    // The offboard action wins over every onboarding path: its sensor no longer reports here.
    if (f.offboarded) return 'offboarded'
    if (configmgr && coveringPolicy !== null && !f.offboardingDeployed && sensorPresent && seen) return 'cm-onboarded'
    if (dfcOk) return d.previousInstall ? 'dfc-reconfigured' : 'dfc-onboarded'
    if (provider !== null && f.thirdPartyEnabled && platformOk && sensorPresent && seen) return d.source === 'sensor' ? 'sensor-onboarded' : 'tp-onboarded'
    if (f.edr?.connected && sensorPresent && seen) return 'intune-onboarded'
    if (configmgr) {
      if (f.offboardingDeployed) return targeted ? 'cm-conflict' : 'cm-offboarded'
      if (!targeted) return 'cm-not-targeted'
      if (!supported) return 'cm-unsupported-os'
      if (coveringPolicy === null) return d.level === 'up-level' ? 'cm-up-level-without-file' : 'cm-down-level-without-workspace'
      return sensorPresent ? 'cm-never-seen' : 'cm-sensor-absent'
    }

    if (dfc) {
      if (!['windows', 'windows-server', 'linux'].includes(d.osFamily)) return 'dfc-unsupported-os'
      if (d.subscription === null) return 'dfc-no-subscription'
      if (env === null || env === 'on-premises') return 'dfc-not-connected'
      if (d.osFamily === 'windows' && env === 'azure-vm' && !d.multiSession) return 'dfc-windows-client-azure-vm'
      if (d.osFamily === 'windows-server' && env === 'azure-vm' && !dfcServerBuild(d.build)) return 'dfc-unsupported-os'
      if (d.osFamily === 'linux' && !dfcLinux) return dfcWindows ? 'dfc-linux-off' : 'dfc-integration-off'
      if (d.osFamily !== 'linux' && !dfcWindows) return 'dfc-integration-off'
      if (d.osFamily === 'linux' && d.otherFanotifySolution) return 'dfc-fanotify'
      return 'dfc-never-seen'
    }

    if (provider !== null) {
      if (!f.thirdPartyEnabled) return 'tp-integration-off'
      if (!platformOk) return 'tp-platform'
      return sensorPresent ? 'tp-never-seen' : 'tp-sensor-absent'
    }

    if (intune) {
      if (f.edr === null) return 'intune-edr-profile'
      return f.edr.connected ? 'intune-never-seen' : 'intune-edr-not-onboarding'
    }

    return 'unmanaged'
  })()

  const onboarded = (ONBOARDED_CODES as readonly string[]).includes(code)
  const health: Health = !onboarded ? 'not-onboarded' : d.sensorService === 'stopped' ? 'agent-state' : d.lastSeen! < f.since ? 'inactive' : 'healthy'
  const policy = code.startsWith('intune-') ? (f.edr?.profile ?? null) : coveringPolicy
  return {reasonCode: code, onboarded, health, policy, eligible: configmgr && targeted && supported}
}

/** The onboarding path a code stands for (onboarded codes only). */
export function pathOf(code: string): OnboardingPath | null {
  switch (code) {
    case 'cm-onboarded':
      return 'configmgr'
    case 'dfc-onboarded':
    case 'dfc-reconfigured':
      return 'defender-for-cloud'
    case 'tp-onboarded':
      return 'third-party'
    case 'sensor-onboarded':
      return 'sensor'
    case 'intune-onboarded':
      return 'intune'
    default:
      return null
  }
}

export interface ReasonContext {
  policy: string | null
  osName: string
  subscription: string | null
  provider: string | null
  environment: string | null
  /** For intune-edr-not-onboarding: the EDR rule's reason (core/intune/edr.ts). */
  edrReason?: string | null
  /** For offboarded: when the offboard action ran. */
  offboardedAt?: string | null
}

/** One sentence for a reason code: how the device was onboarded, or why not, and what to do. */
export function describeReason(code: string, c: ReasonContext): string {
  switch (code) {
    case 'cm-onboarded':
      return `Onboarded by Configuration Manager policy '${c.policy}'.`
    case 'dfc-onboarded':
      return `Onboarded by Defender for Cloud (subscription ${c.subscription}).`
    case 'dfc-reconfigured':
      return `Onboarded by Defender for Cloud (subscription ${c.subscription}); the previous Defender for Endpoint installation was reconfigured.`
    case 'tp-onboarded':
      return `Onboarded through the third-party integration '${c.provider}'.`
    case 'sensor-onboarded':
      return `Onboarded: its '${c.provider}' sensor reports to this tenant.`
    case 'cm-conflict':
      return 'Not onboarded: an onboarding and an offboarding policy are both deployed to it; remove it from one of the collections.'
    case 'cm-offboarded':
      return 'Offboarded by a Configuration Manager offboarding policy.'
    case 'cm-not-targeted':
      return 'Not onboarded: no onboarding policy is deployed to any of its collections (atpctl policy deploy).'
    case 'cm-unsupported-os':
      return `Not onboarded: ${c.osName} is not supported by the Configuration Manager version of the deployed policies.`
    case 'cm-up-level-without-file':
      return `Not onboarded: ${c.osName} is up-level and the deployed policies have no onboarding configuration file.`
    case 'cm-down-level-without-workspace':
      return `Not onboarded: ${c.osName} is down-level and the deployed policies have no Workspace key and ID.`
    case 'cm-sensor-absent':
      return 'Not onboarded: the policy applies, but the Defender sensor service is absent on the device.'
    case 'cm-never-seen':
      return 'Not onboarded: the policy applies, but the device has never reported (no lastSeen).'
    case 'dfc-unsupported-os':
      return `Not onboarded: Defender for Cloud does not onboard ${c.osName}${c.environment ? ` on ${c.environment}` : ''}.`
    case 'dfc-no-subscription':
      return 'Not onboarded: managed by Defender for Cloud but the inventory gives no subscription.'
    case 'dfc-not-connected':
      return 'Not onboarded: an on-premises machine must be connected with Azure Arc (environment azure-arc) for Defender for Cloud.'
    case 'dfc-windows-client-azure-vm':
      return `Not onboarded: Defender for Cloud does not onboard Azure VMs running ${c.osName} other than Enterprise multi-session.`
    case 'dfc-integration-off':
      return `Not onboarded: the Defender for Cloud integration is off for subscription ${c.subscription} (atpctl integration enable defender-for-cloud --subscription ${c.subscription}).`
    case 'dfc-linux-off':
      return `Not onboarded: Linux is not enabled on subscription ${c.subscription}; run the one-time step: atpctl integration enable defender-for-cloud --subscription ${c.subscription} --linux.`
    case 'dfc-fanotify':
      return 'Skipped: the machine runs another fanotify-based solution.'
    case 'dfc-never-seen':
      return 'Not onboarded: the integration covers it, but the machine has never reported (no lastSeen).'
    case 'tp-integration-off':
      return `Not onboarded: the third-party integration '${c.provider}' is off; its data is blocked.`
    case 'tp-platform':
      return `Not onboarded: provider '${c.provider}' does not cover ${c.osName}.`
    case 'tp-sensor-absent':
      return `Not onboarded: the '${c.provider}' sensor is absent on the device.`
    case 'tp-never-seen':
      return `Not onboarded: the '${c.provider}' sensor has never reported.`
    case 'intune-onboarded':
      return `Onboarded through Intune EDR profile '${c.policy}'.`
    case 'intune-never-seen':
      return `Not onboarded: Intune EDR profile '${c.policy}' applies, but the agent has not reported onboarded.`
    case 'intune-edr-not-onboarding':
      return `Not onboarded: Intune EDR profile '${c.policy}' reaches it, but ${c.edrReason ?? 'it does not onboard it'}.`
    case 'intune-edr-profile':
      return 'Not onboarded: managed by Intune; onboard it with an EDR profile.'
    case 'offboarded':
      return `Offboarded${c.offboardedAt ? ` on ${c.offboardedAt.slice(0, 10)}` : ''} by the offboard action; its sensor no longer reports to this tenant.`
    default:
      return 'Not onboarded: not managed by Configuration Manager, Defender for Cloud, Intune or a third-party provider.'
  }
}
