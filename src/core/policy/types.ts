/** Configuration Manager Defender ATP policies (CM4, CM5, CM7) and their deployment plans (CM3). */
export const POLICY_TYPES = ['onboarding', 'offboarding'] as const
export type PolicyType = (typeof POLICY_TYPES)[number]

export const SAMPLE_SHARING = ['none', 'all'] as const
export type SampleSharing = (typeof SAMPLE_SHARING)[number]

/** Which devices a policy can onboard (seed 001's three instructions, CM2/CM3). */
export type PolicyShape = 'any-os' | 'up-level' | 'down-level' | 'offboarding'

export interface PolicyConfigFile {
  /** File name as given (never the content: it is a secret, T2). */
  name: string
  sha256: string
  orgId: string
  /** Offboarding files expire (CM7); null for onboarding files. */
  expiresAt: string | null
}

export interface Policy {
  name: string
  description: string
  type: PolicyType
  shape: PolicyShape
  configFile: PolicyConfigFile | null
  workspaceId: string | null
  /** Whether the Workspace key is set; the key itself is never returned. */
  workspaceKey: boolean
  sampleSharing: SampleSharing
  configMgrVersion: number
  deployments: {collection: string; deployedAt: string; forced: boolean}[]
  createdAt: string
}

export interface PolicyCreateRequest {
  name: string
  description: string
  type: PolicyType
  configFile: PolicyConfigFile | null
  workspaceId: string | null
  /** The key itself (checked against the tenant, stored only as a hash). */
  workspaceKey: string | null
  sampleSharing: SampleSharing
  configMgrVersion: number
}

/** Why a targeted device would not get the policy. */
export const MISS_REASONS = [
  'not-configmgr-client',
  'expired-offboarding-file',
  'onboarding-and-offboarding',
  'unsupported-os',
  'up-level-without-file',
  'down-level-without-workspace',
] as const
export type MissReason = (typeof MISS_REASONS)[number]

export interface MissedDevice {
  name: string
  osName: string
  level: string
  reason: MissReason
  message: string
}

export interface DeploymentPlan {
  policy: string
  type: PolicyType
  shape: PolicyShape
  configMgrVersion: number
  collections: string[]
  summary: {
    targeted: number
    /** Devices that will be onboarded (or offboarded, for an offboarding policy). */
    reached: number
    missed: number
    byReason: Partial<Record<MissReason, number>>
  }
  missed: MissedDevice[]
  dryRun: boolean
  forced: boolean
  /** True when the deployment was recorded. */
  applied: boolean
  /** True when it was (or, for a dry run, would be) refused because devices would be missed (CM3). */
  refused: boolean
}

export interface DeployRequest {
  name: string
  collections: string[]
  dryRun: boolean
  force: boolean
}
