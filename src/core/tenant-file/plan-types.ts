/**
 * The plan of tenant-as-code (issue 14): what `atpctl plan` shows, `apply` carries out and
 * `validate` reports as drift. Every resource the file or the tenant names appears once, in the
 * order apply handles them; the JUnit and HTML reports and the terraform-like text are all
 * renderings of this one value, so they never disagree.
 */
import type {BackendKind} from '../port/types.js'

/** The kinds of resource an `atpctl.yaml` holds, in the order apply creates them. */
export const SETUP_KINDS = [
  'tenant',
  'third-party',
  'intune',
  'defender-for-cloud',
  'group',
  'collection',
  'policy',
  'deployment',
  'edr-profile',
  'compliance-policy',
  'access-policy',
  'app-config',
] as const
export type SetupKind = (typeof SETUP_KINDS)[number]

/** Where a resource (or a field) is written in the file, 1-based. */
export interface SourcePosition {
  file: string
  line: number
  column: number
}

/** One field that differs. Secrets are never carried: their value is the string '(secret)'. */
export interface FieldDifference {
  /** Dotted path inside the resource, e.g. `rules`, `platforms.windows.enabled`. */
  field: string
  /** What the tenant has now (undefined: absent). */
  current: unknown
  /** What the file asks for (undefined: absent). */
  desired: unknown
}

/**
 * create: the file names it, the tenant lacks it; update: both, with `fields` differing;
 * delete: only the tenant has it and the plan prunes; unmanaged: only the tenant has it and the
 * plan does not prune (listed, left alone); unchanged: both, equal.
 */
export type ResourceAction = 'create' | 'update' | 'delete' | 'unchanged' | 'unmanaged'

export interface ResourceDifference {
  kind: SetupKind
  /** The resource's name (a subscription id, a provider id, `policy -> collection` for a deployment). */
  name: string
  action: ResourceAction
  /** Empty unless action is update (and, for create, the fields the file sets, when useful). */
  fields: FieldDifference[]
  /** Where the file names it; absent for resources only the tenant has. */
  at?: SourcePosition
}

/**
 * What the rules predict for the plan, before anything changes: a deployment that would miss
 * devices (CM3), a Linux-only disable (DC3), the tenant location the file asks to change (T1).
 * `blocking`: apply would be refused by that rule.
 */
export interface RulePrediction {
  kind: SetupKind
  name: string
  /** The reason code of the rule's refusal or warning, e.g. DEVICES_MISSED. */
  code: string
  message: string
  blocking: boolean
}

export interface PlanSummary {
  create: number
  update: number
  delete: number
  unchanged: number
  unmanaged: number
}

export interface SetupPlan {
  format: 'atpctl-plan/1'
  createdAt: string
  profile: string
  backend: BackendKind
  /** The file the plan was made from, as given (`-` for stdin). */
  file: string
  prune: boolean
  /** SHA-256 (hex) of the file's canonical JSON form. */
  documentSha256: string
  /** SHA-256 (hex) of the tenant's exported state when planned: a saved plan is refused once it changed. */
  tenantSha256: string
  /** Every resource compared, in apply order. */
  resources: ResourceDifference[]
  predictions: RulePrediction[]
  summary: PlanSummary
}
