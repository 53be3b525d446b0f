/**
 * The agent model's vocabulary: every reason a device is or is not onboarded, as a stable code
 * (computed set-based by the backend) and the sentence `device show` prints. Pure.
 */
import type {OnboardingPath} from './types.js'

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
  'dfc-unsupported-cloud',
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
    case 'dfc-unsupported-cloud':
      return 'Not onboarded: Azure China 21Vianet is not supported.'
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
