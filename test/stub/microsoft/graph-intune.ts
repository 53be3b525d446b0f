/**
 * Microsoft Graph routes of the stub for the Intune connection, compliance policies, managed
 * devices, conditional access, the groups they name and `$batch` (issue 13), written from the
 * documented shapes (REFERENCE §4, §8.4), not from atpctl's code:
 *
 * - `/v1.0|beta/deviceManagement/mobileThreatDefenseConnectors[/{id}]` GET, PATCH (`macEnabled`
 *   only on beta);
 * - `/v1.0|beta/deviceManagement/deviceCompliancePolicies` — v1.0's windows10CompliancePolicy has
 *   no threat-level properties (400 when sent, absent when read); a create needs exactly one
 *   `scheduledActionsForRule` with a `block` action (400, the message a JSON document, as Intune
 *   answers); `/assign` answers 200; `$expand=assignments`; `$filter=isof('…')`;
 * - `/v1.0/identity/conditionalAccess/policies` — writes need Policy.ReadWrite.ConditionalAccess
 *   and Policy.Read.All; PATCH and DELETE answer 204; `endswith`, `ne`, `$count` and `$search`
 *   need `ConsistencyLevel: eventual`;
 * - `/v1.0|beta/$batch` of at most 20 requests, each answered as if sent alone, by these routes
 *   or the directory's (graph-resources.ts: groups, users, managed devices).
 *
 * The state is the one Graph model of graph-state.ts, shared with graph-resources.ts. Errors are
 * Graph's `{error: {code, message, innerError}}`; each route checks the token's application
 * roles. Answers `undefined` for a path it does not serve, so the directory routes can be asked next.
 */
import {randomUUID} from 'node:crypto'
import type {ApiAnswer} from './defender.js'
import type {GraphState, StubAssignment, StubCaPolicy, StubCompliancePolicy, StubConnector} from './graph-state.js'

export {DEFENDER_CONNECTOR_ID, makeConnector, makeManagedDevice} from './graph-state.js'

/** The Graph state these routes serve (the one model of graph-state.ts). */
export type GraphIntuneState = GraphState

export function graphError(status: number, code: string, message: string): ApiAnswer {
  return {status, body: {error: {code, message, innerError: {date: new Date().toISOString(), 'request-id': randomUUID(), 'client-request-id': randomUUID()}}}}
}

export interface GraphRequest {
  method: string
  /** Below the Graph base, with the version: `/v1.0/…` or `/beta/…`. */
  path: string
  query: Record<string, string>
  body: unknown
  roles: string[]
  headers: Record<string, string | string[] | undefined>
}

interface Route {
  method: string
  pattern: RegExp
  /** Any one of these roles is enough; `all` lists roles every one of which is needed. */
  roles: string[]
  all?: string[]
  handle(request: GraphRequest, params: string[], version: 'v1.0' | 'beta'): ApiAnswer
}

const SERVICE_READ = ['DeviceManagementServiceConfig.Read.All', 'DeviceManagementServiceConfig.ReadWrite.All']
const SERVICE_WRITE = ['DeviceManagementServiceConfig.ReadWrite.All']
const CONFIG_READ = ['DeviceManagementConfiguration.Read.All', 'DeviceManagementConfiguration.ReadWrite.All']
const CONFIG_WRITE = ['DeviceManagementConfiguration.ReadWrite.All']
const POLICY_READ = ['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess']

const WINDOWS10 = '#microsoft.graph.windows10CompliancePolicy'
const COMPLIANCE_TYPES = new Set(['#microsoft.graph.androidCompliancePolicy', '#microsoft.graph.androidWorkProfileCompliancePolicy', '#microsoft.graph.iosCompliancePolicy', WINDOWS10])
const THREAT_LEVELS = new Set(['unavailable', 'secured', 'low', 'medium', 'high', 'notSet'])
const STATES = new Set(['enabled', 'disabled', 'enabledForReportingButNotEnforced'])
const CLIENT_APP_TYPES = new Set(['all', 'browser', 'mobileAppsAndDesktopClients', 'exchangeActiveSync', 'easSupported', 'other'])
const BUILT_IN_CONTROLS = new Set(['block', 'mfa', 'compliantDevice', 'domainJoinedDevice', 'approvedApplication', 'compliantApplication', 'passwordChange'])
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i


/**
 * `directory`: the routes of the same Graph this module does not serve (graph-resources.ts),
 * which `$batch` items may name.
 */
export function createGraphIntune(options: {baseUrl: string; state: GraphIntuneState; directory?: (request: GraphRequest) => ApiAnswer | undefined}) {
  const {state} = options
  const now = () => new Date().toISOString()
  const context = (version: string, what: string) => `${options.baseUrl}/${version}/$metadata#${what}`

  const policyView = (p: StubCompliancePolicy, version: string, expand: boolean) => {
    const {assignments, ...rest} = p
    const view: Record<string, unknown> = {...rest}
    // v1.0's windows10CompliancePolicy has no threat-level properties (§8.4).
    if (version === 'v1.0' && p['@odata.type'] === WINDOWS10) {
      delete view.deviceThreatProtectionEnabled
      delete view.deviceThreatProtectionRequiredSecurityLevel
    }

    delete view.scheduledActionsForRule
    if (expand) view.assignments = assignments
    return view
  }

  const expands = (query: Record<string, string>, what: string) => (query.$expand ?? '').split(',').map((s) => s.trim()).includes(what)
  const findPolicy = (id: string) => state.compliancePolicies.find((p) => p.id === id)
  const findGroup = (id: string) => state.groups.find((g) => g.id === id)

  function checkCompliance(body: Record<string, unknown>, version: string, creating: boolean, type: string): ApiAnswer | null {
    if (version === 'v1.0' && type === WINDOWS10 && ('deviceThreatProtectionEnabled' in body || 'deviceThreatProtectionRequiredSecurityLevel' in body)) {
      return graphError(400, 'BadRequest', "The property 'deviceThreatProtectionEnabled' does not exist on type 'microsoft.graph.windows10CompliancePolicy'. Make sure to only use property names that are defined by the type.")
    }

    const level = body.deviceThreatProtectionRequiredSecurityLevel
    if (level !== undefined && (typeof level !== 'string' || !THREAT_LEVELS.has(level))) {
      return graphError(400, 'BadRequest', `Cannot convert the literal '${String(level)}' to the expected type 'microsoft.graph.deviceThreatProtectionLevel'.`)
    }

    if (creating) {
      const rules = body.scheduledActionsForRule as {scheduledActionConfigurations?: {actionType?: string}[]}[] | undefined
      const ok = Array.isArray(rules) && rules.length === 1 && (rules[0].scheduledActionConfigurations ?? []).filter((c) => c.actionType === 'block').length === 1
      if (!ok) {
        // Intune's own messages are a JSON document inside the message string (§8.4).
        const inner = JSON.stringify({_version: 3, Message: 'Exactly one scheduled action with a block action is required. - Operation ID (for customer support): ' + randomUUID(), CustomApiErrorPhrase: '', RetryAfter: null, ErrorSourceService: '', HttpHeaders: '{}'})
        return graphError(400, 'BadRequest', inner)
      }

      if (typeof body.displayName !== 'string' || body.displayName.trim() === '') return graphError(400, 'BadRequest', 'displayName is required.')
    }

    return null
  }

  function checkCaPolicy(body: Record<string, unknown>, creating: boolean): ApiAnswer | null {
    if (creating && (typeof body.displayName !== 'string' || body.displayName.trim() === '')) return graphError(400, 'BadRequest', 'displayName is required.')
    if (body.state !== undefined && (typeof body.state !== 'string' || !STATES.has(body.state))) return graphError(400, 'BadRequest', `Requested value '${String(body.state)}' was not found.`)
    const c = body.conditions as StubCaPolicy['conditions'] | undefined
    if (creating && !c) return graphError(400, 'BadRequest', 'conditions is required.')
    if (c) {
      const users = c.users ?? ({} as StubCaPolicy['conditions']['users'])
      if ((users.includeUsers ?? []).length === 0 && (users.includeGroups ?? []).length === 0) return graphError(400, 'BadRequest', 'Users or groups to include are required: conditions.users.')
      for (const g of [...(users.includeGroups ?? []), ...(users.excludeGroups ?? [])]) {
        if (!findGroup(g)) return graphError(400, 'BadRequest', `Invalid group id '${g}' in conditions.users.`)
      }

      const apps = c.applications?.includeApplications ?? []
      if (apps.length === 0) return graphError(400, 'BadRequest', 'conditions.applications.includeApplications is required.')
      if (apps.some((a) => a !== 'All' && a !== 'Office365' && a !== 'None' && !GUID.test(a))) return graphError(400, 'BadRequest', 'Invalid application id in conditions.applications.')
      if ((c.clientAppTypes ?? []).some((t) => !CLIENT_APP_TYPES.has(t))) return graphError(400, 'BadRequest', 'Invalid value in conditions.clientAppTypes.')
    }

    const g = body.grantControls as StubCaPolicy['grantControls'] | undefined
    if (g && ((g.builtInControls ?? []).some((x) => !BUILT_IN_CONTROLS.has(x)) || !['AND', 'OR'].includes(g.operator))) return graphError(400, 'BadRequest', 'Invalid grantControls.')
    return null
  }

  const routes: Route[] = [
    // The connector (REFERENCE §4.1).
    {
      method: 'GET',
      pattern: /^\/deviceManagement\/mobileThreatDefenseConnectors$/,
      roles: SERVICE_READ,
      handle: (_r, _p, version) => ({status: 200, body: {'@odata.context': context(version, 'deviceManagement/mobileThreatDefenseConnectors'), value: state.connector ? [connectorView(state.connector, version)] : []}}),
    },
    {
      method: 'GET',
      pattern: /^\/deviceManagement\/mobileThreatDefenseConnectors\/([^/]+)$/,
      roles: SERVICE_READ,
      handle(_r, [id], version) {
        if (!state.connector || state.connector.id !== id) return graphError(404, 'ResourceNotFound', `Resource not found for the segment 'mobileThreatDefenseConnectors'.`)
        return {status: 200, body: {'@odata.context': context(version, 'deviceManagement/mobileThreatDefenseConnectors/$entity'), ...connectorView(state.connector, version)}}
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/deviceManagement\/mobileThreatDefenseConnectors\/([^/]+)$/,
      roles: SERVICE_WRITE,
      handle(request, [id], version) {
        if (!state.connector || state.connector.id !== id) return graphError(404, 'ResourceNotFound', `Resource not found for the segment 'mobileThreatDefenseConnectors'.`)
        const body = (request.body ?? {}) as Record<string, unknown>
        const known = Object.keys(connectorView(state.connector, version))
        for (const [k, v] of Object.entries(body)) {
          if (k === '@odata.type') continue
          if (!known.includes(k) || k === 'id' || k === 'partnerState' || k === 'lastHeartbeatDateTime') {
            return graphError(400, 'BadRequest', `The property '${k}' does not exist on type 'microsoft.graph.mobileThreatDefenseConnector' or cannot be written.`)
          }

          if (typeof v !== typeof (state.connector as unknown as Record<string, unknown>)[k]) return graphError(400, 'BadRequest', `Invalid value for property '${k}'.`)
        }

        Object.assign(state.connector, body)
        return {status: 200, body: {'@odata.context': context(version, 'deviceManagement/mobileThreatDefenseConnectors/$entity'), ...connectorView(state.connector, version)}}
      },
    },

    // Compliance policies (§4.2, §8.4).
    {
      method: 'GET',
      pattern: /^\/deviceManagement\/deviceCompliancePolicies$/,
      roles: CONFIG_READ,
      handle(request, _p, version) {
        let list = state.compliancePolicies
        const filter = request.query.$filter
        if (filter !== undefined) {
          const m = /^isof\('microsoft\.graph\.(\w+)'\)$/.exec(filter.trim())
          if (!m) return graphError(400, 'BadRequest', `Invalid filter clause: '${filter}'.`)
          list = list.filter((p) => p['@odata.type'] === `#microsoft.graph.${m[1]}`)
        }

        return {status: 200, body: {'@odata.context': context(version, 'deviceManagement/deviceCompliancePolicies'), value: list.map((p) => policyView(p, version, expands(request.query, 'assignments')))}}
      },
    },
    {
      method: 'POST',
      pattern: /^\/deviceManagement\/deviceCompliancePolicies$/,
      roles: CONFIG_WRITE,
      handle(request, _p, version) {
        const body = (request.body ?? {}) as Record<string, unknown>
        const type = String(body['@odata.type'] ?? '')
        if (!COMPLIANCE_TYPES.has(type)) return graphError(400, 'BadRequest', `'@odata.type' '${type}' is not a compliance policy type this stub serves.`)
        const refused = checkCompliance(body, version, true, type)
        if (refused) return refused
        const at = now()
        const policy: StubCompliancePolicy = {
          '@odata.type': type,
          id: randomUUID(),
          displayName: String(body.displayName),
          description: typeof body.description === 'string' ? body.description : '',
          createdDateTime: at,
          lastModifiedDateTime: at,
          version: 1,
          deviceThreatProtectionEnabled: body.deviceThreatProtectionEnabled === true,
          deviceThreatProtectionRequiredSecurityLevel: typeof body.deviceThreatProtectionRequiredSecurityLevel === 'string' ? body.deviceThreatProtectionRequiredSecurityLevel : 'unavailable',
          scheduledActionsForRule: body.scheduledActionsForRule as unknown[],
          assignments: [],
        }
        state.compliancePolicies.push(policy)
        return {status: 201, body: {'@odata.context': context(version, 'deviceManagement/deviceCompliancePolicies/$entity'), ...policyView(policy, version, false)}}
      },
    },
    {
      method: 'GET',
      pattern: /^\/deviceManagement\/deviceCompliancePolicies\/([^/]+)$/,
      roles: CONFIG_READ,
      handle(request, [id], version) {
        const p = findPolicy(id)
        if (!p) return graphError(404, 'ResourceNotFound', `Resource not found for the segment 'deviceCompliancePolicies'.`)
        return {status: 200, body: {'@odata.context': context(version, 'deviceManagement/deviceCompliancePolicies/$entity'), ...policyView(p, version, expands(request.query, 'assignments'))}}
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/deviceManagement\/deviceCompliancePolicies\/([^/]+)$/,
      roles: CONFIG_WRITE,
      handle(request, [id], version) {
        const p = findPolicy(id)
        if (!p) return graphError(404, 'ResourceNotFound', `Resource not found for the segment 'deviceCompliancePolicies'.`)
        const body = (request.body ?? {}) as Record<string, unknown>
        if (body['@odata.type'] !== p['@odata.type']) return graphError(400, 'BadRequest', "A PATCH of a derived type needs its '@odata.type'.")
        const refused = checkCompliance(body, version, false, p['@odata.type'])
        if (refused) return refused
        for (const k of ['displayName', 'description', 'deviceThreatProtectionEnabled', 'deviceThreatProtectionRequiredSecurityLevel'] as const) {
          if (k in body) (p as unknown as Record<string, unknown>)[k] = body[k]
        }

        p.lastModifiedDateTime = now()
        p.version++
        return {status: 200, body: {'@odata.context': context(version, 'deviceManagement/deviceCompliancePolicies/$entity'), ...policyView(p, version, false)}}
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/deviceManagement\/deviceCompliancePolicies\/([^/]+)$/,
      roles: CONFIG_WRITE,
      handle(_r, [id]) {
        const i = state.compliancePolicies.findIndex((p) => p.id === id)
        if (i < 0) return graphError(404, 'ResourceNotFound', `Resource not found for the segment 'deviceCompliancePolicies'.`)
        state.compliancePolicies.splice(i, 1)
        return {status: 204}
      },
    },
    {
      method: 'POST',
      pattern: /^\/deviceManagement\/deviceCompliancePolicies\/([^/]+)\/assign$/,
      roles: CONFIG_WRITE,
      handle(request, [id], version) {
        const p = findPolicy(id)
        if (!p) return graphError(404, 'ResourceNotFound', `Resource not found for the segment 'deviceCompliancePolicies'.`)
        const assignments = (request.body as {assignments?: {target?: {'@odata.type'?: string; groupId?: string}}[]} | undefined)?.assignments
        if (!Array.isArray(assignments)) return graphError(400, 'BadRequest', 'assignments is required.')
        const next: StubAssignment[] = []
        for (const a of assignments) {
          const type = a.target?.['@odata.type'] ?? ''
          if (type === '#microsoft.graph.groupAssignmentTarget') {
            if (!a.target?.groupId || !findGroup(a.target.groupId)) return graphError(400, 'BadRequest', `Group '${a.target?.groupId ?? ''}' does not exist.`)
            next.push({id: `${p.id}_${a.target.groupId}`, target: {'@odata.type': type, groupId: a.target.groupId}})
          } else if (type === '#microsoft.graph.allDevicesAssignmentTarget' || type === '#microsoft.graph.allLicensedUsersAssignmentTarget') {
            next.push({id: `${p.id}_${type.slice(17)}`, target: {'@odata.type': type}})
          } else {
            return graphError(400, 'BadRequest', `Unknown assignment target type '${type}'.`)
          }
        }

        // /assign replaces every assignment and answers 200 with them (§8.4).
        p.assignments = next
        return {status: 200, body: {'@odata.context': context(version, 'Collection(microsoft.graph.deviceCompliancePolicyAssignment)'), value: next}}
      },
    },

    // Conditional access (§4.4, §8.4).
    {
      method: 'GET',
      pattern: /^\/identity\/conditionalAccess\/policies$/,
      roles: POLICY_READ,
      handle: (_r, _p, version) => ({status: 200, body: {'@odata.context': context(version, 'identity/conditionalAccess/policies'), value: state.conditionalAccessPolicies.map((p) => structuredClone(p))}}),
    },
    {
      method: 'POST',
      pattern: /^\/identity\/conditionalAccess\/policies$/,
      roles: ['Policy.ReadWrite.ConditionalAccess'],
      all: ['Policy.ReadWrite.ConditionalAccess', 'Policy.Read.All'],
      handle(request, _p, version) {
        const body = (request.body ?? {}) as Record<string, unknown>
        const refused = checkCaPolicy(body, true)
        if (refused) return refused
        const c = body.conditions as StubCaPolicy['conditions']
        const g = (body.grantControls ?? {operator: 'OR', builtInControls: []}) as StubCaPolicy['grantControls']
        const policy: StubCaPolicy = {
          id: randomUUID(),
          displayName: String(body.displayName),
          createdDateTime: now(),
          modifiedDateTime: null,
          state: (body.state as StubCaPolicy['state']) ?? 'enabled',
          conditions: {
            users: {includeUsers: c.users?.includeUsers ?? [], excludeUsers: c.users?.excludeUsers ?? [], includeGroups: c.users?.includeGroups ?? [], excludeGroups: c.users?.excludeGroups ?? []},
            applications: {includeApplications: c.applications?.includeApplications ?? [], excludeApplications: c.applications?.excludeApplications ?? []},
            clientAppTypes: c.clientAppTypes ?? ['all'],
          },
          grantControls: {operator: g.operator, builtInControls: g.builtInControls ?? [], customAuthenticationFactors: [], termsOfUse: []},
        }
        state.conditionalAccessPolicies.push(policy)
        return {status: 201, body: {'@odata.context': context(version, 'identity/conditionalAccess/policies/$entity'), ...structuredClone(policy)}}
      },
    },
    {
      method: 'GET',
      pattern: /^\/identity\/conditionalAccess\/policies\/([^/]+)$/,
      roles: POLICY_READ,
      handle(_r, [id], version) {
        const p = state.conditionalAccessPolicies.find((x) => x.id === id)
        if (!p) return graphError(404, 'ResourceNotFound', `Policy '${id}' was not found.`)
        return {status: 200, body: {'@odata.context': context(version, 'identity/conditionalAccess/policies/$entity'), ...structuredClone(p)}}
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/identity\/conditionalAccess\/policies\/([^/]+)$/,
      roles: ['Policy.ReadWrite.ConditionalAccess'],
      all: ['Policy.ReadWrite.ConditionalAccess', 'Policy.Read.All'],
      handle(request, [id]) {
        const p = state.conditionalAccessPolicies.find((x) => x.id === id)
        if (!p) return graphError(404, 'ResourceNotFound', `Policy '${id}' was not found.`)
        const body = (request.body ?? {}) as Record<string, unknown>
        const refused = checkCaPolicy(body, false)
        if (refused) return refused
        if (typeof body.displayName === 'string') p.displayName = body.displayName
        if (typeof body.state === 'string') p.state = body.state as StubCaPolicy['state']
        if (body.conditions) {
          const c = body.conditions as StubCaPolicy['conditions']
          p.conditions = {
            users: {...p.conditions.users, ...c.users},
            applications: {...p.conditions.applications, ...c.applications},
            clientAppTypes: c.clientAppTypes ?? p.conditions.clientAppTypes,
          }
        }

        if (body.grantControls) p.grantControls = {...p.grantControls, ...(body.grantControls as StubCaPolicy['grantControls'])}
        p.modifiedDateTime = now()
        return {status: 204}
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/identity\/conditionalAccess\/policies\/([^/]+)$/,
      roles: ['Policy.ReadWrite.ConditionalAccess'],
      all: ['Policy.ReadWrite.ConditionalAccess', 'Policy.Read.All'],
      handle(_r, [id]) {
        const i = state.conditionalAccessPolicies.findIndex((x) => x.id === id)
        if (i < 0) return graphError(404, 'ResourceNotFound', `Policy '${id}' was not found.`)
        state.conditionalAccessPolicies.splice(i, 1)
        return {status: 204}
      },
    },

  ]

  function connectorView(c: StubConnector, version: string): Record<string, unknown> {
    const view: Record<string, unknown> = {...c}
    if (version === 'v1.0') delete view.macEnabled
    return view
  }

  /** Advanced queries need `ConsistencyLevel: eventual` (§8.4). */
  function advancedQueryRefusal(request: GraphRequest): ApiAnswer | null {
    const filter = request.query.$filter ?? ''
    const advanced = /\bendswith\(|\sne\s/.test(filter) || request.query.$count !== undefined || request.query.$search !== undefined
    const level = request.headers.consistencylevel
    if (advanced && (Array.isArray(level) ? level[0] : level) !== 'eventual') {
      return graphError(400, 'Request_UnsupportedQuery', "Unsupported query: this query needs the request header 'ConsistencyLevel: eventual'.")
    }

    return null
  }

  function dispatch(request: GraphRequest): ApiAnswer | undefined {
    const m = /^\/(v1\.0|beta)(\/.*)$/.exec(request.path)
    if (!m) return undefined
    const version = m[1] as 'v1.0' | 'beta'
    const path = m[2]
    if (path === '/$batch') return batch(request, version)
    const matching = routes.filter((r) => r.pattern.test(path))
    if (matching.length === 0) return undefined
    const route = matching.find((r) => r.method === request.method)
    if (!route) return graphError(405, 'MethodNotAllowed', `The HTTP method '${request.method}' is not allowed on this resource.`)
    const lacking = route.all ? route.all.filter((r) => !request.roles.includes(r)) : []
    if (!route.roles.some((r) => request.roles.includes(r)) || lacking.length > 0) {
      return graphError(403, 'Authorization_RequestDenied', `Insufficient privileges to complete the operation. Required application roles (${(route.all ?? route.roles).join(', ')}).`)
    }

    const refused = advancedQueryRefusal(request)
    if (refused) return refused
    return route.handle(request, route.pattern.exec(path)!.slice(1).map(decodeURIComponent), version)
  }

  /** `$batch` (JSON): at most 20 requests, each answered as if sent alone (§8.4). */
  function batch(request: GraphRequest, version: string): ApiAnswer {
    if (request.method !== 'POST') return graphError(405, 'MethodNotAllowed', '$batch takes POST.')
    const requests = (request.body as {requests?: {id?: string; method?: string; url?: string; body?: unknown; headers?: Record<string, string>}[]} | undefined)?.requests
    if (!Array.isArray(requests) || requests.length === 0) return graphError(400, 'BadRequest', 'Invalid batch payload format.')
    if (requests.length > 20) return graphError(400, 'BadRequest', 'The number of batch requests must not exceed 20.')
    batches.push(requests.length)
    const responses = requests.map((r) => {
      if ((state.throttleBatchItems ?? 0) > 0) {
        state.throttleBatchItems!--
        const throttled = graphError(429, 'TooManyRequests', 'Too many requests. Retry after the time in the Retry-After header.')
        return {id: String(r.id), status: 429, headers: {'retry-after': '1', 'content-type': 'application/json'}, body: throttled.body}
      }

      const url = new URL(`https://batch.invalid/${version}${(r.url ?? '').startsWith('/') ? '' : '/'}${r.url ?? ''}`)
      const sub: GraphRequest = {
        method: (r.method ?? 'GET').toUpperCase(),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: r.body,
        roles: request.roles,
        headers: Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
      }
      const answer = dispatch(sub) ?? options.directory?.(sub) ?? graphError(404, 'ResourceNotFound', `Resource not found for the segment '${url.pathname}'.`)
      return {id: String(r.id), status: answer.status, headers: {'content-type': 'application/json', ...answer.headers}, ...(answer.body === undefined ? {} : {body: answer.body})}
    })
    return {status: 200, body: {responses}}
  }

  /** The size of each `$batch` received, for tests. */
  const batches: number[] = []

  return {handle: dispatch, batches}
}
