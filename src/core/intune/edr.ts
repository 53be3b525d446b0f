import {UsageError} from '../errors.js'
import type {IntuneState} from '../integration/types.js'
import type {EdrDeviceState, EdrProfile, EdrProfileCreateRequest, IntuneDeviceFacts, SampleSharing, SettingConflict} from './types.js'
import {connectionCovers, intunePlatformOf} from './versions.js'
import {escapeName, NAME_RULES, optionalText, requireName} from '../names.js'

export const SAMPLE_SHARING = ['none', 'all'] as const

/** Settings-catalog ids of the EDR template (REFERENCE §4.3), for the Graph-shaped view. */
export const EDR_SETTING_IDS = {
  sampleSharing: 'device_vendor_msft_windowsadvancedthreatprotection_configuration_samplesharing',
  telemetry: 'device_vendor_msft_windowsadvancedthreatprotection_configuration_telemetryreportingfrequency',
  configurationType: 'device_vendor_msft_windowsadvancedthreatprotection_configurationtype',
} as const

export function parseSampleSharing(value: string): SampleSharing {
  if ((SAMPLE_SHARING as readonly string[]).includes(value)) return value as SampleSharing
  throw new UsageError(`Unknown sample sharing '${escapeName(value)}'.`, {suggestions: ['Use none or all.']})
}

export function checkEdrProfileRequest(request: EdrProfileCreateRequest): void {
  requireName(request.name, NAME_RULES.edrProfile, ['Pass --name "EDR onboarding".'])
  if (request.description !== undefined && request.description !== null) optionalText(request.description, NAME_RULES.description)
  parseSampleSharing(request.sampleSharing)
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/**
 * IN4: how a profile reaches a device. A device-group assignment reaches the group's devices;
 * a user-group assignment reaches a device only once a member has signed in there (the
 * inventory's `user`), so a device nobody has signed in on is not reached through users.
 */
export function edrReach(profile: Pick<EdrProfile, 'deviceGroups' | 'userGroups'>, device: Pick<IntuneDeviceFacts, 'groups' | 'user'>, userGroups: string[]): string | null {
  const byDevice = profile.deviceGroups.find((g) => device.groups.some((d) => same(d, g)))
  if (byDevice) return `device group '${byDevice}'`
  if (device.user === null) return null
  const byUser = profile.userGroups.find((g) => userGroups.some((u) => same(u, g)))
  return byUser ? `user group '${byUser}' (user ${device.user} signed in)` : null
}

/**
 * IN2 + IN4: whether a reached device is onboarded through the profile: Windows 10 and later,
 * managed by Intune, and connected (Windows toggle on, at 10.0.15063 or later).
 */
export function edrOnboarding(device: IntuneDeviceFacts, via: string | null, connection: IntuneState): EdrDeviceState {
  const base = {deviceId: device.id, deviceName: device.name, user: device.user, via}
  if (via === null) return {...base, onboarded: false, reason: 'not assigned'}
  if (intunePlatformOf(device.osFamily) !== 'windows') return {...base, onboarded: false, reason: `EDR profiles are for Windows 10 and later, not ${device.osFamily}`}
  if (!device.managedByIntune) return {...base, onboarded: false, reason: 'the device is not managed by Intune'}
  const covered = connectionCovers(connection, 'windows', device.osVersion)
  if (!covered.connected) return {...base, onboarded: false, reason: covered.reason}
  return {...base, onboarded: true, reason: `onboarded through ${via}`}
}

/** What another onboarding policy (a ConfigMgr Defender ATP policy) sets on a device. */
export interface OtherOnboardingPolicy {
  type: string
  name: string
  sampleSharing: SampleSharing
}

/**
 * IN5: settings an EDR profile and a policy of another type both manage on one device, with
 * different values. Sample sharing is the setting both types carry.
 */
export function findConflicts(
  device: Pick<IntuneDeviceFacts, 'id' | 'name'>,
  profiles: Pick<EdrProfile, 'name' | 'sampleSharing'>[],
  others: OtherOnboardingPolicy[],
): SettingConflict[] {
  const conflicts: SettingConflict[] = []
  for (const profile of profiles) {
    for (const other of others) {
      if (other.sampleSharing !== profile.sampleSharing) {
        conflicts.push({
          deviceId: device.id,
          deviceName: device.name,
          setting: 'sample sharing',
          edrProfile: profile.name,
          edrValue: profile.sampleSharing,
          otherPolicyType: other.type,
          otherPolicy: other.name,
          otherValue: other.sampleSharing,
        })
      }
    }
  }

  return conflicts
}

/** The profile as Graph's settings-catalog configurationPolicies POST body would carry it (REFERENCE §4.3). */
export function edrGraphBody(profile: EdrProfile): Record<string, unknown> {
  const choice = (id: string, value: string) => ({
    '@odata.type': '#microsoft.graph.deviceManagementConfigurationSetting',
    settingInstance: {
      '@odata.type': '#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance',
      settingDefinitionId: id,
      choiceSettingValue: {value: `${id}_${value}`, children: []},
    },
  })
  return {
    name: profile.name,
    description: profile.description ?? '',
    platforms: 'windows10',
    technologies: 'mdm,microsoftSense',
    settings: [
      choice(EDR_SETTING_IDS.configurationType, 'autofromconnector'),
      choice(EDR_SETTING_IDS.sampleSharing, profile.sampleSharing === 'all' ? '1' : '0'),
      choice(EDR_SETTING_IDS.telemetry, profile.expediteTelemetry ? '2' : '1'),
    ],
  }
}
