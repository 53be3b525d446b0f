/**
 * The one model of Microsoft Graph's Intune side behind the stub (issue 13): the directory
 * (users, Entra devices, groups whose members are directory object ids), Intune's managed
 * devices, the Defender for Endpoint connector, compliance policies, conditional access,
 * settings-catalog EDR policies, app configurations and the per-device configuration states.
 * Both route modules serve this one state — graph-intune.ts (connector, compliance, conditional
 * access, `$batch`) and graph-resources.ts (directory, managed devices, EDR policies, app
 * configurations) — so one test can use connector toggles, compliance, access and groups
 * together. Imports nothing from atpctl.
 */
import {randomUUID} from 'node:crypto'

export const DEFENDER_CONNECTOR_ID = 'fc780465-2017-40d4-a0c5-307022471b92'

export interface StubConnector {
  id: string
  lastHeartbeatDateTime: string
  partnerState: 'unavailable' | 'available' | 'enabled' | 'unresponsive'
  androidEnabled: boolean
  iosEnabled: boolean
  windowsEnabled: boolean
  macEnabled: boolean
  androidDeviceBlockedOnMissingPartnerData: boolean
  iosDeviceBlockedOnMissingPartnerData: boolean
  windowsDeviceBlockedOnMissingPartnerData: boolean
  partnerUnsupportedOsVersionBlocked: boolean
  partnerUnresponsivenessThresholdInDays: number
}

export interface StubAssignment {
  id: string
  target: {'@odata.type': string; groupId?: string}
}

export interface StubCompliancePolicy {
  '@odata.type': string
  id: string
  displayName: string
  description: string
  createdDateTime: string
  lastModifiedDateTime: string
  version: number
  deviceThreatProtectionEnabled: boolean
  deviceThreatProtectionRequiredSecurityLevel: string
  scheduledActionsForRule: unknown[]
  assignments: StubAssignment[]
}

export interface StubManagedDevice {
  id: string
  deviceName: string
  operatingSystem: string
  osVersion: string
  azureADDeviceId: string
  userPrincipalName: string | null
  /** Intune's verdict; absent reads as `unknown`. */
  complianceState?: 'compliant' | 'noncompliant' | 'unknown' | 'inGracePeriod' | 'configManager' | 'error' | 'conflict'
  managementAgent: string
}

export interface StubCaPolicy {
  id: string
  displayName: string
  createdDateTime: string
  modifiedDateTime: string | null
  state: 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced'
  conditions: {
    users: {includeUsers: string[]; excludeUsers: string[]; includeGroups: string[]; excludeGroups: string[]}
    applications: {includeApplications: string[]; excludeApplications: string[]}
    clientAppTypes: string[]
  }
  grantControls: {operator: 'AND' | 'OR'; builtInControls: string[]; customAuthenticationFactors: string[]; termsOfUse: string[]}
}

export interface StubGraphUser {
  id: string
  userPrincipalName: string
  displayName: string
}

/** An Entra ID device object (what groups hold); `deviceId` is the device's Entra device id. */
export interface StubGraphDevice {
  id: string
  deviceId: string
  displayName: string
  operatingSystem: string
  operatingSystemVersion: string
  isManaged: boolean
}

export interface StubGraphGroup {
  id: string
  displayName: string
  description: string | null
  mailNickname: string
  mailEnabled: boolean
  securityEnabled: boolean
  groupTypes: string[]
  createdDateTime: string
  /** Directory object ids of users and devices. */
  members: string[]
}

/** One setting state of a deviceConfigurationState (beta), as Intune reports it per device. */
export interface StubSettingState {
  setting: string
  settingName: string
  state: 'compliant' | 'conflict' | 'error' | 'notApplicable'
  currentValue: string | null
  sources: {id: string; displayName: string}[]
}

export interface StubDeviceConfigurationState {
  id: string
  displayName: string
  platformType: string
  state: string
  settingStates: StubSettingState[]
}

export interface StubConfigurationPolicy {
  id: string
  name: string
  description: string
  platforms: string
  technologies: string
  templateReference: {templateId: string; templateFamily: string; templateDisplayName: string; templateDisplayVersion: string}
  settings: {id: string; settingInstance: unknown}[]
  assignments: StubAssignment[]
  createdDateTime: string
  lastModifiedDateTime: string
}

export interface StubMobileAppConfiguration {
  '@odata.type': string
  id: string
  displayName: string
  description: string | null
  targetedMobileApps: string[]
  bundleId?: string
  settings: {appConfigKey: string; appConfigKeyType: string; appConfigKeyValue: string}[]
  assignments: StubAssignment[]
  createdDateTime: string
  lastModifiedDateTime: string
  version: number
}

export interface GraphState {
  users: StubGraphUser[]
  devices: StubGraphDevice[]
  groups: StubGraphGroup[]
  managedDevices: StubManagedDevice[]
  /** Managed device id → the configuration states Intune reports for it. */
  deviceConfigurationStates: Record<string, StubDeviceConfigurationState[]>
  configurationPolicies: StubConfigurationPolicy[]
  mobileAppConfigurations: StubMobileAppConfiguration[]
  /** null: Intune has no Defender for Endpoint connector (the connection was never switched on). */
  connector: StubConnector | null
  compliancePolicies: StubCompliancePolicy[]
  conditionalAccessPolicies: StubCaPolicy[]
  /** The next this many requests inside a `$batch` are answered 429 with Retry-After 1 (Graph throttles items one by one). */
  throttleBatchItems?: number
}

export function emptyGraphState(): GraphState {
  return {users: [], devices: [], groups: [], managedDevices: [], deviceConfigurationStates: {}, configurationPolicies: [], mobileAppConfigurations: [], connector: null, compliancePolicies: [], conditionalAccessPolicies: []}
}

/** A connector as Intune holds it after the Defender portal's switch (partnerState `enabled`, every toggle off). */
export function makeConnector(overrides: Partial<StubConnector> = {}): StubConnector {
  return {
    id: DEFENDER_CONNECTOR_ID,
    lastHeartbeatDateTime: new Date().toISOString(),
    partnerState: 'enabled',
    androidEnabled: false,
    iosEnabled: false,
    windowsEnabled: false,
    macEnabled: false,
    androidDeviceBlockedOnMissingPartnerData: false,
    iosDeviceBlockedOnMissingPartnerData: false,
    windowsDeviceBlockedOnMissingPartnerData: false,
    partnerUnsupportedOsVersionBlocked: false,
    partnerUnresponsivenessThresholdInDays: 7,
    ...overrides,
  }
}

export function makeManagedDevice(overrides: Partial<StubManagedDevice> & {deviceName: string; azureADDeviceId: string}): StubManagedDevice {
  return {id: randomUUID(), operatingSystem: 'Windows', osVersion: '10.0.22631.3880', userPrincipalName: '', complianceState: 'unknown', managementAgent: 'mdm', ...overrides}
}

/** The directory user of a principal name, added when absent. */
export function addUser(state: GraphState, userPrincipalName: string, id: string = randomUUID()): StubGraphUser {
  const found = state.users.find((u) => u.userPrincipalName.toLowerCase() === userPrincipalName.toLowerCase())
  if (found) return found
  const user = {id, userPrincipalName, displayName: userPrincipalName.split('@')[0]}
  state.users.push(user)
  return user
}

/** The Entra device object of an Entra device id, added when absent (named after its managed device, if any). */
export function addDevice(state: GraphState, deviceId: string): StubGraphDevice {
  const found = state.devices.find((d) => d.deviceId === deviceId)
  if (found) return found
  const managed = state.managedDevices.find((m) => m.azureADDeviceId === deviceId)
  const device: StubGraphDevice = {
    id: randomUUID(),
    deviceId,
    displayName: managed?.deviceName ?? deviceId,
    operatingSystem: managed?.operatingSystem ?? 'Windows',
    operatingSystemVersion: managed?.osVersion ?? '10.0.22631.3880',
    isManaged: managed !== undefined,
  }
  state.devices.push(device)
  return device
}

/** A security group with users (by principal name) and devices (by Entra device id) as members, added to the directory. */
export function addGroup(state: GraphState, group: {displayName: string; id?: string; users?: string[]; devices?: string[]}): StubGraphGroup {
  const created: StubGraphGroup = {
    id: group.id ?? randomUUID(),
    displayName: group.displayName,
    description: null,
    mailNickname: group.displayName.replace(/[^A-Za-z0-9]/g, '') || 'group',
    mailEnabled: false,
    securityEnabled: true,
    groupTypes: [],
    createdDateTime: new Date().toISOString(),
    members: [...(group.users ?? []).map((u) => addUser(state, u).id), ...(group.devices ?? []).map((d) => addDevice(state, d).id)],
  }
  state.groups.push(created)
  return created
}
