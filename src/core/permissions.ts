/**
 * Which application permission of which Microsoft API each atpctl operation needs on a real
 * tenant, and, from the roles the tenant's tokens carry, which operations are usable (issue 12:
 * `atpctl status`). Pure: the roles come in, the report goes out.
 */
import type {CapabilityId} from './capabilities.js'

export type PermissionApiKey = 'defender' | 'graph' | 'arm'

/** How the Microsoft Entra admin center names each API under "API permissions". */
export const PERMISSION_API_NAMES: Record<PermissionApiKey, string> = {
  defender: 'WindowsDefenderATP',
  graph: 'Microsoft Graph',
  arm: 'Azure Service Management',
}

export interface PermissionNeed {
  api: PermissionApiKey
  /** Any one of these roles is enough (the first is the least privilege). */
  anyOf: string[]
}

export interface OperationPermissions {
  capability: CapabilityId
  /** What the operation does, as `atpctl status` lists it. */
  operation: string
  /** The commands it serves. */
  commands: string[]
  needs: PermissionNeed[]
}

const MACHINE_READ: PermissionNeed = {api: 'defender', anyOf: ['Machine.Read.All', 'Machine.ReadWrite.All']}
const ALERT_READ: PermissionNeed = {api: 'defender', anyOf: ['Alert.Read.All', 'Alert.ReadWrite.All']}
const GROUP_READ: PermissionNeed = {api: 'graph', anyOf: ['Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All']}
const CONFIG_READ: PermissionNeed = {api: 'graph', anyOf: ['DeviceManagementConfiguration.Read.All', 'DeviceManagementConfiguration.ReadWrite.All']}
const MANAGED_READ: PermissionNeed = {api: 'graph', anyOf: ['DeviceManagementManagedDevices.Read.All', 'DeviceManagementManagedDevices.ReadWrite.All']}
const SERVICE_READ: PermissionNeed = {api: 'graph', anyOf: ['DeviceManagementServiceConfig.Read.All', 'DeviceManagementServiceConfig.ReadWrite.All']}
const SERVICE_CONFIG_READ = SERVICE_READ
const APPS_READ: PermissionNeed = {api: 'graph', anyOf: ['DeviceManagementApps.Read.All', 'DeviceManagementApps.ReadWrite.All']}

/** Every operation the microsoft backend performs and the permissions it needs. */
export const MICROSOFT_OPERATIONS: OperationPermissions[] = [
  {capability: 'devices', operation: 'list and show machines', commands: ['device list', 'device show'], needs: [MACHINE_READ]},
  {capability: 'devices', operation: 'offboard machines', commands: ['device offboard'], needs: [MACHINE_READ, {api: 'defender', anyOf: ['Machine.Offboard']}]},
  {capability: 'monitoring', operation: 'onboarding and health counts', commands: ['monitor'], needs: [MACHINE_READ]},
  {capability: 'alerts', operation: 'list and show alerts', commands: ['alert list', 'alert show'], needs: [ALERT_READ]},
  {capability: 'alerts', operation: 'resolve alerts', commands: ['alert resolve'], needs: [{api: 'defender', anyOf: ['Alert.ReadWrite.All']}]},
  {capability: 'detection', operation: 'EICAR and test-alert checks', commands: ['detect eicar', 'detect test-alert'], needs: [MACHINE_READ, ALERT_READ]},
  // Intune resources through Microsoft Graph (issue 13).
  {capability: 'intune-groups-and-profiles', operation: 'list and show groups', commands: ['group list', 'group show'], needs: [GROUP_READ]},
  {
    capability: 'intune-groups-and-profiles',
    operation: 'create, change and delete groups and their members',
    commands: ['group create', 'group update', 'group delete', 'group add', 'group remove'],
    needs: [{api: 'graph', anyOf: ['Group.ReadWrite.All']}, {api: 'graph', anyOf: ['Device.Read.All', 'Directory.Read.All']}, {api: 'graph', anyOf: ['User.Read.All', 'Directory.Read.All']}, CONFIG_READ, APPS_READ],
  },
  {capability: 'intune-groups-and-profiles', operation: 'list and show EDR profiles with reach and conflicts', commands: ['edr-profile list', 'edr-profile show'], needs: [CONFIG_READ, GROUP_READ, MANAGED_READ, SERVICE_READ]},
  {
    capability: 'intune-groups-and-profiles',
    operation: 'create, change and delete EDR profiles',
    commands: ['edr-profile create', 'edr-profile update', 'edr-profile delete'],
    needs: [{api: 'graph', anyOf: ['DeviceManagementConfiguration.ReadWrite.All']}, GROUP_READ, MANAGED_READ, SERVICE_READ],
  },
  {
    capability: 'intune-groups-and-profiles',
    operation: 'iOS supervised-mode app configuration',
    commands: ['intune app-config ios-supervised', 'intune app-config list', 'intune app-config show', 'intune app-config update', 'intune app-config delete'],
    needs: [{api: 'graph', anyOf: ['DeviceManagementApps.ReadWrite.All']}, GROUP_READ],
  },
  // Issue 13 (G1): Microsoft Graph for the Intune connection, compliance and conditional access.
  {capability: 'integrations', operation: 'read the Intune connection', commands: ['integration list', 'integration show intune'], needs: [SERVICE_CONFIG_READ]},
  {capability: 'intune-connection', operation: 'Intune connection platform toggles', commands: ['integration enable intune', 'integration disable intune'], needs: [{api: 'graph', anyOf: ['DeviceManagementServiceConfig.ReadWrite.All']}]},
  {capability: 'compliance', operation: 'list and show compliance policies', commands: ['compliance list', 'compliance show'], needs: [CONFIG_READ, GROUP_READ]},
  {
    capability: 'compliance',
    operation: 'create, update and delete compliance policies',
    commands: ['compliance create', 'compliance update', 'compliance delete'],
    needs: [{api: 'graph', anyOf: ['DeviceManagementConfiguration.ReadWrite.All']}, GROUP_READ],
  },
  {
    capability: 'compliance',
    operation: 'evaluate compliance',
    commands: ['compliance evaluate', 'access check'],
    needs: [CONFIG_READ, GROUP_READ, SERVICE_CONFIG_READ, {api: 'graph', anyOf: ['DeviceManagementManagedDevices.Read.All', 'DeviceManagementManagedDevices.ReadWrite.All']}, MACHINE_READ],
  },
  {capability: 'conditional-access', operation: 'list and show conditional access policies', commands: ['access policy list', 'access policy show', 'access check'], needs: [{api: 'graph', anyOf: ['Policy.Read.All']}, GROUP_READ]},
  {
    capability: 'conditional-access',
    operation: 'create, change and delete conditional access policies',
    commands: ['access policy create', 'access policy update', 'access policy enable', 'access policy disable', 'access policy delete'],
    needs: [{api: 'graph', anyOf: ['Policy.ReadWrite.ConditionalAccess']}, {api: 'graph', anyOf: ['Policy.Read.All']}, GROUP_READ],
  },
]

/** The roles of each API's token; null when no token could be had for that API (with why). */
export type GrantedRoles = Record<PermissionApiKey, {roles: string[]} | {roles: null; error: string}>

export interface OperationUsability {
  capability: CapabilityId
  operation: string
  commands: string[]
  usable: boolean
  /** The permissions to grant, `Role on API`, one per unmet need (its least privilege). */
  missing: string[]
}

/** For every operation: usable, or which permission is missing on which API. */
export function operationUsability(granted: GrantedRoles, operations: OperationPermissions[] = MICROSOFT_OPERATIONS): OperationUsability[] {
  return operations.map((op) => {
    const missing: string[] = []
    for (const need of op.needs) {
      const roles = granted[need.api].roles ?? []
      if (!need.anyOf.some((r) => roles.includes(r))) missing.push(`${need.anyOf[0]} on ${PERMISSION_API_NAMES[need.api]}`)
    }

    return {capability: op.capability, operation: op.operation, commands: op.commands, usable: missing.length === 0, missing: [...new Set(missing)]}
  })
}

/** What to do about a missing application permission: where to add it, and admin consent. */
export function grantAdvice(permission: string, api: PermissionApiKey): string {
  const where = api === 'defender' ? 'APIs my organization uses > WindowsDefenderATP' : api === 'graph' ? 'Microsoft Graph' : 'Azure Service Management'
  return `Microsoft Entra admin center > App registrations > (your app) > API permissions > Add a permission > ${where} > Application permissions > ${permission}, then Grant admin consent.`
}
