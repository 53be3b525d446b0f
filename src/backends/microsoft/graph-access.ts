/**
 * Conditional access on a real tenant (IN8; issue 13) through Microsoft Graph
 * `/identity/conditionalAccess/policies` (writes need Policy.ReadWrite.ConditionalAccess and
 * Policy.Read.All, §8.4). atpctl models the policies whose grant requires a compliant device
 * (`compliantDevice`); the others (MFA, block, terms of use, …) are not listed and do not enter
 * `access check`, which is atpctl's own decision from the policies it read (Entra ID makes the
 * real one at sign-in). The classic Intune connector policy of IN3 is not in Graph: it lives in
 * the Intune admin center, so no policy here is protected.
 */
import {pageOf} from '../../core/port/page.js'
import {type AccessPolicy, type AccessPolicyCreateRequest, accessPolicyState, ALL, checkAccessPolicyRequest, checkAccessPolicyUpdate, type ClientApp, updatedAccessState} from '../../core/access/rules.js'
import {isAtpError, UsageError} from '../../core/errors.js'
import {NotFoundError} from '../../core/errors.js'
import {ACCESS_DELETE_CONSEQUENCE, accessAffects, accessContent, contentDifferences, createOutcome, KINDS, requireDeleteConsent} from '../../core/intune/lifecycle.js'
import {escapeName} from '../../core/names.js'
import type {AccessApi} from '../../core/port/intune-api.js'
import {type GraphContext, GRAPH_PERMISSIONS, groupIdByName, groupNamesById} from './graph-intune.js'
import type {ApiClient} from './http.js'

const POLICIES = '/v1.0/identity/conditionalAccess/policies'
const WRITE = GRAPH_PERMISSIONS.conditionalAccessWrite

/** Cloud apps by the names atpctl takes, and their Entra application ids (`All` and `Office365` are Graph's own values). */
export const CLOUD_APPS: Record<string, string> = {
  all: 'All',
  office365: 'Office365',
  exchange: '00000002-0000-0ff1-ce00-000000000000',
  sharepoint: '00000003-0000-0ff1-ce00-000000000000',
  teams: 'cc15fd57-2c6c-4117-a88c-83b1d56b4bbe',
}
const APP_NAME = new Map(Object.entries(CLOUD_APPS).map(([name, id]) => [id.toLowerCase(), name]))
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function appId(name: string): string {
  const known = CLOUD_APPS[name.toLowerCase()]
  if (known) return known
  if (GUID.test(name)) return name.toLowerCase()
  throw new UsageError(`atpctl does not know the Entra application id of cloud app '${escapeName(name)}' on a real tenant.`, {
    suggestions: [`Use one of: ${Object.keys(CLOUD_APPS).join(', ')}, or pass the app's application id (a GUID from Microsoft Entra admin center > Enterprise applications).`],
  })
}

const CLIENT_TYPE: Record<ClientApp, string> = {browser: 'browser', 'mobile-desktop': 'mobileAppsAndDesktopClients'}

interface WirePolicy {
  id: string
  displayName: string
  createdDateTime?: string
  state: 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced'
  conditions?: {
    users?: {includeUsers?: string[]; excludeUsers?: string[]; includeGroups?: string[]; excludeGroups?: string[]}
    applications?: {includeApplications?: string[]}
    clientAppTypes?: string[]
  }
  grantControls?: {operator?: string; builtInControls?: string[]} | null
}

const requiresCompliantDevice = (p: WirePolicy) => (p.grantControls?.builtInControls ?? []).includes('compliantDevice')

function toPolicy(p: WirePolicy, names: Map<string, string>): AccessPolicy {
  const users = p.conditions?.users ?? {}
  const group = (id: string) => names.get(id) ?? id
  const clientTypes = p.conditions?.clientAppTypes ?? []
  const clients = (Object.entries(CLIENT_TYPE) as [ClientApp, string][]).filter(([, t]) => clientTypes.includes(t) || clientTypes.includes('all')).map(([c]) => c)
  return {
    id: p.id,
    name: p.displayName,
    kind: 'custom',
    protected: false,
    // Report-only is not enforced: it blocks nobody, and access check says whom it would have blocked.
    enabled: p.state === 'enabled',
    reportOnly: p.state === 'enabledForReportingButNotEnforced',
    includeGroups: [...((users.includeUsers ?? []).some((u) => u.toLowerCase() === 'all') ? [ALL] : []), ...(users.includeGroups ?? []).map(group)],
    excludeGroups: (users.excludeGroups ?? []).map(group),
    apps: (p.conditions?.applications?.includeApplications ?? []).map((a) => APP_NAME.get(a.toLowerCase()) ?? a.toLowerCase()),
    clients,
    grant: 'compliant-device',
    createdAt: p.createdDateTime ?? new Date(0).toISOString(),
  }
}

/** Graph's state of a policy (§8.4: report-only is `enabledForReportingButNotEnforced`). */
const wireState = (p: {enabled: boolean; reportOnly?: boolean}): WirePolicy['state'] => {
  const state = accessPolicyState(p)
  return state === 'report-only' ? 'enabledForReportingButNotEnforced' : state
}

async function policyBody(client: ApiClient, request: AccessPolicyCreateRequest): Promise<Record<string, unknown>> {
  const ids = async (groups: string[]) => Promise.all(groups.filter((g) => g !== ALL).map(async (g) => groupIdByName(client, g)))
  return {
    displayName: request.name,
    state: wireState(request),
    conditions: {
      users: {includeUsers: request.includeGroups.includes(ALL) ? ['All'] : [], includeGroups: await ids(request.includeGroups), excludeGroups: await ids(request.excludeGroups)},
      applications: {includeApplications: request.apps.map(appId)},
      clientAppTypes: [...new Set(request.clients)].map((c) => CLIENT_TYPE[c]),
    },
    grantControls: {operator: 'OR', builtInControls: ['compliantDevice']},
  }
}

export function graphAccess(ctx: GraphContext): AccessApi & {userGroups(user: string): Promise<{known: boolean; groups: string[]}>} {
  async function readPolicies(client: ApiClient): Promise<AccessPolicy[]> {
    const wire: WirePolicy[] = []
    for await (const page of client.pages<WirePolicy>(POLICIES, {permission: GRAPH_PERMISSIONS.policyRead})) wire.push(...page.filter(requiresCompliantDevice))
    const groupIds = wire.flatMap((p) => [...(p.conditions?.users?.includeGroups ?? []), ...(p.conditions?.users?.excludeGroups ?? [])])
    const names = groupIds.length > 0 ? await groupNamesById(client, groupIds) : new Map<string, string>()
    return wire.map((p) => toPolicy(p, names)).sort((a, b) => (a.createdAt === b.createdAt ? a.name.localeCompare(b.name) : a.createdAt < b.createdAt ? -1 : 1))
  }

  async function find(client: ApiClient, nameOrId: string): Promise<AccessPolicy> {
    const policies = await readPolicies(client)
    const found = policies.find((p) => p.id === nameOrId) ?? policies.find((p) => p.name.toLowerCase() === nameOrId.toLowerCase())
    if (!found) {
      throw new NotFoundError(`Conditional access policy '${escapeName(nameOrId)}' does not exist (or does not require a compliant device).`, {
        suggestions: ['List policies: atpctl access policy list', 'Policies with other grant controls: Microsoft Entra admin center (entra.microsoft.com): Protection > Conditional Access > Policies.'],
      })
    }

    return found
  }

  const path = (id: string) => `${POLICIES}/${encodeURIComponent(id)}`

  return {
    async createPolicy(given) {
      // The CLI's own rule, run here for every caller (issue 15 item 3).
      const request = checkAccessPolicyRequest(given)
      const client = await ctx.client()
      const body = await policyBody(client, request)
      const existing = (await readPolicies(client)).find((p) => p.name.toLowerCase() === request.name.toLowerCase())
      const requested = {includeGroups: request.includeGroups, excludeGroups: request.excludeGroups, apps: request.apps, clients: [...new Set(request.clients)], grant: request.grant, enabled: request.enabled, reportOnly: request.reportOnly === true}
      if (existing) {
        createOutcome(KINDS.accessPolicy, existing.name, accessContent(existing), accessContent(requested))
        return {policy: existing, changed: false}
      }

      const created = await client.post<WirePolicy>(POLICIES, body, {permission: WRITE})
      return {policy: {...requested, id: created.id, name: created.displayName ?? request.name, kind: 'custom', protected: false, createdAt: created.createdDateTime ?? ctx.now().toISOString()}, changed: true}
    },

    async listPolicies(request = {}) {
      return pageOf(await readPolicies(await ctx.client()), request, 'microsoft-access-policies')
    },

    async getPolicy(nameOrId) {
      return find(await ctx.client(), nameOrId)
    },

    async updatePolicy(nameOrId, patch) {
      const client = await ctx.client()
      const current = await find(client, nameOrId)
      const request = checkAccessPolicyUpdate(current, patch)
      const state = updatedAccessState(current, patch.reportOnly)
      if (contentDifferences(accessContent(current), accessContent({...request, ...state, clients: [...new Set(request.clients)]})).length === 0) return {policy: current, changed: false}
      const {conditions, grantControls} = await policyBody(client, request)
      // PATCH answers 204 with no body (§8.4): read the policy back.
      await client.patch(path(current.id), {conditions, grantControls, ...(accessPolicyState(state) === accessPolicyState(current) ? {} : {state: wireState(state)})}, {permission: WRITE})
      return {policy: await find(client, current.id), changed: true}
    },

    async setPolicyEnabled(nameOrId, enabled) {
      const client = await ctx.client()
      const policy = await find(client, nameOrId)
      // Enable enforces a report-only policy; disable switches it off as well.
      if (policy.enabled === enabled && !policy.reportOnly) return {policy, changed: false}
      await client.patch(path(policy.id), {state: enabled ? 'enabled' : 'disabled'}, {permission: WRITE})
      return {policy: await find(client, policy.id), changed: true}
    },

    async deletePolicy(nameOrId, options = {}) {
      const client = await ctx.client()
      const policy = await find(client, nameOrId)
      const affects = requireDeleteConsent(KINDS.accessPolicy, policy.name, accessAffects(policy), options.force === true, ACCESS_DELETE_CONSEQUENCE)
      await client.delete(path(policy.id), {permission: WRITE})
      return {policy, changed: true as const, affects}
    },

    /** The groups a user is in (transitively), by user principal name; unknown user: known false. */
    async userGroups(user) {
      const client = await ctx.client()
      const groups: string[] = []
      try {
        for await (const page of client.pages<{displayName?: string}>(`/v1.0/users/${encodeURIComponent(user.trim())}/transitiveMemberOf/microsoft.graph.group`, {
          query: {$select: 'id,displayName'},
          permission: GRAPH_PERMISSIONS.groupRead,
        })) {
          for (const g of page) if (g.displayName) groups.push(g.displayName)
        }
      } catch (error) {
        if (isAtpError(error) && error.exitCode === 3) return {known: false, groups: []}
        throw error
      }

      return {known: true, groups}
    },
  }
}
