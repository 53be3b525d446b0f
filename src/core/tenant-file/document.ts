/**
 * `atpctl.yaml`, one tenant's set-up as code (issue 14): the typed form a parsed, schema-checked
 * file takes, and the form `export` produces. The device inventory is not in it (it comes from
 * `device import`); static collection members and explicit group members are named. Secrets
 * appear only as references, never inline.
 *
 * Every list is sorted by name on export so diffs stay small; `apply` resolves references when it
 * runs, never before, so a plan file carries no secret either.
 */
import type {ClientApp, GrantControl} from '../access/rules.js'
import type {CompliancePlatform, MaxRisk} from '../compliance/rules.js'
import type {Cloud} from '../integration/catalogue.js'
import type {PolicyType, SampleSharing} from '../policy/types.js'
import type {Location} from '../tenant/model.js'

export const TENANT_FILE_VERSION = 'atpctl/v1'

/** A secret by reference: an environment variable, or a file (read when apply runs). */
export type SecretReference = {env: string} | {file: string}

export interface TenantSection {
  /** Checked, never changed (T1): a plan against a tenant elsewhere is a blocking prediction. */
  location: Location
}

export interface ThirdPartyEntry {
  /** The provider id of `integration show` (e.g. `bitdefender`). */
  provider: string
  enabled: boolean
}

export interface IntuneSection {
  enabled: boolean
  /** The platform toggles (IN2); a platform left out stays as it is. */
  android?: boolean
  ios?: boolean
  windows?: boolean
}

export interface DefenderForCloudEntry {
  subscriptionId: string
  cloud: Cloud
  windows: boolean
  linux: boolean
}

export interface IntegrationsSection {
  thirdParty?: ThirdPartyEntry[]
  intune?: IntuneSection
  defenderForCloud?: DefenderForCloudEntry[]
}

export interface GroupEntry {
  name: string
  description?: string | null
  /** Explicit members (device names, user principal names); inventory memberships are not listed. */
  devices?: string[]
  users?: string[]
}

export interface CollectionEntry {
  name: string
  limitTo?: string | null
  rules?: string[]
  /** Devices added directly (by name). */
  members?: string[]
}

export interface PolicyEntry {
  name: string
  description?: string
  type: PolicyType
  /** The onboarding/offboarding file: a secret (T2), so a reference. */
  configFile?: SecretReference | null
  workspaceId?: string | null
  workspaceKey?: SecretReference | null
  sampleSharing?: SampleSharing
  configMgrVersion?: number
  /** Collections the policy is deployed to. */
  deployments?: string[]
}

export interface EdrProfileEntry {
  name: string
  description?: string | null
  sampleSharing: SampleSharing
  expediteTelemetry: boolean
  deviceGroups?: string[]
  userGroups?: string[]
}

export interface CompliancePolicyEntry {
  name: string
  description?: string | null
  platform: CompliancePlatform
  maxRisk: MaxRisk
  assignGroup?: string | null
}

export interface AccessPolicyEntry {
  name: string
  enabled: boolean
  /** Report-only: evaluated at every sign-in and reported, never enforced (`enabled` is then ignored). */
  reportOnly?: boolean
  includeGroups?: string[]
  excludeGroups?: string[]
  apps?: string[]
  clients?: ClientApp[]
  grant: GrantControl
}

export interface AppConfigEntry {
  name: string
  kind: 'ios-supervised'
  /** The targeted group; null: all devices. */
  assignGroup: string | null
}

export interface TenantDocument {
  version: typeof TENANT_FILE_VERSION
  tenant?: TenantSection
  integrations?: IntegrationsSection
  groups?: GroupEntry[]
  collections?: CollectionEntry[]
  policies?: PolicyEntry[]
  edrProfiles?: EdrProfileEntry[]
  compliancePolicies?: CompliancePolicyEntry[]
  accessPolicies?: AccessPolicyEntry[]
  appConfigurations?: AppConfigEntry[]
}
