/**
 * The one registry of backend operations the server exposes and the remote backend calls.
 * Each backend method `resource.method(...args)` is ONE entry: its HTTP route under /v1, where
 * each positional argument travels (URL segment, query string, JSON body or one body field)
 * with its JSON schema, and the kind of operation the role matrix (DC6) checks. The server
 * (src/server/) and the client (./index.ts) are both derived from this list, so they cannot
 * disagree. Schemas check shape and types only (additionalProperties: false everywhere); the
 * value rules stay in the backend so both backends give the same messages and exit codes.
 *
 * Adding a backend method: add one `op(...)` line below. test/backends/registry.test.ts fails
 * when a method of the embedded backend has no entry here.
 */
import type {OperationKind} from '../../core/rbac/roles.js'
import {TENANT_FILE_SCHEMA} from '../../core/tenant-file/schema.js'

export type JsonSchema = {[key: string]: unknown}

export type ArgPlacement = 'path' | 'query' | 'body' | 'field'

export interface ArgSpec {
  name: string
  /**
   * `path`: a `:name` URL segment (strings only); `query`: a flat filter object sent as the
   * query string; `body`: the argument is the whole JSON body; `field`: one property of the body.
   */
  in: ArgPlacement
  schema: JsonSchema
  optional: boolean
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface OperationSpec {
  /** `resource.method` of the Backend interface. */
  id: string
  method: HttpMethod
  /** Route under /v1, with `:name` segments for `path` arguments. */
  path: string
  kind: OperationKind
  args: ArgSpec[]
  /**
   * The operation also takes its one body argument as a stream: `Content-Type:
   * application/x-ndjson`, one `item` per line, the lines being the body's `field` list. The
   * server validates each line with `item` and applies them all in one call (src/server/upload.ts).
   */
  stream?: {field: string; item: JsonSchema}
  /**
   * A list (issue 11 item 6): its query takes `limit` and `cursor` and it answers a page,
   * `{items, nextCursor}`. The server caps `limit` at SERVER_MAX_PAGE; the client follows
   * pages until it has the `limit` it was asked for.
   */
  paged?: boolean
  /**
   * A request whose body says `dryRun: true` changes nothing and only reads: the role matrix
   * checks it as `read`, so a read-only key can look at a deployment plan (and `atpctl validate`
   * can predict CM3 with one).
   */
  dryRunReads?: boolean
}

/** The largest page `atpctl serve` answers (a page of devices is about 0.7 MB of JSON). */
export const SERVER_MAX_PAGE = 1000

/** The query of a list: its filters plus the page request. */
const pageQuery = (filters: Record<string, JsonSchema> = {}): JsonSchema => obj({...filters, limit: {type: 'integer', minimum: 1}, cursor: str(2048)})

/** A list operation: GET with its filters and page request in the query string. */
function list(id: string, path: string, kind: OperationKind, filters: Record<string, JsonSchema> = {}): OperationSpec {
  return {...op(id, 'GET', path, kind, inQuery('request?', pageQuery(filters))), paged: true}
}

// Schema builders: short, and strict by default.
const MAX_STRING = 4096
export const str = (maxLength = MAX_STRING): JsonSchema => ({type: 'string', maxLength})
export const bool = (): JsonSchema => ({type: 'boolean'})
export const int = (): JsonSchema => ({type: 'integer'})
export const num = (): JsonSchema => ({type: 'number'})
export const nullable = (schema: JsonSchema): JsonSchema => ({anyOf: [schema, {type: 'null'}]})
export const arr = (items: JsonSchema, maxItems = 100_000): JsonSchema => ({type: 'array', items, maxItems})
export const strs = (maxItems = 10_000): JsonSchema => arr(str(512), maxItems)
/** An object schema: `required` lists the mandatory properties; nothing else is accepted. */
export const obj = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
})
/** A free-form JSON object (e.g. a policy definition), still bounded by the body limit. */
export const anyObject = (): JsonSchema => ({type: 'object'})

/** Positional argument helpers; `?` at the end of a name marks it optional. */
const arg =
  (placement: ArgPlacement) =>
  (name: string, schema: JsonSchema): ArgSpec => ({
    name: name.replace(/\?$/, ''),
    in: placement,
    schema,
    optional: name.endsWith('?'),
  })
export const inPath = (name: string): ArgSpec => arg('path')(name, str(512))
export const inQuery = arg('query')
export const inBody = arg('body')
export const inField = arg('field')

export function op(id: string, method: HttpMethod, path: string, kind: OperationKind, ...args: ArgSpec[]): OperationSpec {
  return {id, method, path: '/v1' + path, kind, args}
}

/** One inventory record (DeviceRecord of src/core/device/types.ts). */
export const DEVICE_RECORD = obj(
  {
    name: str(255),
    os: str(255),
    version: nullable(str(64)),
    osFamily: str(32),
    osName: str(255),
    build: nullable(int()),
    release: nullable(str(64)),
    level: str(32),
    minConfigMgr: nullable(int()),
    multiSession: bool(),
    managedBy: strs(16),
    environment: nullable(str(64)),
    subscription: nullable(str(128)),
    collections: strs(1000),
    user: nullable(str(256)),
    groups: strs(1000),
    lastSeen: nullable(str(64)),
    sensorService: str(32),
    otherFanotifySolution: bool(),
    previousInstall: bool(),
  },
  ['name', 'os'],
)

/** A policy's configuration file facts (PolicyConfigFile of src/core/policy/types.ts). */
const CONFIG_FILE = obj({name: str(512), sha256: str(64), orgId: str(64), expiresAt: nullable(str(64))}, ['name', 'sha256', 'orgId', 'expiresAt'])

/** RemovalOptions of a delete (src/core/port/collections-api.ts). */
const REMOVAL_OPTIONS = obj({dryRun: bool(), force: bool()})

/** What a sensor saw (Activity of src/core/detect/test-alerts.ts). */
const ACTIVITY: JsonSchema = {
  anyOf: [
    obj({type: {const: 'process'}, image: str(), commandLine: str(32_768)}, ['type', 'image', 'commandLine']),
    obj({type: {const: 'file-access'}, image: str(), commandLine: str(32_768), paths: strs(10_000)}, ['type', 'image', 'commandLine', 'paths']),
    obj({type: {const: 'app-launch'}, bundlePath: str(), bundleId: nullable(str(512))}, ['type', 'bundlePath', 'bundleId']),
  ],
}

/** A tenant file's typed form (TenantDocument): the file's own JSON Schema; its values are checked by the backend's plan and each resource's rules. */
const {$schema: _draft, $id: _id, ...SETUP_DOCUMENT} = TENANT_FILE_SCHEMA

/** `force`: the caller's consent to delete something in use (DeleteOptions of the port). */
const DELETE_OPTIONS = obj({force: bool()})

/** Every backend operation reachable over HTTP. Keep grouped by resource. */
export const OPERATIONS: OperationSpec[] = [
  // tenant (T1, T2)
  op('tenant.get', 'GET', '/tenant', 'read'),
  op('tenant.create', 'POST', '/tenant', 'tenant.admin', inBody('request', obj({location: str(16), datacenter: str(64)}, ['location', 'datacenter']))),
  op('tenant.secrets', 'GET', '/tenant/secrets', 'secrets.read'),

  // integrations (TP1, TP3, IN1–IN3, DC1–DC3)
  op('integrations.state', 'GET', '/integrations', 'read'),
  op('integrations.setThirdParty', 'PUT', '/integrations/third-party/:provider', 'integrations.write', inPath('provider'), inField('enabled', bool())),
  op(
    'integrations.setIntune',
    'PUT',
    '/integrations/intune',
    'integrations.write',
    inField('enabled', bool()),
    inField('toggles', obj({android: bool(), ios: bool(), windows: bool()})),
  ),
  op(
    'integrations.enableDefenderForCloud',
    'POST',
    '/integrations/defender-for-cloud/enable',
    'integrations.write',
    inBody('request', obj({subscriptionId: str(128), cloud: str(32), linux: bool(), windowsOnly: bool()}, ['subscriptionId', 'cloud', 'linux', 'windowsOnly'])),
  ),
  op(
    'integrations.disableDefenderForCloud',
    'POST',
    '/integrations/defender-for-cloud/disable',
    'integrations.write',
    inBody('request', obj({subscriptionId: str(128), linuxOnly: bool()}, ['subscriptionId', 'linuxOnly'])),
  ),

  // tokens (TP2–TP4)
  op('tokens.mint', 'POST', '/tokens', 'integrations.write', inBody('request', obj({provider: str(64), ttlMs: num()}, ['provider', 'ttlMs']))),
  list('tokens.list', '/tokens', 'read', {provider: str(64)}),
  op('tokens.revoke', 'DELETE', '/tokens/:id', 'integrations.write', inPath('id')),
  // The secret travels in the body, never in the URL.
  op('tokens.verify', 'POST', '/tokens/verify', 'read', inField('secret', str(512))),

  // audit
  list('audit.list', '/audit', 'read', {operation: str(128), newestFirst: bool()}),
  op('audit.head', 'GET', '/audit/head', 'read'),
  op('audit.verify', 'GET', '/audit/verify', 'read', inQuery('options?', obj({head: str(64)}))),

  // devices (issue 4; CM1–CM8, TP1/TP3)
  // A JSON body holds at most 100,000 records; the remote backend streams its records as NDJSON (issue 15).
  {
    ...op('devices.import', 'POST', '/devices/import', 'endpoints.write', inBody('request', obj({records: arr(DEVICE_RECORD)}, ['records']))),
    stream: {field: 'records', item: DEVICE_RECORD},
  },
  op('devices.get', 'GET', '/devices/:name', 'read', inPath('name'), inQuery('options?', obj({periodMs: num()}))),
  list('devices.list', '/devices', 'read', {
    namePrefix: str(256),
    collection: str(256),
    osFamily: str(32),
    os: str(256),
    level: str(32),
    health: str(32),
    managedBy: str(128),
    onboarded: bool(),
    periodMs: num(),
  }),
  op(
    'devices.delete',
    'POST',
    '/devices/delete',
    'endpoints.write',
    inBody('request', obj({names: strs(10_000), dryRun: bool(), force: bool()}, ['names'])),
  ),
  op(
    'devices.reportFromSensor',
    'POST',
    '/devices/sensor-reports',
    'endpoints.write',
    inBody('report', obj({name: str(255), os: str(255), version: nullable(str(64)), provider: str(64), sensorService: str(32)}, ['name', 'os', 'provider'])),
  ),
  // issue 12: one device per call; the comment is required (the backend checks it, as the rule of the offboard action)
  op('devices.offboard', 'POST', '/devices/offboard', 'endpoints.write', inBody('request', obj({device: str(255), comment: str(1000)}, ['device', 'comment']))),

  // collections (issue 4; CM3)
  op('collections.create', 'POST', '/collections', 'endpoints.write', inBody('request', obj({name: str(256), limitTo: nullable(str(256)), rules: strs(1000)}, ['name']))),
  list('collections.list', '/collections', 'read'),
  op('collections.get', 'GET', '/collections/:name', 'read', inPath('name'), inQuery('options?', obj({memberLimit: int()}))),
  op(
    'collections.update',
    'PATCH',
    '/collections/:name',
    'endpoints.write',
    inPath('name'),
    inBody('change', obj({addRules: strs(1000), removeRules: strs(1000), clearRules: bool(), limitTo: nullable(str(256))})),
  ),
  op('collections.delete', 'DELETE', '/collections/:name', 'endpoints.write', inPath('name'), inQuery('options?', REMOVAL_OPTIONS)),
  op('collections.addMembers', 'POST', '/collections/:name/members', 'endpoints.write', inPath('name'), inField('devices', strs())),
  op('collections.removeMembers', 'POST', '/collections/:name/members/remove', 'endpoints.write', inPath('name'), inField('devices', strs())),

  // ConfigMgr policies and monitoring (issue 4; CM3–CM7). The workspace key travels in the body only.
  op(
    'policies.create',
    'POST',
    '/policies',
    'endpoints.write',
    inBody(
      'request',
      obj(
        {
          name: str(256),
          description: str(),
          type: str(32),
          configFile: nullable(CONFIG_FILE),
          workspaceId: nullable(str(64)),
          workspaceKey: nullable(str(512)),
          sampleSharing: str(16),
          configMgrVersion: int(),
        },
        ['name', 'description', 'type', 'configFile', 'workspaceId', 'workspaceKey', 'sampleSharing', 'configMgrVersion'],
      ),
    ),
  ),
  list('policies.list', '/policies', 'read'),
  op('policies.get', 'GET', '/policies/:name', 'read', inPath('name')),
  op(
    'policies.update',
    'PATCH',
    '/policies/:name',
    'endpoints.write',
    inPath('name'),
    inBody(
      'change',
      obj({
        description: str(),
        configFile: nullable(CONFIG_FILE),
        workspaceId: nullable(str(64)),
        workspaceKey: nullable(str(512)),
        sampleSharing: str(16),
        configMgrVersion: int(),
        force: bool(),
      }),
    ),
  ),
  op('policies.delete', 'DELETE', '/policies/:name', 'endpoints.write', inPath('name'), inQuery('options?', REMOVAL_OPTIONS)),
  {
    ...op(
      'policies.undeploy',
      'POST',
      '/policies/deployments/remove',
      'endpoints.write',
      inBody('request', obj({name: str(256), collections: strs(1000), dryRun: bool(), force: bool()}, ['name', 'collections'])),
    ),
    dryRunReads: true,
  },
  {
    ...op(
      'policies.deploy',
      'POST',
      '/policies/deployments',
      'endpoints.write',
      inBody('request', obj({name: str(256), collections: strs(1000), dryRun: bool(), force: bool()}, ['name', 'collections', 'dryRun', 'force'])),
    ),
    dryRunReads: true,
  },
  op('monitor.report', 'POST', '/monitor/report', 'read', inBody('request', obj({collection: str(256), periodMs: num()}, ['periodMs']))),

  // packages (issue 3)
  op(
    'packages.record',
    'POST',
    '/packages',
    'endpoints.write',
    inBody(
      'input',
      obj(
        {kind: str(32), os: str(32), method: str(32), fileName: str(512), path: str(), sha256: str(64), bytes: int(), createdAt: str(64), expiresAt: nullable(str(64))},
        ['kind', 'os', 'method', 'fileName', 'path', 'sha256', 'bytes', 'createdAt'],
      ),
    ),
  ),
  list('packages.list', '/packages', 'read', {kind: str(32)}),
  op('packages.subscriptionScript', 'GET', '/packages/subscription-script', 'read', inQuery('request', obj({subscriptionId: str(128), script: str(16)}, ['subscriptionId', 'script']))),

  // alerts (issue 5; DC6: viewing alerts needs a reader role, resolving a security admin)
  list('alerts.list', '/alerts', 'alerts.read', {device: str(256), severity: str(32), status: str(32), since: str(64)}),
  op('alerts.get', 'GET', '/alerts/:id', 'alerts.read', inPath('id')),
  op('alerts.resolve', 'POST', '/alerts/:id/resolve', 'alerts.write', inPath('id'), inBody('options?', obj({comment: str(), classification: str(64), determination: str(64)}))),
  op(
    'alerts.find',
    'POST',
    '/alerts/find',
    'alerts.read',
    inBody('query', obj({machineId: str(256), title: str(512), since: str(64), evidenceFileName: str(1024)}, ['machineId', 'title', 'since'])),
  ),
  op('alerts.risks', 'POST', '/alerts/risks', 'alerts.read', inField('machineIds?', strs())),

  // detection (issue 5; DT1–DT3, DC8, TP5)
  op('detection.target', 'POST', '/detection/target', 'read', inBody('query', obj({device: str(256), os: str(32)}))),
  op(
    'detection.submitFile',
    'POST',
    '/detection/files',
    'alerts.write',
    inBody('request', obj({device: str(256), fileName: str(1024), path: str(), contentBase64: str(1_000_000)}, ['device', 'fileName', 'path', 'contentBase64'])),
  ),
  op('detection.submitActivity', 'POST', '/detection/activities', 'alerts.write', inBody('request', obj({device: str(256), os: str(32), activity: ACTIVITY}, ['device', 'os', 'activity']))),

  // Intune (issue 6; IN1–IN6)
  op('intune.createGroup', 'POST', '/intune/groups', 'endpoints.write', inBody('request', obj({name: str(256), description: str()}, ['name']))),
  op('intune.updateGroup', 'PATCH', '/intune/groups/:name', 'endpoints.write', inPath('name'), inBody('request', obj({description: nullable(str())}, ['description']))),
  op('intune.deleteGroup', 'DELETE', '/intune/groups/:name', 'endpoints.write', inPath('name'), inQuery('options?', DELETE_OPTIONS)),
  op('intune.addGroupMembers', 'POST', '/intune/groups/members', 'endpoints.write', inBody('request', obj({group: str(256), devices: strs(), users: strs()}, ['group', 'devices', 'users']))),
  op(
    'intune.removeGroupMembers',
    'POST',
    '/intune/groups/members/remove',
    'endpoints.write',
    inBody('request', obj({group: str(256), devices: strs(), users: strs()}, ['group', 'devices', 'users'])),
  ),
  list('intune.listGroups', '/intune/groups', 'read'),
  op('intune.showGroup', 'GET', '/intune/groups/:name', 'read', inPath('name')),
  op('intune.userGroups', 'GET', '/intune/users/:user/groups', 'read', inPath('user')),
  op(
    'intune.createEdrProfile',
    'POST',
    '/intune/edr-profiles',
    'endpoints.write',
    inBody(
      'request',
      obj(
        {name: str(256), description: str(), sampleSharing: str(16), expediteTelemetry: bool(), deviceGroups: strs(), userGroups: strs()},
        ['name', 'sampleSharing', 'expediteTelemetry', 'deviceGroups', 'userGroups'],
      ),
    ),
  ),
  op(
    'intune.updateEdrProfile',
    'PATCH',
    '/intune/edr-profiles/:nameOrId',
    'endpoints.write',
    inPath('nameOrId'),
    inBody('request', obj({description: nullable(str()), sampleSharing: str(16), expediteTelemetry: bool(), deviceGroups: strs(), userGroups: strs()})),
  ),
  op('intune.deleteEdrProfile', 'DELETE', '/intune/edr-profiles/:nameOrId', 'endpoints.write', inPath('nameOrId'), inQuery('options?', DELETE_OPTIONS)),
  list('intune.listEdrProfiles', '/intune/edr-profiles', 'read'),
  op('intune.showEdrProfile', 'GET', '/intune/edr-profiles/:nameOrId', 'read', inPath('nameOrId')),
  op('intune.deviceConflicts', 'GET', '/intune/devices/:device/conflicts', 'read', inPath('device')),
  op('intune.createIosAppConfig', 'POST', '/intune/app-configs', 'endpoints.write', inBody('request', obj({name: str(256), assignGroup: nullable(str(256))}, ['name', 'assignGroup']))),
  list('intune.listAppConfigs', '/intune/app-configs', 'read'),
  op('intune.showAppConfig', 'GET', '/intune/app-configs/:nameOrId', 'read', inPath('nameOrId')),
  op('intune.updateAppConfig', 'PATCH', '/intune/app-configs/:nameOrId', 'endpoints.write', inPath('nameOrId'), inBody('request', obj({assignGroup: nullable(str(256))}, ['assignGroup']))),
  op('intune.deleteAppConfig', 'DELETE', '/intune/app-configs/:nameOrId', 'endpoints.write', inPath('nameOrId'), inQuery('options?', DELETE_OPTIONS)),

  // compliance (IN7)
  op(
    'compliance.create',
    'POST',
    '/compliance/policies',
    'endpoints.write',
    inBody('request', obj({name: str(256), description: str(), platform: str(32), maxRisk: str(16), assignGroup: str(256)}, ['name', 'platform', 'maxRisk'])),
  ),
  list('compliance.list', '/compliance/policies', 'read'),
  op('compliance.get', 'GET', '/compliance/policies/:nameOrId', 'read', inPath('nameOrId')),
  op(
    'compliance.update',
    'PATCH',
    '/compliance/policies/:nameOrId',
    'endpoints.write',
    inPath('nameOrId'),
    inBody('request', obj({description: nullable(str()), platform: str(32), maxRisk: str(16), assignGroup: nullable(str(256))})),
  ),
  op('compliance.delete', 'DELETE', '/compliance/policies/:nameOrId', 'endpoints.write', inPath('nameOrId'), inQuery('options?', DELETE_OPTIONS)),
  op('compliance.evaluate', 'GET', '/compliance/evaluation', 'read', inQuery('filter?', obj({device: str(256)}))),

  // conditional access (IN3, IN8): security policy, like integrations
  op(
    'access.createPolicy',
    'POST',
    '/access/policies',
    'integrations.write',
    inBody(
      'request',
      obj(
        {name: str(256), includeGroups: strs(), excludeGroups: strs(), apps: strs(), clients: strs(16), grant: str(64), enabled: bool(), reportOnly: bool()},
        ['name', 'includeGroups', 'excludeGroups', 'apps', 'clients', 'grant', 'enabled'],
      ),
    ),
  ),
  list('access.listPolicies', '/access/policies', 'read'),
  op('access.getPolicy', 'GET', '/access/policies/:nameOrId', 'read', inPath('nameOrId')),
  op(
    'access.updatePolicy',
    'PATCH',
    '/access/policies/:nameOrId',
    'integrations.write',
    inPath('nameOrId'),
    inBody('request', obj({includeGroups: strs(), excludeGroups: strs(), apps: strs(), clients: strs(16), grant: str(64), reportOnly: bool()})),
  ),
  op('access.setPolicyEnabled', 'PUT', '/access/policies/:nameOrId/enabled', 'integrations.write', inPath('nameOrId'), inField('enabled', bool())),
  op('access.deletePolicy', 'DELETE', '/access/policies/:nameOrId', 'integrations.write', inPath('nameOrId'), inQuery('options?', DELETE_OPTIONS)),

  // long-running operations (issue 11 item 5)
  op('operations.list', 'GET', '/operations', 'read', inQuery('filter?', obj({kind: str(128), status: str(16), limit: int(), cursor: str(64)}))),
  op('operations.get', 'GET', '/operations/:id', 'read', inPath('id')),

  // tenant as code (issue 14): the server plans again and applies in one transaction; secrets travel in the body only
  op(
    'setup.apply',
    'POST',
    '/setup/apply',
    'tenant.admin',
    inBody(
      'request',
      obj(
        {
          document: SETUP_DOCUMENT,
          file: str(4096),
          prune: bool(),
          secrets: obj({workspaceKeys: {type: 'object', additionalProperties: str(512)}, configFiles: {type: 'object', additionalProperties: CONFIG_FILE}}, ['workspaceKeys', 'configFiles']),
          expectedTenantSha256: str(64),
        },
        ['document', 'file', 'prune', 'secrets'],
      ),
    ),
  ),

  // API keys of this server
  op('apiKeys.create', 'POST', '/api-keys', 'keys.admin', inBody('request', obj({name: str(64), role: str(64), ttlMs: num()}, ['name', 'role']))),
  list('apiKeys.list', '/api-keys', 'keys.admin'),
  op('apiKeys.revoke', 'DELETE', '/api-keys/:idOrName', 'keys.admin', inPath('idOrName')),
  op('apiKeys.verify', 'POST', '/api-keys/verify', 'keys.admin', inField('secret', str(512))),
]

/** Looks an operation up by `resource.method`. */
export function findOperation(id: string): OperationSpec | undefined {
  return OPERATIONS.find((o) => o.id === id)
}
