import {UsageError} from '../errors.js'
import type {DeviceCompliance} from '../compliance/rules.js'
import {escapeName, NAME_RULES, requireName} from '../names.js'

/** IN8 client apps: browser, and mobile apps and desktop clients. */
export const CLIENT_APPS = ['browser', 'mobile-desktop'] as const
export type ClientApp = (typeof CLIENT_APPS)[number]

/** IN8 grant controls atpctl models; Graph's builtInControls value is `compliantDevice`. */
export const GRANT_CONTROLS = ['compliant-device'] as const
export type GrantControl = (typeof GRANT_CONTROLS)[number]

/** Special group / app value meaning "all users" / "all cloud apps". */
export const ALL = 'all'

export interface AccessPolicy {
  id: string
  name: string
  kind: 'classic' | 'custom'
  /** IN3: the classic policy of the Intune connection; atpctl refuses to edit or delete it. */
  protected: boolean
  /** Enforced (Graph state `enabled`). */
  enabled: boolean
  /**
   * Report-only (Graph state `enabledForReportingButNotEnforced`): evaluated at every sign-in and
   * reported, never enforced; `enabled` is false. Admins run a policy so before enforcing it.
   */
  reportOnly: boolean
  includeGroups: string[]
  excludeGroups: string[]
  apps: string[]
  clients: ClientApp[]
  grant: GrantControl
  createdAt: string
}

export type AccessPolicyState = 'enabled' | 'disabled' | 'report-only'

/** The one state of a policy, from its two flags (report-only wins: it is never enforced). */
export function accessPolicyState(policy: {enabled: boolean; reportOnly?: boolean}): AccessPolicyState {
  return policy.reportOnly ? 'report-only' : policy.enabled ? 'enabled' : 'disabled'
}

export interface AccessPolicyCreateRequest {
  name: string
  includeGroups: string[]
  excludeGroups: string[]
  apps: string[]
  clients: ClientApp[]
  grant: GrantControl
  enabled: boolean
  /** Report-only instead of enforced (then `enabled` is ignored). */
  reportOnly?: boolean
}

/** What `access policy update` changes; a list given replaces the old one, a field left out keeps its value. */
export interface AccessPolicyUpdateRequest {
  includeGroups?: string[]
  excludeGroups?: string[]
  apps?: string[]
  clients?: ClientApp[]
  grant?: GrantControl
  /** true: report-only from now on; false: a report-only policy is enforced. Left out: the state is kept. */
  reportOnly?: boolean
}

/**
 * The state after an update: `reportOnly` true makes any policy report-only; false enforces a
 * report-only one and leaves an enabled or disabled one as it is.
 */
export function updatedAccessState(current: {enabled: boolean; reportOnly: boolean}, reportOnly: boolean | undefined): {enabled: boolean; reportOnly: boolean} {
  if (reportOnly === true) return {enabled: false, reportOnly: true}
  if (reportOnly === false && current.reportOnly) return {enabled: true, reportOnly: false}
  return {enabled: current.enabled, reportOnly: current.reportOnly}
}

export interface AccessRequest {
  user: string
  /** Groups the user belongs to. */
  userGroups: string[]
  app: string
  client: ClientApp
  device: DeviceCompliance
}

export interface PolicyOutcome {
  policy: string
  kind: 'classic' | 'custom'
  /**
   * applied-and-satisfied, applied-and-failed, not applied (with why), or a report-only policy
   * that applies: evaluated (`wouldFail`) but not enforced.
   */
  result: 'satisfied' | 'failed' | 'not-applied' | 'report-only'
  /** report-only: whether it would have blocked had it been enforced. */
  wouldFail?: boolean
  reason: string
}

export interface AccessDecision {
  decision: 'grant' | 'block'
  user: string
  deviceId: string
  deviceName: string
  app: string
  client: ClientApp
  compliance: DeviceCompliance
  /** The policies that failed (block) or were satisfied (grant). */
  decidedBy: string[]
  /** Report-only policies that would have blocked this sign-in had they been enforced (they did not). */
  wouldHaveBlocked: string[]
  policies: PolicyOutcome[]
  explanation: string
  /** Where the decision comes from when it is not the backend's own (a real tenant: atpctl's reading of the policies it read). */
  basis?: string
}

/** IN8: the grant control of a policy (only "require a compliant device" is modelled). */
export function parseGrantControl(value: string): GrantControl {
  const v = value.toLowerCase() === 'compliantdevice' ? 'compliant-device' : value.toLowerCase()
  if ((GRANT_CONTROLS as readonly string[]).includes(v)) return v as GrantControl
  throw new UsageError(`Unknown grant control '${escapeName(value)}'.`, {suggestions: [`Use one of: ${GRANT_CONTROLS.join(', ')}.`]})
}

export function parseClientApp(value: string): ClientApp {
  const v = value.toLowerCase() === 'mobile-and-desktop' ? 'mobile-desktop' : value.toLowerCase()
  if ((CLIENT_APPS as readonly string[]).includes(v)) return v as ClientApp
  throw new UsageError(`Unknown client app '${escapeName(value)}'.`, {suggestions: [`Use one of: ${CLIENT_APPS.join(', ')}.`]})
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
const listText = (items: string[]) => items.map((i) => `'${i}'`).join(', ')

/**
 * Validates a new custom policy (IN8); names the flag to fix. The CLI and every backend call it
 * (issue 15 item 3), so both refuse alike; returns the request with names trimmed and values canonical.
 */
/**
 * The policy as an update would make it, checked with every rule of the create (IN8): lists
 * given replace the old ones, fields left out keep their value. Each backend's update calls it.
 */
export function checkAccessPolicyUpdate(current: AccessPolicy, patch: AccessPolicyUpdateRequest): AccessPolicyCreateRequest {
  return checkAccessPolicyRequest({
    name: current.name,
    includeGroups: patch.includeGroups ?? current.includeGroups,
    excludeGroups: patch.excludeGroups ?? current.excludeGroups,
    apps: patch.apps ?? current.apps,
    clients: patch.clients ?? current.clients,
    grant: patch.grant ?? current.grant,
    enabled: current.enabled,
  })
}

export function checkAccessPolicyRequest(request: AccessPolicyCreateRequest): AccessPolicyCreateRequest {
  const name = requireName(request.name, NAME_RULES.accessPolicy, ['Pass --name "Require compliant device".'])
  const groups = (list: string[]) => list.map((g) => (same(g.trim(), ALL) ? ALL : requireName(g, GROUP_REFERENCE)))
  const includeGroups = groups(request.includeGroups)
  const excludeGroups = groups(request.excludeGroups)
  const apps = request.apps.map((a) => requireName(a, NAME_RULES.appName).toLowerCase())
  const clients = request.clients.map((c) => parseClientApp(c))
  const grant = parseGrantControl(request.grant)
  if (request.includeGroups.length === 0) throw new UsageError('The policy includes nobody.', {suggestions: ['Pass --include-group GROUP (or --include-group all for all users).']})
  if (request.apps.length === 0) throw new UsageError('The policy protects no cloud app.', {suggestions: ['Pass --app APP (e.g. --app sharepoint), or --app all.']})
  if (request.clients.length === 0) throw new UsageError('The policy covers no client app.', {suggestions: ['Pass --client browser and/or --client mobile-desktop.']})
  if (excludeGroups.includes(ALL)) throw new UsageError("--exclude-group all would exclude everyone.", {suggestions: ['Exclude named groups only.']})
  const reportOnly = request.reportOnly === true
  return {name, includeGroups, excludeGroups, apps, clients, grant, enabled: request.enabled === true && !reportOnly, reportOnly}
}

/** A group named by a policy: the group rule, where 'all' means all users. */
const GROUP_REFERENCE = {...NAME_RULES.group, reserved: []}

/** Why a policy does not apply to the request, or null when it applies. */
function notApplicable(policy: AccessPolicy, request: AccessRequest): string | null {
  if (policy.kind === 'classic') return 'classic Intune connector policy: it registers devices for threat defence and has no effect on cloud apps'
  if (!policy.enabled && !policy.reportOnly) return 'the policy is disabled'
  const excluded = policy.excludeGroups.find((g) => request.userGroups.some((u) => same(u, g)))
  if (excluded) return `user ${request.user} is excluded through group '${excluded}'`
  const included = policy.includeGroups.some((g) => same(g, ALL) || request.userGroups.some((u) => same(u, g)))
  if (!included) return `user ${request.user} is in none of the included groups ${listText(policy.includeGroups)}`
  if (!policy.apps.some((a) => same(a, ALL) || same(a, request.app))) return `app '${request.app}' is not one of its cloud apps ${listText(policy.apps)}`
  if (!policy.clients.includes(request.client)) return `client '${request.client}' is not one of its client apps ${listText(policy.clients)}`
  return null
}

function complianceText(device: DeviceCompliance): string {
  if (device.status === 'not-evaluated') return `device ${device.deviceName} has no compliance state: ${device.reason}`
  return device.reason
}

/**
 * IN8: the access decision for one sign-in. Every enabled custom policy that includes the
 * user (and does not exclude them), covers the app and the client app applies; each requires a
 * compliant device. Access is blocked when any applicable policy's grant is not met, granted
 * otherwise (also when no policy applies). The explanation names the deciding policies and why.
 */
export function decideAccess(policies: AccessPolicy[], request: AccessRequest): AccessDecision {
  const compliant = request.device.status === 'compliant'
  const outcomes: PolicyOutcome[] = policies.map((policy) => {
    const why = notApplicable(policy, request)
    if (why) return {policy: policy.name, kind: policy.kind, result: 'not-applied', reason: why}
    if (policy.reportOnly) {
      return compliant
        ? {policy: policy.name, kind: policy.kind, result: 'report-only', wouldFail: false, reason: `report-only, not enforced: would be satisfied; ${request.device.reason}`}
        : {policy: policy.name, kind: policy.kind, result: 'report-only', wouldFail: true, reason: `report-only, not enforced: would have blocked; ${complianceText(request.device)}`}
    }

    return compliant
      ? {policy: policy.name, kind: policy.kind, result: 'satisfied', reason: `requires a compliant device; ${request.device.reason}`}
      : {policy: policy.name, kind: policy.kind, result: 'failed', reason: `requires a compliant device; ${complianceText(request.device)}`}
  })
  const failed = outcomes.filter((o) => o.result === 'failed')
  const satisfied = outcomes.filter((o) => o.result === 'satisfied')
  const wouldHaveBlocked = outcomes.filter((o) => o.result === 'report-only' && o.wouldFail).map((o) => o.policy)
  const reportOnlyNote = wouldHaveBlocked.length > 0 ? `; report-only ${listText(wouldHaveBlocked)} would have blocked it (not enforced)` : ''
  const base = {
    user: request.user,
    deviceId: request.device.deviceId,
    deviceName: request.device.deviceName,
    app: request.app,
    client: request.client,
    compliance: request.device,
    policies: outcomes,
    wouldHaveBlocked,
  }
  if (failed.length > 0) {
    return {...base, decision: 'block', decidedBy: failed.map((o) => o.policy), explanation: `blocked by ${listText(failed.map((o) => o.policy))}: ${complianceText(request.device)}${reportOnlyNote}`}
  }

  if (satisfied.length > 0) {
    return {...base, decision: 'grant', decidedBy: satisfied.map((o) => o.policy), explanation: `granted: ${listText(satisfied.map((o) => o.policy))} satisfied; ${request.device.reason}${reportOnlyNote}`}
  }

  return {
    ...base,
    decision: 'grant',
    decidedBy: [],
    explanation:
      wouldHaveBlocked.length > 0
        ? `granted: no enforced conditional access policy applies to user ${request.user}, app '${request.app}', client '${request.client}'${reportOnlyNote}: ${complianceText(request.device)}`
        : `granted: no conditional access policy applies to user ${request.user}, app '${request.app}', client '${request.client}'`,
  }
}
