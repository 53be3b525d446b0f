/**
 * The Microsoft Graph part of the stub for the Intune resources atpctl manages (issue 13, G2),
 * written from the documented shapes (REFERENCE §4.1, §4.3, §8.4):
 *
 * - groups and their members (`/groups`, `/groups/{id}/members[/microsoft.graph.device|user]`,
 *   `$ref` to add and remove, `$count` only with `ConsistencyLevel: eventual`), users and their
 *   `memberOf`, Entra devices;
 * - Intune managed devices and, in `/beta`, each one's `deviceConfigurationStates` (where Intune
 *   reports setting conflicts);
 * - the endpoint security EDR policy in the settings catalog (`/beta` only:
 *   `deviceManagement/configurationPolicies` with its settings, template and `/assign`);
 * - `deviceAppManagement/mobileAppConfigurations` with `/assign` answering 204;
 * - `$batch` of at most 20 requests, each answered as the route would answer it alone;
 * - the application permission each route needs, refused with Graph's own 403 bodies.
 *
 * The state is the one Graph model of graph-state.ts, shared with graph-intune.ts (the connector,
 * compliance, conditional access and `$batch`, whose items these routes answer too). Like the
 * rest of the stub it imports nothing from atpctl: it checks the client.
 */
import {randomUUID} from 'node:crypto'
import type {ApiAnswer} from './defender.js'
import {emptyGraphState, type GraphState, makeConnector, type StubAssignment, type StubConfigurationPolicy, type StubGraphDevice, type StubGraphGroup, type StubGraphUser, type StubManagedDevice, type StubMobileAppConfiguration} from './graph-state.js'

export type {StubGraphDevice, StubGraphGroup, StubGraphUser, StubManagedDevice} from './graph-state.js'

/** The Graph state these routes serve (the one model of graph-state.ts). */
export type GraphResourcesState = GraphState

export interface GraphRequest {
  method: string
  /** Below the Graph origin, with the version: `/v1.0/groups`. */
  path: string
  query: Record<string, string>
  body: unknown
  roles: string[]
  headers: Record<string, string | string[] | undefined>
}

export const EDR_TEMPLATE_ID = '0385b795-0f2f-44ac-8602-9f65bf6adede_1'
export const EDR_TEMPLATE_FAMILY = 'endpointSecurityEndpointDetectionAndResponse'
const EDR_SETTING_PREFIX = 'device_vendor_msft_windowsadvancedthreatprotection_'
const GROUP_ASSIGNMENT = '#microsoft.graph.groupAssignmentTarget'
const ALL_DEVICES = '#microsoft.graph.allDevicesAssignmentTarget'
const PAGE = 100

export const emptyGraphResources = emptyGraphState

/** Graph's error body: `{error: {code, message, innerError: {date, request-id, client-request-id}}}`. */
export function graphError(status: number, code: string, message: string, headers?: Record<string, string>): ApiAnswer {
  const id = randomUUID()
  return {status, body: {error: {code, message, innerError: {date: new Date().toISOString().slice(0, 19), 'request-id': id, 'client-request-id': id}}}, ...(headers ? {headers} : {})}
}

/** Directory routes refuse with Authorization_RequestDenied; Intune routes name the scopes they need. */
const forbidden = (roles: string[], intune: boolean) =>
  intune
    ? graphError(403, 'Forbidden', `{"_version": 3, "Message": "Application is not authorized to perform this operation. Application must have one of the following scopes: ${roles.join(', ')} - Operation ID (for customer support): ${randomUUID()}"}`)
    : graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.')

const notFound = (what: string) => graphError(404, 'Request_ResourceNotFound', `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`)
const badRequest = (message: string, code = 'BadRequest') => graphError(400, code, message)

const GROUP_READ = ['Group.Read.All', 'Group.ReadWrite.All', 'GroupMember.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All']
const GROUP_WRITE = ['Group.ReadWrite.All', 'Directory.ReadWrite.All']
const MEMBER_WRITE = ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All']
const USER_READ = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All']
const DEVICE_READ = ['Device.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All']
const CONFIG_READ = ['DeviceManagementConfiguration.Read.All', 'DeviceManagementConfiguration.ReadWrite.All']
const CONFIG_WRITE = ['DeviceManagementConfiguration.ReadWrite.All']
const MANAGED_READ = ['DeviceManagementManagedDevices.Read.All', 'DeviceManagementManagedDevices.ReadWrite.All']
const APPS_READ = ['DeviceManagementApps.Read.All', 'DeviceManagementApps.ReadWrite.All']
const APPS_WRITE = ['DeviceManagementApps.ReadWrite.All']
const SERVICE_READ = ['DeviceManagementServiceConfig.Read.All', 'DeviceManagementServiceConfig.ReadWrite.All']

const odataType = (o: StubGraphUser | StubGraphDevice) => ('userPrincipalName' in o ? '#microsoft.graph.user' : '#microsoft.graph.device')

/** `displayName eq 'x'` (case-insensitive), `securityEnabled eq true`, joined by `and`/`or`: what atpctl sends. */
function simpleFilter(text: string | undefined, fields: readonly string[]): ((o: Record<string, unknown>) => boolean) | ApiAnswer {
  if (text === undefined || text.trim() === '') return () => true
  const parts = text.split(/\s+(and|or)\s+/)
  const tests: ((o: Record<string, unknown>) => boolean)[] = []
  const joins: string[] = []
  for (const [i, part] of parts.entries()) {
    if (i % 2 === 1) {
      joins.push(part)
      continue
    }

    const m = /^\s*([\w/]+)\s+eq\s+(?:'((?:[^']|'')*)'|(true|false))\s*$/.exec(part)
    if (!m || !fields.includes(m[1])) return badRequest(`Invalid filter clause: '${part}'. Unsupported property or operator.`, 'Request_UnsupportedQuery')
    const [, field, str, bool] = m
    const want = str === undefined ? bool === 'true' : str.replace(/''/g, "'").toLowerCase()
    tests.push((o) => {
      const value = field.split('/').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o)
      return typeof want === 'boolean' ? value === want : typeof value === 'string' && value.toLowerCase() === want
    })
  }

  return (o) => tests.slice(1).reduce((acc, t, i) => (joins[i] === 'and' ? acc && t(o) : acc || t(o)), tests[0](o))
}

function paged(items: unknown[], req: GraphRequest, baseUrl: string): ApiAnswer {
  const top = req.query.$top === undefined ? PAGE : Number(req.query.$top)
  if (!Number.isInteger(top) || top < 1 || top > 999) return badRequest(`Invalid page size specified: '${req.query.$top}'. Must be between 1 and 999 inclusive.`, 'Request_UnsupportedQuery')
  const skip = Number(req.query.$skiptoken ?? 0)
  const page = items.slice(skip, skip + top)
  const body: Record<string, unknown> = {value: page}
  if (skip + top < items.length) {
    const next = new URLSearchParams({...req.query, $skiptoken: String(skip + top)})
    body['@odata.nextLink'] = `${baseUrl}${req.path}?${next.toString().replace(/\+/g, '%20')}`
  }

  return {status: 200, body}
}

const advanced = (req: GraphRequest) => /\bendswith\(|\sne\s/.test(req.query.$filter ?? '') || req.query.$count !== undefined || req.query.$search !== undefined
const eventual = (req: GraphRequest) => String(req.headers.consistencylevel ?? req.headers.ConsistencyLevel ?? '').toLowerCase() === 'eventual'

export interface GraphResources {
  state: GraphResourcesState
  /** The answer, or undefined when no route of this part matches (another part may serve it). */
  handle(req: GraphRequest): ApiAnswer | undefined
}

export function createGraphResources(options: {baseUrl: string; state?: GraphResourcesState; now?: () => Date}): GraphResources {
  const state = options.state ?? emptyGraphResources()
  const now = () => (options.now?.() ?? new Date()).toISOString()
  const object = (id: string) => state.users.find((u) => u.id === id) ?? state.devices.find((d) => d.id === id)
  const findUser = (key: string) => state.users.find((u) => u.id === key || u.userPrincipalName.toLowerCase() === key.toLowerCase())
  const memberView = (o: StubGraphUser | StubGraphDevice) => ({'@odata.type': odataType(o), ...o})
  const groupView = ({members: _members, ...g}: StubGraphGroup) => g
  const policyView = (p: StubConfigurationPolicy, expand: string[]) => {
    const {settings, assignments, ...rest} = p
    return {...rest, settingCount: settings.length, ...(expand.includes('settings') ? {settings} : {}), ...(expand.includes('assignments') ? {assignments} : {})}
  }
  const appConfigView = (c: StubMobileAppConfiguration, expand: string[]) => {
    const {assignments, ...rest} = c
    return {...rest, ...(expand.includes('assignments') ? {assignments} : {})}
  }
  const expandOf = (req: GraphRequest) => (req.query.$expand ?? '').split(',').map((s) => s.trim()).filter(Boolean)

  function checkTargets(body: unknown, allowAllDevices: boolean): StubAssignment[] | ApiAnswer {
    const list = (body as {assignments?: unknown} | undefined)?.assignments
    if (!Array.isArray(list)) return badRequest('The request body must carry an assignments array.')
    const out: StubAssignment[] = []
    for (const a of list as {target?: {'@odata.type'?: string; groupId?: string}}[]) {
      const type = a?.target?.['@odata.type']
      if (type === GROUP_ASSIGNMENT) {
        if (!state.groups.some((g) => g.id === a.target!.groupId)) return badRequest(`The group '${a.target!.groupId}' of an assignment target does not exist.`)
        out.push({id: randomUUID(), target: {'@odata.type': type, groupId: a.target!.groupId}})
      } else if (type === ALL_DEVICES && allowAllDevices) {
        out.push({id: randomUUID(), target: {'@odata.type': type}})
      } else {
        return badRequest(`An assignment target of type '${String(type)}' is not valid here.`)
      }
    }

    return out
  }

  function checkEdrSettings(settings: unknown): StubConfigurationPolicy['settings'] | ApiAnswer {
    if (!Array.isArray(settings) || settings.length === 0) return badRequest('A configuration policy needs settings.')
    const out: StubConfigurationPolicy['settings'] = []
    for (const [i, s] of (settings as {settingInstance?: {settingDefinitionId?: string; choiceSettingValue?: {value?: string}}}[]).entries()) {
      const id = s?.settingInstance?.settingDefinitionId
      const value = s?.settingInstance?.choiceSettingValue?.value
      if (typeof id !== 'string' || !id.startsWith(EDR_SETTING_PREFIX)) return badRequest(`Setting ${i}: the setting definition '${String(id)}' is not in the template ${EDR_TEMPLATE_ID}.`)
      if (typeof value !== 'string' || !value.startsWith(`${id}_`)) return badRequest(`Setting ${i}: the choice value '${String(value)}' is not an option of '${id}'.`)
      out.push({id: String(i), settingInstance: s.settingInstance})
    }

    return out
  }

  type Handler = (req: GraphRequest, m: string[]) => ApiAnswer
  interface Route {
    method: string
    pattern: RegExp
    roles: string[]
    intune: boolean
    /** Versions the resource exists in. */
    versions: ('v1.0' | 'beta')[]
    handle: Handler
  }
  const ID = '([^/()\']+)'
  const KEY = "(?:\\('([^/()']+)'\\)|/([^/()']+))" // ('{id}') or /{id}: Intune takes both
  const both: Route['versions'] = ['v1.0', 'beta']
  const routes: Route[] = []
  const route = (method: string, pattern: string, roles: string[], versions: Route['versions'], handle: Handler, intune = false) =>
    routes.push({method, pattern: new RegExp(`^${pattern}$`), roles, versions, handle, intune})
  const keyOf = (m: string[], i: number) => m[i] ?? m[i + 1]

  // Groups and members.
  route('GET', '/groups', GROUP_READ, both, (req) => {
    const filter = simpleFilter(req.query.$filter, ['displayName', 'id', 'securityEnabled', 'mailNickname'])
    if (typeof filter !== 'function') return filter
    return paged(state.groups.filter((g) => filter(g as unknown as Record<string, unknown>)).map(groupView), req, options.baseUrl)
  })
  route('POST', '/groups', GROUP_WRITE, both, (req) => {
    const b = (req.body ?? {}) as Partial<StubGraphGroup>
    for (const p of ['displayName', 'mailEnabled', 'mailNickname', 'securityEnabled'] as const) {
      if (b[p] === undefined) return badRequest(`Invalid value specified for property '${p}' of resource 'Group'.`, 'Request_BadRequest')
    }

    if (typeof b.mailNickname !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(b.mailNickname) || /[@()\\[\]";:<>,]/.test(b.mailNickname)) {
      return badRequest("Invalid value specified for property 'mailNickname' of resource 'Group'.", 'Request_BadRequest')
    }

    const group: StubGraphGroup = {
      id: randomUUID(),
      displayName: String(b.displayName),
      description: b.description ?? null,
      mailNickname: b.mailNickname,
      mailEnabled: Boolean(b.mailEnabled),
      securityEnabled: Boolean(b.securityEnabled),
      groupTypes: Array.isArray(b.groupTypes) ? b.groupTypes : [],
      createdDateTime: now(),
      members: [],
    }
    state.groups.push(group)
    return {status: 201, body: groupView(group)}
  })
  const withGroup = (handle: (req: GraphRequest, g: StubGraphGroup, m: string[]) => ApiAnswer): Handler => (req, m) => {
    const g = state.groups.find((x) => x.id === m[1])
    return g ? handle(req, g, m) : notFound(m[1])
  }
  route('GET', `/groups/${ID}`, GROUP_READ, both, withGroup((_req, g) => ({status: 200, body: groupView(g)})))
  route('PATCH', `/groups/${ID}`, GROUP_WRITE, both, withGroup((req, g) => {
    const b = (req.body ?? {}) as {description?: string | null; displayName?: string}
    if ('description' in b) g.description = b.description === '' ? null : (b.description ?? null)
    if (typeof b.displayName === 'string') g.displayName = b.displayName
    return {status: 204}
  }))
  route('DELETE', `/groups/${ID}`, GROUP_WRITE, both, withGroup((_req, g) => {
    state.groups.splice(state.groups.indexOf(g), 1)
    return {status: 204}
  }))
  // The model has no nested groups: a group's transitive members are its direct ones.
  route('GET', `/groups/${ID}/(?:transitiveMembers|members)(?:/microsoft\\.graph\\.(device|user))?(/\\$count)?`, GROUP_READ, both, withGroup((req, g, m) => {
    const members = g.members.map(object).filter((o): o is StubGraphUser | StubGraphDevice => o !== undefined).filter((o) => !m[2] || odataType(o) === `#microsoft.graph.${m[2]}`)
    if (m[3]) {
      // REFERENCE §8.4: $count on directory objects is an advanced query.
      if (!eventual(req)) return badRequest('Count is not currently supported.', 'Request_BadRequest')
      return {status: 200, body: members.length}
    }

    return paged(members.map(memberView), req, options.baseUrl)
  }))
  route('POST', `/groups/${ID}/members/\\$ref`, MEMBER_WRITE, both, withGroup((req, g) => {
    const ref = (req.body as {'@odata.id'?: unknown} | undefined)?.['@odata.id']
    const id = typeof ref === 'string' ? /\/directoryObjects\/([^/]+)$/.exec(ref)?.[1] : undefined
    if (!id) return badRequest("Invalid URL format specified in @odata.id for 'members'.", 'Request_BadRequest')
    if (!object(id)) return notFound(id)
    if (g.members.includes(id)) return badRequest("One or more added object references already exist for the following modified properties: 'members'.", 'Request_BadRequest')
    g.members.push(id)
    return {status: 204}
  }))
  route('DELETE', `/groups/${ID}/members/${ID}/\\$ref`, MEMBER_WRITE, both, withGroup((_req, g, m) => {
    const i = g.members.indexOf(m[2])
    if (i < 0) return notFound(m[2])
    g.members.splice(i, 1)
    return {status: 204}
  }))

  // Users and devices.
  route('GET', `/users/${ID}`, USER_READ, both, (_req, m) => {
    const user = findUser(decodeURIComponent(m[1]))
    return user ? {status: 200, body: user} : notFound(m[1])
  })
  // transitiveMemberOf: the model has no nested groups, so a user's transitive groups are its direct ones.
  route('GET', `/users/${ID}/(?:transitiveMemberOf|memberOf)(?:/microsoft\\.graph\\.group)?`, [...USER_READ, ...GROUP_READ], both, (req, m) => {
    const user = findUser(decodeURIComponent(m[1]))
    if (!user) return notFound(m[1])
    return paged(state.groups.filter((g) => g.members.includes(user.id)).map((g) => ({'@odata.type': '#microsoft.graph.group', ...groupView(g)})), req, options.baseUrl)
  })
  route('GET', '/devices', DEVICE_READ, both, (req) => {
    const filter = simpleFilter(req.query.$filter, ['displayName', 'deviceId', 'id'])
    if (typeof filter !== 'function') return filter
    return paged(state.devices.filter((d) => filter(d as unknown as Record<string, unknown>)).map(memberView), req, options.baseUrl)
  })
  route('GET', `/devices/${ID}/memberOf`, DEVICE_READ, both, (req, m) => {
    const device = state.devices.find((d) => d.id === m[1])
    if (!device) return notFound(m[1])
    return paged(state.groups.filter((g) => g.members.includes(device.id)).map((g) => ({'@odata.type': '#microsoft.graph.group', ...groupView(g)})), req, options.baseUrl)
  })

  // Intune: managed devices and what Intune reports on them.
  route('GET', '/deviceManagement/managedDevices', MANAGED_READ, both, (req) => {
    const filter = simpleFilter(req.query.$filter, ['deviceName', 'azureADDeviceId', 'userPrincipalName', 'id'])
    if (typeof filter !== 'function') return filter
    return paged(state.managedDevices.filter((d) => filter(d as unknown as Record<string, unknown>)), req, options.baseUrl)
  }, true)
  route('GET', `/deviceManagement/managedDevices${KEY}/deviceConfigurationStates`, [...MANAGED_READ, ...CONFIG_READ], ['beta'], (req, m) => {
    const id = keyOf(m, 1)
    if (!state.managedDevices.some((d) => d.id === id)) return notFound(id)
    return paged(state.deviceConfigurationStates[id] ?? [], req, options.baseUrl)
  }, true)
  // The EDR policy in the settings catalog: /beta only (REFERENCE §4.3).
  route('GET', '/deviceManagement/configurationPolicies', CONFIG_READ, ['beta'], (req) => {
    const filter = simpleFilter(req.query.$filter, ['templateReference/templateFamily', 'templateReference/templateId', 'name'])
    if (typeof filter !== 'function') return filter
    const expand = expandOf(req)
    return paged(state.configurationPolicies.filter((p) => filter(p as unknown as Record<string, unknown>)).map((p) => policyView(p, expand)), req, options.baseUrl)
  }, true)
  route('POST', '/deviceManagement/configurationPolicies', CONFIG_WRITE, ['beta'], (req) => {
    const b = (req.body ?? {}) as Partial<StubConfigurationPolicy> & {templateReference?: {templateId?: string}}
    if (typeof b.name !== 'string' || b.name.trim() === '') return badRequest('A configuration policy needs a name.')
    if (b.platforms !== 'windows10') return badRequest(`Platform '${String(b.platforms)}' is not valid for the template ${EDR_TEMPLATE_ID}.`)
    if (b.technologies !== 'mdm,microsoftSense') return badRequest(`Technologies '${String(b.technologies)}' are not valid for the template ${EDR_TEMPLATE_ID}.`)
    if (b.templateReference?.templateId !== EDR_TEMPLATE_ID) return badRequest(`Template '${String(b.templateReference?.templateId)}' does not exist.`)
    const settings = checkEdrSettings(b.settings)
    if (!Array.isArray(settings)) return settings
    const policy: StubConfigurationPolicy = {
      id: randomUUID(),
      name: b.name,
      description: b.description ?? '',
      platforms: b.platforms,
      technologies: b.technologies,
      templateReference: {templateId: EDR_TEMPLATE_ID, templateFamily: EDR_TEMPLATE_FAMILY, templateDisplayName: 'Endpoint detection and response', templateDisplayVersion: 'Version 1'},
      settings,
      assignments: [],
      createdDateTime: now(),
      lastModifiedDateTime: now(),
    }
    state.configurationPolicies.push(policy)
    return {status: 201, body: policyView(policy, [])}
  }, true)
  const withPolicy = (handle: (req: GraphRequest, p: StubConfigurationPolicy) => ApiAnswer): Handler => (req, m) => {
    const id = keyOf(m, 1)
    const p = state.configurationPolicies.find((x) => x.id === id)
    return p ? handle(req, p) : graphError(404, 'NotFound', `{"Message": "No policy with id ${id} - Operation ID (for customer support): ${randomUUID()}"}`)
  }
  route('GET', `/deviceManagement/configurationPolicies${KEY}`, CONFIG_READ, ['beta'], withPolicy((req, p) => ({status: 200, body: policyView(p, expandOf(req))})), true)
  route('PATCH', `/deviceManagement/configurationPolicies${KEY}`, CONFIG_WRITE, ['beta'], withPolicy((req, p) => {
    const b = (req.body ?? {}) as Partial<StubConfigurationPolicy>
    if (b.settings !== undefined) {
      const settings = checkEdrSettings(b.settings)
      if (!Array.isArray(settings)) return settings
      p.settings = settings
    }

    if (typeof b.description === 'string') p.description = b.description
    p.lastModifiedDateTime = now()
    return {status: 204}
  }), true)
  route('DELETE', `/deviceManagement/configurationPolicies${KEY}`, CONFIG_WRITE, ['beta'], withPolicy((_req, p) => {
    state.configurationPolicies.splice(state.configurationPolicies.indexOf(p), 1)
    return {status: 204}
  }), true)
  route('GET', `/deviceManagement/configurationPolicies${KEY}/assignments`, CONFIG_READ, ['beta'], withPolicy((_req, p) => ({status: 200, body: {value: p.assignments}})), true)
  route('POST', `/deviceManagement/configurationPolicies${KEY}/assign`, CONFIG_WRITE, ['beta'], withPolicy((req, p) => {
    const targets = checkTargets(req.body, false)
    if (!Array.isArray(targets)) return targets
    p.assignments = targets // /assign replaces every assignment
    return {status: 200, body: {value: targets}}
  }), true)

  // App configuration (IN6).
  route('GET', '/deviceAppManagement/mobileAppConfigurations', APPS_READ, both, (req) => {
    const expand = expandOf(req)
    return paged(state.mobileAppConfigurations.map((c) => appConfigView(c, expand)), req, options.baseUrl)
  }, true)
  route('POST', '/deviceAppManagement/mobileAppConfigurations', APPS_WRITE, both, (req) => {
    const b = (req.body ?? {}) as Partial<StubMobileAppConfiguration>
    if (b['@odata.type'] !== '#microsoft.graph.iosMobileAppConfiguration' && b['@odata.type'] !== '#microsoft.graph.androidManagedStoreAppConfiguration') {
      return badRequest(`The @odata.type '${String(b['@odata.type'])}' is not a managedDeviceMobileAppConfiguration.`)
    }

    if (typeof b.displayName !== 'string' || b.displayName.trim() === '') return badRequest('An app configuration needs a displayName.')
    const settings = Array.isArray(b.settings) ? b.settings : []
    for (const s of settings) if (!['stringType', 'integerType', 'realType', 'booleanType', 'tokenType'].includes(s.appConfigKeyType)) return badRequest(`appConfigKeyType '${s.appConfigKeyType}' is not valid.`)
    const config: StubMobileAppConfiguration = {
      '@odata.type': b['@odata.type'],
      id: randomUUID(),
      displayName: b.displayName,
      description: b.description ?? null,
      targetedMobileApps: Array.isArray(b.targetedMobileApps) ? b.targetedMobileApps : [],
      ...(typeof b.bundleId === 'string' ? {bundleId: b.bundleId} : {}),
      settings,
      assignments: [],
      createdDateTime: now(),
      lastModifiedDateTime: now(),
      version: 1,
    }
    state.mobileAppConfigurations.push(config)
    return {status: 201, body: appConfigView(config, [])}
  }, true)
  const withConfig = (handle: (req: GraphRequest, c: StubMobileAppConfiguration) => ApiAnswer): Handler => (req, m) => {
    const id = keyOf(m, 1)
    const c = state.mobileAppConfigurations.find((x) => x.id === id)
    return c ? handle(req, c) : notFound(id)
  }
  route('GET', `/deviceAppManagement/mobileAppConfigurations${KEY}`, APPS_READ, both, withConfig((req, c) => ({status: 200, body: appConfigView(c, expandOf(req))})), true)
  route('DELETE', `/deviceAppManagement/mobileAppConfigurations${KEY}`, APPS_WRITE, both, withConfig((_req, c) => {
    state.mobileAppConfigurations.splice(state.mobileAppConfigurations.indexOf(c), 1)
    return {status: 204}
  }), true)
  route('GET', `/deviceAppManagement/mobileAppConfigurations${KEY}/assignments`, APPS_READ, both, withConfig((_req, c) => ({status: 200, body: {value: c.assignments}})), true)
  route('POST', `/deviceAppManagement/mobileAppConfigurations${KEY}/assign`, APPS_WRITE, both, withConfig((req, c) => {
    const targets = checkTargets(req.body, true)
    if (!Array.isArray(targets)) return targets
    c.assignments = targets
    c.lastModifiedDateTime = now()
    return {status: 204} // REFERENCE §8.4: app configuration /assign answers 204
  }), true)

  function one(req: GraphRequest): ApiAnswer | undefined {
    const v = /^\/(v1\.0|beta)(\/.*)$/.exec(req.path)
    if (!v) return undefined
    const version = v[1] as 'v1.0' | 'beta'
    const rest = v[2]
    for (const r of routes) {
      if (r.method !== req.method) continue
      const m = r.pattern.exec(rest)
      if (!m) continue
      if (!r.versions.includes(version)) return badRequest(`Resource not found for the segment '${rest.split('/')[2] ?? rest}'.`)
      if (!r.roles.some((role) => req.roles.includes(role))) return forbidden(r.roles, r.intune)
      // REFERENCE §8.4: on directory objects, endswith, ne, $count and $search are advanced queries.
      if (!r.intune && advanced(req) && !eventual(req)) return badRequest("Unsupported query: this query needs the request header 'ConsistencyLevel: eventual'.", 'Request_UnsupportedQuery')
      return r.handle(req, m)
    }

    return undefined
  }

  return {state, handle: one}
}

/** Every Graph application permission the Intune resources need (tests grant them all, then take some away). */
export const INTUNE_RESOURCE_ROLES = [
  'Group.ReadWrite.All',
  'GroupMember.ReadWrite.All',
  'User.Read.All',
  'Device.Read.All',
  'DeviceManagementConfiguration.ReadWrite.All',
  'DeviceManagementManagedDevices.Read.All',
  'DeviceManagementApps.ReadWrite.All',
  'DeviceManagementServiceConfig.Read.All',
]

/**
 * A small tenant: two users, four Entra devices (three Intune-managed: a current Windows 11, a
 * Windows 10 1607 below IN2's minimum, an iPhone; one Windows device not enrolled), the
 * Defender connector enabled for Windows and iOS, and Intune reporting a sample-sharing
 * conflict on ws-001 with a legacy device configuration (IN5).
 */
export function sampleIntuneResources(): GraphResourcesState {
  const state = emptyGraphResources()
  const at = '2024-05-01T10:00:00Z'
  state.users.push(
    {id: '5a1c0f3e-0000-4000-8000-00000000a11c', userPrincipalName: 'alice@contoso.com', displayName: 'Alice'},
    {id: '5a1c0f3e-0000-4000-8000-000000000b0b', userPrincipalName: 'bob@contoso.com', displayName: 'Bob'},
  )
  const device = (n: number, name: string, os: string, version: string, managed: boolean): StubGraphDevice => ({
    id: `0b1ec700-0000-4000-8000-00000000000${n}`,
    deviceId: `aad00000-0000-4000-8000-00000000000${n}`,
    displayName: name,
    operatingSystem: os,
    operatingSystemVersion: version,
    isManaged: managed,
  })
  state.devices.push(
    device(1, 'ws-001', 'Windows', '10.0.22631.3296', true),
    device(2, 'ws-old', 'Windows', '10.0.14393.0', true),
    device(3, 'iphone-alice', 'iOS', '17.4', true),
    device(4, 'ws-byod', 'Windows', '10.0.19045.0', false),
  )
  const managed = (n: number, upn: string | null): StubManagedDevice => {
    const d = state.devices[n - 1]
    return {id: `3d000000-0000-4000-8000-00000000000${n}`, deviceName: d.displayName, operatingSystem: d.operatingSystem, osVersion: d.operatingSystemVersion, azureADDeviceId: d.deviceId, userPrincipalName: upn, complianceState: 'unknown', managementAgent: 'mdm'}
  }
  state.managedDevices.push(managed(1, 'alice@contoso.com'), managed(2, null), managed(3, 'alice@contoso.com'))
  state.deviceConfigurationStates[state.managedDevices[0].id] = [
    {
      id: randomUUID(),
      displayName: 'Legacy ATP onboarding',
      platformType: 'windows10AndLater',
      state: 'conflict',
      settingStates: [
        {setting: `${EDR_SETTING_PREFIX}configuration_samplesharing`, settingName: 'Sample sharing', state: 'conflict', currentValue: '0', sources: [{id: randomUUID(), displayName: 'Legacy ATP onboarding'}]},
      ],
    },
  ]
  state.connector = makeConnector({iosEnabled: true, windowsEnabled: true, lastHeartbeatDateTime: at})
  return state
}

export {DEFENDER_CONNECTOR_ID} from './graph-state.js'
