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
  op('tokens.list', 'GET', '/tokens', 'read', inQuery('filter?', obj({provider: str(64)}))),
  op('tokens.revoke', 'DELETE', '/tokens/:id', 'integrations.write', inPath('id')),
  // The secret travels in the body, never in the URL.
  op('tokens.verify', 'POST', '/tokens/verify', 'read', inField('secret', str(512))),

  // audit
  op('audit.list', 'GET', '/audit', 'read', inQuery('filter?', obj({limit: int(), operation: str(128)}))),
  op('audit.verify', 'GET', '/audit/verify', 'read'),

  // API keys of this server
  op('apiKeys.create', 'POST', '/api-keys', 'keys.admin', inBody('request', obj({name: str(64), role: str(64), ttlMs: num()}, ['name', 'role']))),
  op('apiKeys.list', 'GET', '/api-keys', 'keys.admin'),
  op('apiKeys.revoke', 'DELETE', '/api-keys/:idOrName', 'keys.admin', inPath('idOrName')),
  op('apiKeys.verify', 'POST', '/api-keys/verify', 'keys.admin', inField('secret', str(512))),
]

/** Looks an operation up by `resource.method`. */
export function findOperation(id: string): OperationSpec | undefined {
  return OPERATIONS.find((o) => o.id === id)
}
