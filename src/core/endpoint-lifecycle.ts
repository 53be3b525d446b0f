/**
 * Typed outcomes of creating, updating and deleting endpoint resources (issue 11 items 4 and 8;
 * SPEC §3): the same create again is no change (`changed: false`), the same name with other
 * content is a conflict (ConflictError, exit 4) that says what differs, and deleting something
 * in use is refused unless confirmed (RuleError IN_USE, exit 4), with what it would affect.
 * Pure: backends gather the facts and these functions decide, for every backend and caller.
 */
import {ConflictError, RuleError} from './errors.js'
import {escapeName} from './names.js'

/** One field whose stored value differs from the requested one, both as shown to a person. */
export interface Difference {
  field: string
  existing: string
  requested: string
}

/** The fields of `pairs` whose (already normalised) values differ. */
export function differences(pairs: {field: string; existing: string; requested: string; same?: boolean}[]): Difference[] {
  return pairs.filter((p) => (p.same === undefined ? p.existing !== p.requested : !p.same)).map(({field, existing, requested}) => ({field, existing, requested}))
}

/**
 * The conflict of a create whose name exists with other content (SPEC §3): exit 4, code
 * CONFLICT, the differences in the message and in `details.differences`.
 */
export function conflict(subject: string, diffs: Difference[], suggestions: string[]): ConflictError {
  const listed = diffs.map((d) => `${d.field} is ${d.existing}, the request says ${d.requested}`).join('; ')
  return new ConflictError(`${subject} already exists with different content: ${listed}.`, {suggestions, details: {differences: diffs}})
}

/** Quotes a name for a message. */
export const quoted = (name: string): string => `'${escapeName(name)}'`

/** A list of names for a message: at most `max`, then "and N more". */
export function nameList(names: readonly string[], max = 10): string {
  const shown = names.slice(0, max).map(quoted).join(', ')
  return names.length > max ? `${shown} and ${names.length - max} more` : shown
}

export type UseKind = 'deployment' | 'limits' | 'static-member' | 'group-member'

/** One way something is in use: what kind, how many, which (names). */
export interface Use {
  kind: UseKind
  count: number
  names: string[]
  /** One sentence: what deleting does to it. */
  effect: string
}

/** What a delete (or an undeploy) would affect. */
export interface DeleteImpact {
  inUse: boolean
  uses: Use[]
  /** Devices whose policies change (targeted by a removed deployment), when known. */
  devices: number
  /** The uses in sentences, for the confirmation and the refusal. */
  summary: string
}

function impact(uses: Use[], devices: number): DeleteImpact {
  const kept = uses.filter((u) => u.count > 0)
  return {inUse: kept.length > 0, uses: kept, devices, summary: kept.map((u) => u.effect).join(' ')}
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/**
 * A collection is in use while policies are deployed to it or other collections are limited to
 * it. Deleting it removes those deployments (the agent model re-evaluates its members) and the
 * collections limited to it take over its own limit (`limitTo`, or none).
 */
export function collectionDeleteImpact(facts: {name: string; limitTo: string | null; deployedPolicies: string[]; limitedBy: string[]; members: number}): DeleteImpact {
  const {deployedPolicies: policies, limitedBy} = facts
  return impact(
    [
      {
        kind: 'deployment',
        count: policies.length,
        names: policies,
        effect: `${plural(policies.length, 'policy', 'policies')} (${nameList(policies)}) ${policies.length === 1 ? 'is' : 'are'} deployed to it; the deployment is removed from its ${plural(facts.members, 'member')}.`,
      },
      {
        kind: 'limits',
        count: limitedBy.length,
        names: limitedBy,
        effect: `${plural(limitedBy.length, 'collection')} (${nameList(limitedBy)}) ${limitedBy.length === 1 ? 'is' : 'are'} limited to it; ${limitedBy.length === 1 ? 'it' : 'they'} will be limited to ${facts.limitTo === null ? 'nothing (all devices)' : quoted(facts.limitTo)} instead.`,
      },
    ],
    policies.length > 0 ? facts.members : 0,
  )
}

/** A device is in use while it is a static (direct) member of collections or an explicit member of groups. */
export function deviceDeleteImpact(devices: {name: string; collections: string[]; groups: string[]}[]): DeleteImpact {
  const inCollections = devices.filter((d) => d.collections.length > 0)
  const inGroups = devices.filter((d) => d.groups.length > 0)
  const collections = [...new Set(inCollections.flatMap((d) => d.collections))]
  const groups = [...new Set(inGroups.flatMap((d) => d.groups))]
  return impact(
    [
      {
        kind: 'static-member',
        count: inCollections.length,
        names: inCollections.map((d) => d.name),
        effect: `${plural(inCollections.length, 'device')} (${nameList(inCollections.map((d) => d.name))}) ${inCollections.length === 1 ? 'is a direct member' : 'are direct members'} of ${plural(collections.length, 'collection')} (${nameList(collections)}) and will leave ${collections.length === 1 ? 'it' : 'them'}.`,
      },
      {
        kind: 'group-member',
        count: inGroups.length,
        names: inGroups.map((d) => d.name),
        effect: `${plural(inGroups.length, 'device')} (${nameList(inGroups.map((d) => d.name))}) ${inGroups.length === 1 ? 'is a member' : 'are members'} of ${plural(groups.length, 'group')} (${nameList(groups)}) and will leave ${groups.length === 1 ? 'it' : 'them'}.`,
      },
    ],
    devices.length,
  )
}

/**
 * A policy is in use while it is deployed. Deleting it, or undeploying it from collections,
 * removes those deployments: the devices they targeted no longer get the policy.
 */
export function deploymentRemovalImpact(facts: {policy: string; collections: string[]; targeted: number}): DeleteImpact {
  const {collections} = facts
  return impact(
    [
      {
        kind: 'deployment',
        count: collections.length,
        names: collections,
        effect: `It is deployed to ${plural(collections.length, 'collection')} (${nameList(collections)}); ${plural(facts.targeted, 'device')} targeted there will no longer get it.`,
      },
    ],
    facts.targeted,
  )
}

/** "Collection 'Pilot' is in use.", "2 devices are in use.": the lead of a confirmation or refusal. */
export function inUseLead(subject: string, many = false): string {
  return `${subject} ${many ? 'are' : 'is'} in use.`
}

/**
 * Deleting something in use needs a confirmation, given as `force` (SPEC §3, issue 11 item 8):
 * without it the backend refuses, for every caller, and nothing changes. `lead` is inUseLead's.
 */
export function requireConfirmedRemoval(lead: string, what: DeleteImpact, force: boolean, action = 'delete'): void {
  if (!what.inUse || force) return
  throw new RuleError('IN_USE', `${lead} ${what.summary} Nothing was changed.`, {
    suggestions: [`Confirm to ${action} it anyway: run the command on a terminal, or pass --yes.`],
    details: {uses: what.uses, devices: what.devices},
  })
}
