import type {IntunePlatform} from '../integration/catalogue.js'

/** Device risk as Defender reports it: None without active alerts, else the highest active severity (same spelling as the alerts' RiskLevel). */
export const DEVICE_RISKS = ['None', 'Informational', 'Low', 'Medium', 'High'] as const
export type DeviceRisk = (typeof DEVICE_RISKS)[number]

/** Group member kinds: devices (inventory `groups` column or `group add --device`) and users. */
export type GroupMemberKind = 'device' | 'user'

export interface GroupMember {
  kind: GroupMemberKind
  member: string
  /** 'inventory' when the device inventory's `groups` column puts it there, else 'explicit'. */
  source: 'explicit' | 'inventory'
}

export interface GroupInfo {
  name: string
  description: string | null
  /** null for a group that exists only because the device inventory names it. */
  createdAt: string | null
  devices: number
  users: number
}

export interface GroupDetail extends GroupInfo {
  members: GroupMember[]
}

/** What the Intune rules need to know about one device (from the inventory and the alerts). */
export interface IntuneDeviceFacts {
  id: string
  name: string
  /** The user who signed in there (inventory `user`), if any. */
  user: string | null
  /** Device groups: the inventory's `groups` plus explicit `group add --device` memberships. */
  groups: string[]
  osFamily: string
  osVersion: string
  managedByIntune: boolean
  risk: DeviceRisk
}

export type SampleSharing = 'none' | 'all'

/** IN4: an Endpoint detection and response profile, platform Windows 10 and later. */
export interface EdrProfile {
  id: string
  name: string
  description: string | null
  platform: 'windows10'
  sampleSharing: SampleSharing
  expediteTelemetry: boolean
  deviceGroups: string[]
  userGroups: string[]
  createdAt: string
}

/** What `edr-profile update` changes; a field left out keeps its value, lists replace the old ones. */
export interface EdrProfileUpdateRequest {
  description?: string | null
  sampleSharing?: SampleSharing
  expediteTelemetry?: boolean
  deviceGroups?: string[]
  userGroups?: string[]
}

export interface EdrProfileCreateRequest {
  name: string
  description?: string | null
  sampleSharing: SampleSharing
  expediteTelemetry: boolean
  deviceGroups: string[]
  userGroups: string[]
}

/** Whether and why a profile reaches a device and onboards it (IN2, IN4). */
export interface EdrDeviceState {
  deviceId: string
  deviceName: string
  user: string | null
  /** How the profile reaches the device, e.g. "device group 'Finance'"; null when it does not. */
  via: string | null
  onboarded: boolean
  reason: string
}

/** IN5: one device where two policies of different types set one setting differently. */
export interface SettingConflict {
  deviceId: string
  deviceName: string
  setting: string
  edrProfile: string
  edrValue: string
  otherPolicyType: string
  otherPolicy: string
  otherValue: string
}

export interface EdrProfileDetail {
  profile: EdrProfile
  devices: EdrDeviceState[]
  /** Users of the assigned user groups who have not signed in on any device yet. */
  waitingUsers: string[]
  conflicts: SettingConflict[]
}

/** IN6: the managed-devices app configuration for Defender on supervised iOS. */
export interface IosAppConfig {
  id: string
  name: string
  platform: 'ios'
  targetedApp: string
  bundleId: string
  settings: {key: string; valueType: 'string'; value: string}[]
  assignment: string
  /** The targeted group; null when it targets all devices. */
  assignGroup: string | null
  createdAt: string
}

export type {IntunePlatform}
