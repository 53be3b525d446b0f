/**
 * The lifecycle rules of the Intune-side resources (issue 11 items 4 and 8; SPEC §3): groups,
 * EDR profiles, compliance policies, conditional access policies and app configurations.
 *
 * - The same create again is a no-op (`changed: false`); the same name with different content
 *   is a ConflictError (exit 4, code CONFLICT) that says what differs and what to do instead.
 * - An update that changes nothing is `changed: false` too; both use `contentDifferences`.
 * - Deleting something in use needs the caller's say-so (`force`): without it the backend
 *   refuses with REFUSED_IN_USE (exit 4) and names what the deletion affects, so the CLI can
 *   ask on a terminal (or require --yes) and say it. Every backend decides it here.
 *
 * Pure: the backends gather the facts (rows, references), these functions decide.
 */
import {ConflictError, RuleError} from '../errors.js'
import {escapeName, nameKey} from '../names.js'

/** A field's value as the rules compare it: text, a yes/no, or a set of names. */
export type ContentValue = string | boolean | null | readonly string[]

/** The comparable content of a resource: label → value, in the order messages list them. */
export type Content = Record<string, ContentValue>

const isList = (v: ContentValue): v is readonly string[] => Array.isArray(v)

/** Lists compare as sets of names (case-insensitive for every script, like the names themselves). */
function sameValue(a: ContentValue, b: ContentValue): boolean {
  if (isList(a) || isList(b)) {
    const keys = (v: ContentValue) => new Set((isList(v) ? v : v === null ? [] : [String(v)]).map(nameKey))
    const x = keys(a)
    const y = keys(b)
    return x.size === y.size && [...x].every((k) => y.has(k))
  }

  return (a ?? null) === (b ?? null)
}

/** A value in a message: lists quoted and joined, null as "none", booleans as yes/no. */
export function showValue(v: ContentValue): string {
  if (isList(v)) return v.length === 0 ? 'none' : v.map((i) => `'${escapeName(i)}'`).join(', ')
  if (v === null) return 'none'
  if (typeof v === 'boolean') return v ? 'yes' : 'no'
  return `'${escapeName(v)}'`
}

export interface Difference {
  field: string
  existing: ContentValue
  requested: ContentValue
}

/** The fields whose requested value differs from the existing one (fields the request lacks are kept). */
export function contentDifferences(existing: Partial<Content>, requested: Partial<Content>): Difference[] {
  const out: Difference[] = []
  for (const [field, value] of Object.entries(requested)) {
    if (value === undefined) continue
    const current = existing[field] ?? null
    if (!sameValue(current, value)) out.push({field, existing: current, requested: value})
  }

  return out
}

/** "sample sharing: 'all' (requested 'none'); device groups: 'Finance' (requested 'HR')". */
export function describeDifferences(differences: Difference[]): string {
  return differences.map((d) => `${d.field}: ${showValue(d.existing)} (requested ${showValue(d.requested)})`).join('; ')
}

/** How a resource kind is named and changed, for messages. */
export interface ResourceKind {
  /** "EDR profile", "group", "compliance policy". */
  label: string
  /** The command that changes one, e.g. `atpctl edr-profile update "NAME"`; `NAME` is replaced. */
  update: string
  /** The command that shows one. */
  show: string
}

const withName = (template: string, name: string) => template.replace('NAME', escapeName(name))

/**
 * The outcome of a create whose name may exist: 'create' when it does not, 'same' when it
 * exists with the same content (a no-op, `changed: false`); a ConflictError otherwise.
 */
export function createOutcome(kind: ResourceKind, name: string, existing: Partial<Content> | null, requested: Partial<Content>): 'create' | 'same' {
  if (existing === null) return 'create'
  const differences = contentDifferences(existing, requested)
  if (differences.length === 0) return 'same'
  throw new ConflictError(`${/^[aeiouAEIOU]|^EDR/.test(kind.label) ? 'An' : 'A'} ${kind.label} named '${escapeName(name)}' already exists with different settings: ${describeDifferences(differences)}.`, {
    suggestions: [`Change it: ${withName(kind.update, name)} …`, `Or create it under another name; see the existing one: ${withName(kind.show, name)}`],
    details: {differences},
  })
}

/** What a create says when it changed nothing. */
export const unchangedMessage = (kind: ResourceKind, name: string): string => `${capitalise(kind.label)} '${name}' already exists; unchanged.`

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

/**
 * Deleting a resource in use: refused unless forced, with what the deletion affects in the
 * message and in `details.affects`. Returns the affects list (empty when not in use) so the
 * result can carry it.
 */
export function requireDeleteConsent(kind: ResourceKind, name: string, affects: string[], force: boolean, consequence: string): string[] {
  if (affects.length === 0 || force) return affects
  throw new RuleError('IN_USE', `${capitalise(kind.label)} '${escapeName(name)}' is in use: ${affects.join('; ')}. ${consequence}`, {
    suggestions: ['Delete it anyway (on a terminal you are asked; in scripts pass --yes).', `See it first: ${withName(kind.show, name)}`],
    details: {affects},
  })
}

/** Whether an error is the in-use refusal of requireDeleteConsent (matched by code, never instanceof). */
export function isInUseRefusal(error: unknown): error is {code: 'REFUSED_IN_USE'; message: string; details?: {affects?: string[]}} {
  return typeof error === 'object' && error !== null && (error as {code?: unknown}).code === 'REFUSED_IN_USE'
}

/** The resource kinds of this module, with their update and show commands. */
export const KINDS = {
  group: {label: 'group', update: 'atpctl group update "NAME"', show: 'atpctl group show "NAME"'},
  edrProfile: {label: 'EDR profile', update: 'atpctl edr-profile update "NAME"', show: 'atpctl edr-profile show "NAME"'},
  compliancePolicy: {label: 'compliance policy', update: 'atpctl compliance update "NAME"', show: 'atpctl compliance show "NAME"'},
  accessPolicy: {label: 'conditional access policy', update: 'atpctl access policy update "NAME"', show: 'atpctl access policy show "NAME"'},
  appConfig: {label: 'app configuration', update: 'atpctl intune app-config update "NAME"', show: 'atpctl intune app-config show "NAME"'},
} as const satisfies Record<string, ResourceKind>

// The content each kind compares (labels as messages show them). Lists are sets of names. A
// description a create leaves out (undefined) is not compared: it describes, it does not
// configure, so `group create Finance` stays a no-op for a group created with one.

export const groupContent = (g: {description?: string | null}): Partial<Content> => ({description: g.description})

export const edrContent = (p: {description?: string | null; sampleSharing: string; expediteTelemetry: boolean; deviceGroups: readonly string[]; userGroups: readonly string[]}): Partial<Content> => ({
  description: p.description,
  'sample sharing': p.sampleSharing,
  'expedite telemetry': p.expediteTelemetry,
  'device groups': p.deviceGroups,
  'user groups': p.userGroups,
})

export const complianceContent = (p: {description?: string | null; platform: string; maxRisk: string; assignGroup: string | null}): Partial<Content> => ({
  description: p.description,
  platform: p.platform,
  'maximum risk': p.maxRisk,
  'assigned group': p.assignGroup === null ? [] : [p.assignGroup],
})

export const accessContent = (p: {
  includeGroups: readonly string[]
  excludeGroups: readonly string[]
  apps: readonly string[]
  clients: readonly string[]
  grant: string
  enabled: boolean
  reportOnly?: boolean
}): Content => ({
  'included groups': p.includeGroups,
  'excluded groups': p.excludeGroups,
  'cloud apps': p.apps,
  'client apps': p.clients,
  grant: p.grant,
  enabled: p.enabled,
  // Report-only is a state of its own (IN8): evaluated and reported, not enforced.
  'report-only': p.reportOnly === true,
})

export const appConfigContent = (c: {assignGroup: string | null}): Content => ({'assigned group': c.assignGroup === null ? [] : [c.assignGroup]})

// What deleting each kind affects (the backend gathers the facts; the words are decided here).

/** Something that names a group: an assignment, a policy's users, an app configuration's target. */
export interface GroupReference {
  kind: 'edr-device-group' | 'edr-user-group' | 'compliance' | 'access-include' | 'access-exclude' | 'app-config'
  /** The referring resource's name. */
  name: string
}

const REFERENCE_TEXT: Record<GroupReference['kind'], (name: string) => string> = {
  'edr-device-group': (n) => `EDR profile '${n}' is assigned to it as a device group`,
  'edr-user-group': (n) => `EDR profile '${n}' is assigned to it as a user group`,
  compliance: (n) => `compliance policy '${n}' is assigned to it`,
  'access-include': (n) => `conditional access policy '${n}' includes it`,
  'access-exclude': (n) => `conditional access policy '${n}' excludes it (its members lose that exemption)`,
  'app-config': (n) => `app configuration '${n}' targets it`,
}

export function groupAffects(references: GroupReference[]): string[] {
  return references.map((r) => REFERENCE_TEXT[r.kind](escapeName(r.name)))
}

export const GROUP_DELETE_CONSEQUENCE =
  'Deleting it removes its members; what names it keeps the name and reaches nobody through it until a group of that name exists again.'

const some = (names: string[], max = 5) => names.slice(0, max).map((n) => escapeName(n)).join(', ') + (names.length > max ? `, and ${names.length - max} more` : '')

/** An EDR profile is in use while it is assigned; it says how many devices it onboards. */
export function edrAffects(profile: {deviceGroups: readonly string[]; userGroups: readonly string[]}, onboarded: string[]): string[] {
  const assigned = [...profile.deviceGroups.map((g) => `device group '${escapeName(g)}'`), ...profile.userGroups.map((g) => `user group '${escapeName(g)}'`)]
  if (assigned.length === 0) return []
  return [`it is assigned to ${assigned.join(', ')}`, ...(onboarded.length > 0 ? [`it onboards ${onboarded.length} device(s): ${some(onboarded)}`] : [])]
}

export const EDR_DELETE_CONSEQUENCE = 'Deleting it removes the assignments; devices it onboards are no longer onboarded through it.'

/** A compliance policy is in use while it decides the compliance of a device; access policies rely on that. */
export function complianceAffects(decided: string[], accessPolicies: string[]): string[] {
  if (decided.length === 0) return []
  return [
    `it decides the compliance of ${decided.length} device(s): ${some(decided)}`,
    ...(accessPolicies.length > 0
      ? [`enabled conditional access ${accessPolicies.length === 1 ? 'policy' : 'policies'} ${accessPolicies.map((p) => `'${escapeName(p)}'`).join(', ')} ${accessPolicies.length === 1 ? 'requires' : 'require'} a compliant device`]
      : []),
  ]
}

export const COMPLIANCE_DELETE_CONSEQUENCE = "Deleting it changes those devices' compliance, and so the access decisions made on it."

/** A conditional access policy is in use while it is enabled. */
export function accessAffects(policy: {enabled: boolean; reportOnly?: boolean; includeGroups: readonly string[]; apps: readonly string[]}): string[] {
  // A report-only policy protects nothing: deleting it changes no sign-in (only the reports).
  if (!policy.enabled) return []
  return [`it is enabled and requires a compliant device for ${showValue(policy.includeGroups)} on ${showValue(policy.apps)}`]
}

export const ACCESS_DELETE_CONSEQUENCE = 'Deleting it lets those users reach those apps without a compliant device.'

/** An app configuration is always assigned (to all devices or a group). */
export function appConfigAffects(config: {assignment: string}): string[] {
  return [`it targets ${escapeName(config.assignment)}`]
}

export const APP_CONFIG_DELETE_CONSEQUENCE = 'Deleting it stops telling Defender for iOS on those devices whether they are supervised.'
