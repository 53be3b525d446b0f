/**
 * The Intune side of the Backend (IN1–IN8): groups, EDR profiles, iOS app configuration,
 * compliance policies and their set-based evaluation, and conditional access policies.
 *
 * Every resource here has create, get, list, update and delete (issue 11 item 8), with one
 * lifecycle (src/core/intune/lifecycle.ts): the same create again is a no-op (`changed:
 * false`), the same name with other content is a ConflictError (exit 4, CONFLICT), an update
 * re-runs every rule of the create, and deleting something in use is refused with
 * REFUSED_IN_USE (exit 4, `details.affects`) unless `force` is set.
 */
import type {AccessPolicy, AccessPolicyCreateRequest, AccessPolicyUpdateRequest} from '../access/rules.js'
import type {CompliancePolicy, CompliancePolicyUpdateRequest, CompliancePlatform, DeviceCompliance, MaxRisk} from '../compliance/rules.js'
import type {
  EdrProfile,
  EdrProfileCreateRequest,
  EdrProfileDetail,
  EdrProfileUpdateRequest,
  GroupDetail,
  GroupInfo,
  IosAppConfig,
  SettingConflict,
} from '../intune/types.js'
import type {Page, PageRequest} from './page.js'

/** Deleting something in use needs `force: true` (the CLI sets it after asking, or with --yes). */
export interface DeleteOptions {
  force?: boolean
}

/** A deletion: what was deleted, and what it affected (empty when nothing used it). */
export type Deleted<K extends string, T> = {[key in K]: T} & {changed: true; affects: string[]}

export interface IntuneApi {
  /** Creates a group; the same again is a no-op (created/changed: false), another description a conflict. */
  createGroup(request: {name: string; description?: string}): Promise<{group: GroupInfo; created: boolean; changed: boolean}>
  /** Changes a group's description (members change with add/remove). */
  updateGroup(name: string, request: {description: string | null}): Promise<{group: GroupInfo; changed: boolean}>
  /**
   * Deletes a group created with atpctl and its explicit members. Refused while EDR profiles,
   * compliance or access policies or app configurations name it, unless forced; a group the
   * device inventory still names stays listed (`stillInInventory`), one only the inventory
   * names cannot be deleted (exit 4).
   */
  deleteGroup(name: string, options?: DeleteOptions): Promise<Deleted<'group', GroupInfo> & {stillInInventory: boolean}>
  /** Adds devices (name or id) and users to a group, creating it when it only existed in the inventory. */
  addGroupMembers(request: {group: string; devices: string[]; users: string[]}): Promise<{group: GroupDetail; added: number}>
  removeGroupMembers(request: {group: string; devices: string[]; users: string[]}): Promise<{group: GroupDetail; removed: number}>
  /** Groups created here plus those named by the device inventory's `groups` column. */
  listGroups(request?: PageRequest): Promise<Page<GroupInfo>>
  showGroup(name: string): Promise<GroupDetail>
  /** Groups a user belongs to (explicit user memberships). */
  userGroups(user: string): Promise<{known: boolean; groups: string[]}>

  /** IN4: a Windows 10 and later EDR profile with its device- and user-group assignments. */
  createEdrProfile(request: EdrProfileCreateRequest): Promise<{profile: EdrProfile; changed: boolean}>
  /** Changes settings and assignments (lists replace), with the create's rules (IN4). */
  updateEdrProfile(nameOrId: string, request: EdrProfileUpdateRequest): Promise<{profile: EdrProfile; changed: boolean}>
  /** Deletes a profile; one that is assigned is in use. */
  deleteEdrProfile(nameOrId: string, options?: DeleteOptions): Promise<Deleted<'profile', EdrProfile>>
  /** Oldest first (created, name), with each profile's reach. */
  listEdrProfiles(request?: PageRequest): Promise<Page<EdrProfile & {reached: number; onboarded: number; conflicts: number}>>
  /** Reach, onboarding (IN2/IN4) and conflicts (IN5) of one profile, by name or id. */
  showEdrProfile(nameOrId: string): Promise<EdrProfileDetail>
  /** IN5 conflicts on one device (name or id), for `device show`. */
  deviceConflicts(device: string): Promise<SettingConflict[]>

  /** IN6: the supervised-mode app configuration; same name and target again is a no-op. */
  createIosAppConfig(request: {name: string; assignGroup: string | null}): Promise<{config: IosAppConfig; created: boolean; changed: boolean}>
  /** Oldest first (created, name). */
  listAppConfigs(request?: PageRequest): Promise<Page<IosAppConfig>>
  showAppConfig(nameOrId: string): Promise<IosAppConfig>
  /** Retargets an app configuration: a group, or all devices (null). */
  updateAppConfig(nameOrId: string, request: {assignGroup: string | null}): Promise<{config: IosAppConfig; changed: boolean}>
  /** Deletes an app configuration; it is always assigned, so always in use. */
  deleteAppConfig(nameOrId: string, options?: DeleteOptions): Promise<Deleted<'config', IosAppConfig>>
}

export interface ComplianceApi {
  /** IN7; the same again is a no-op (changed: false), other settings under the name a conflict. */
  create(request: {name: string; description?: string; platform: CompliancePlatform; maxRisk: MaxRisk; assignGroup?: string}): Promise<{policy: CompliancePolicy; changed: boolean}>
  /** Oldest first (created, name). */
  list(request?: PageRequest): Promise<Page<CompliancePolicy>>
  get(nameOrId: string): Promise<CompliancePolicy>
  update(nameOrId: string, request: CompliancePolicyUpdateRequest): Promise<{policy: CompliancePolicy; changed: boolean}>
  /** Deletes a policy; one that decides the compliance of a device is in use. */
  delete(nameOrId: string, options?: DeleteOptions): Promise<Deleted<'policy', CompliancePolicy>>
  /** IN2 + IN7 for every device (or one, by name or id), in one set-based pass. */
  evaluate(filter?: {device?: string}): Promise<DeviceCompliance[]>
}

export interface AccessApi {
  /** IN8: a custom conditional access policy; the same again is a no-op (changed: false). */
  createPolicy(request: AccessPolicyCreateRequest): Promise<{policy: AccessPolicy; changed: boolean}>
  /** Every policy, the protected classic one first. */
  listPolicies(request?: PageRequest): Promise<Page<AccessPolicy>>
  getPolicy(nameOrId: string): Promise<AccessPolicy>
  /** Changes a custom policy's users, apps, clients or grant (IN8); the classic one is refused (IN3). */
  updatePolicy(nameOrId: string, request: AccessPolicyUpdateRequest): Promise<{policy: AccessPolicy; changed: boolean}>
  /** Enables or disables a custom policy; the classic one is refused (IN3). */
  setPolicyEnabled(nameOrId: string, enabled: boolean): Promise<{policy: AccessPolicy; changed: boolean}>
  /** Deletes a custom policy (an enabled one is in use); the classic one is refused (IN3), forced or not. */
  deletePolicy(nameOrId: string, options?: DeleteOptions): Promise<Deleted<'policy', AccessPolicy>>
}
