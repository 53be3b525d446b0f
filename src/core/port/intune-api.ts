/**
 * The Intune side of the Backend (IN1–IN8): groups, EDR profiles, iOS app configuration,
 * compliance policies and their set-based evaluation, and conditional access policies.
 */
import type {AccessPolicy, AccessPolicyCreateRequest} from '../access/rules.js'
import type {CompliancePolicy, CompliancePlatform, DeviceCompliance, MaxRisk} from '../compliance/rules.js'
import type {
  EdrProfile,
  EdrProfileCreateRequest,
  EdrProfileDetail,
  GroupDetail,
  GroupInfo,
  IosAppConfig,
  SettingConflict,
} from '../intune/types.js'
import type {Page, PageRequest} from './page.js'

export interface IntuneApi {
  /** Creates a group; an existing one with the same name is a no-op (created: false). */
  createGroup(request: {name: string; description?: string}): Promise<{group: GroupInfo; created: boolean}>
  /** Adds devices (name or id) and users to a group, creating it when it only existed in the inventory. */
  addGroupMembers(request: {group: string; devices: string[]; users: string[]}): Promise<{group: GroupDetail; added: number}>
  removeGroupMembers(request: {group: string; devices: string[]; users: string[]}): Promise<{group: GroupDetail; removed: number}>
  /** Groups created here plus those named by the device inventory's `groups` column. */
  listGroups(request?: PageRequest): Promise<Page<GroupInfo>>
  showGroup(name: string): Promise<GroupDetail>
  /** Groups a user belongs to (explicit user memberships). */
  userGroups(user: string): Promise<{known: boolean; groups: string[]}>

  /** IN4: a Windows 10 and later EDR profile with its device- and user-group assignments. */
  createEdrProfile(request: EdrProfileCreateRequest): Promise<EdrProfile>
  /** Oldest first (created, name), with each profile's reach. */
  listEdrProfiles(request?: PageRequest): Promise<Page<EdrProfile & {reached: number; onboarded: number; conflicts: number}>>
  /** Reach, onboarding (IN2/IN4) and conflicts (IN5) of one profile, by name or id. */
  showEdrProfile(nameOrId: string): Promise<EdrProfileDetail>
  /** IN5 conflicts on one device (name or id), for `device show`. */
  deviceConflicts(device: string): Promise<SettingConflict[]>

  /** IN6: the supervised-mode app configuration; same name again is a no-op. */
  createIosAppConfig(request: {name: string; assignGroup: string | null}): Promise<{config: IosAppConfig; created: boolean}>
  /** Oldest first (created, name). */
  listAppConfigs(request?: PageRequest): Promise<Page<IosAppConfig>>
}

export interface ComplianceApi {
  create(request: {name: string; description?: string; platform: CompliancePlatform; maxRisk: MaxRisk; assignGroup?: string}): Promise<CompliancePolicy>
  /** Oldest first (created, name). */
  list(request?: PageRequest): Promise<Page<CompliancePolicy>>
  /** IN2 + IN7 for every device (or one, by name or id), in one set-based pass. */
  evaluate(filter?: {device?: string}): Promise<DeviceCompliance[]>
}

export interface AccessApi {
  /** IN8: a custom conditional access policy. */
  createPolicy(request: AccessPolicyCreateRequest): Promise<AccessPolicy>
  /** Every policy, the protected classic one first. */
  listPolicies(request?: PageRequest): Promise<Page<AccessPolicy>>
  /** Enables or disables a custom policy; the classic one is refused (IN3). */
  setPolicyEnabled(nameOrId: string, enabled: boolean): Promise<{policy: AccessPolicy; changed: boolean}>
  /** Deletes a custom policy; the classic one is refused (IN3). */
  deletePolicy(nameOrId: string): Promise<AccessPolicy>
}
