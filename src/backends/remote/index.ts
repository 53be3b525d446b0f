import {ALL_SUPPORTED, type Capabilities, SUBSCRIPTION_PACKAGES_INSTEAD} from '../../core/capabilities.js'
import {UnsupportedError} from '../../core/errors.js'
import {createHttpClient, type HttpClient, type HttpRequest} from '../../lib/http-client.js'
import {NDJSON_MEDIA_TYPE, ndjsonChunks, ndjsonChunksAsync} from '../../lib/ndjson.js'
import type {Page} from '../../core/port/page.js'
import type {Backend} from '../../core/port/types.js'
import {OPERATIONS, type OperationSpec} from './operations.js'

/**
 * A server does everything its embedded tenant does, except serve it again: that runs on the
 * machine that holds the tenant.
 */
export const REMOTE_CAPABILITIES: Capabilities = {
  ...ALL_SUPPORTED,
  serve: {supported: false, instead: 'Run atpctl serve on the server host, with the profile that holds the tenant (its embedded backend).'},
  'subscription-packages': {supported: false, instead: SUBSCRIPTION_PACKAGES_INSTEAD},
}

export interface RemoteBackendOptions {
  url: string
  apiKey: string
  caFile?: string
  /** Who is acting (profile:user); the server records it in the audit log beside the key name. */
  actor?: string
  timeoutMs?: number
}

/** The principal the server sees for this key (GET /v1/whoami). */
export interface WhoAmI {
  kind: 'api-key'
  id: string
  name: string
  role: string
  permissions: string[]
}

export interface RemoteBackend extends Backend {
  whoami(): Promise<WhoAmI>
}

/** Builds the HTTP request of one operation from its positional arguments. */
export function encodeOperation(spec: OperationSpec, args: unknown[]): HttpRequest {
  let path = spec.path
  let query: Record<string, string> | undefined
  let body: unknown
  const fields: Record<string, unknown> = {}
  let hasFields = false
  for (const [index, a] of spec.args.entries()) {
    const value = args[index]
    switch (a.in) {
      case 'path': {
        path = path.replace(`:${a.name}`, encodeURIComponent(String(value)))
        break
      }

      case 'query': {
        if (value && typeof value === 'object') {
          query = {}
          for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) query[k] = String(v)
        }

        break
      }

      case 'body': {
        body = value
        break
      }

      case 'field': {
        hasFields = true
        if (value !== undefined) fields[a.name] = value
        break
      }
    }
  }

  if (hasFields) body = fields
  if (body === undefined && spec.method !== 'GET' && spec.method !== 'DELETE') body = {}
  return {method: spec.method, path, query, body: JSON.parse(JSON.stringify(body ?? null, iterablesAsArrays)) ?? undefined}
}

/** JSON has no iterables: an argument given as one is sent as an array (a streamed operation's list goes out as NDJSON instead, see callStreamed). */
function iterablesAsArrays(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Symbol.iterator in value) return [...(value as Iterable<unknown>)]
  return value
}

/**
 * A streamed operation (issue 15): its list goes out as NDJSON while it is produced (a device
 * import reads the file as it sends), never as one JSON body, so an inventory of any size fits
 * the server's default limits and the client holds only a chunk at a time.
 */
function callStreamed(client: HttpClient, spec: OperationSpec, args: unknown[]): Promise<unknown> {
  const {field} = spec.stream!
  const items = (args[0] as Record<string, unknown> | undefined)?.[field]
  const iterable = items !== null && typeof items === 'object' && Symbol.iterator in items
  const asyncIterable = items !== null && typeof items === 'object' && Symbol.asyncIterator in items
  if (!iterable && !asyncIterable) return client.call(encodeOperation(spec, args))
  const {method, path} = encodeOperation(spec, [])
  const chunks = iterable ? ndjsonChunks(items as Iterable<unknown>) : ndjsonChunksAsync(items as AsyncIterable<unknown>)
  return client.upload({method, path, contentType: NDJSON_MEDIA_TYPE}, chunks)
}

/**
 * A list (issue 11 item 6): the server answers at most SERVER_MAX_PAGE items a request, so a
 * larger `limit` is filled by following its cursors, up to that limit; without one, one page.
 */
async function callPaged(client: HttpClient, spec: OperationSpec, request: Record<string, unknown> = {}): Promise<Page<unknown>> {
  const want = typeof request.limit === 'number' ? request.limit : undefined
  const items: unknown[] = []
  let cursor = request.cursor
  for (;;) {
    const query = {...request, ...(want === undefined ? {} : {limit: want - items.length}), ...(cursor === undefined ? {} : {cursor})}
    const answer = (await client.call(encodeOperation(spec, [query]))) as {result: Page<unknown>}
    items.push(...answer.result.items)
    if (answer.result.nextCursor === null || want === undefined || items.length >= want) return {items, nextCursor: answer.result.nextCursor}
    cursor = answer.result.nextCursor
  }
}

/**
 * The `remote` backend: every Backend method is a call to `atpctl serve`, derived from the
 * operation registry. The server answers `{"result": …}` or an error envelope that becomes the
 * same core error (and exit code) the embedded backend would have thrown.
 */
export function openRemoteBackend(options: RemoteBackendOptions): RemoteBackend {
  const client: HttpClient = createHttpClient({
    baseUrl: options.url,
    caFile: options.caFile,
    authorization: `Bearer ${options.apiKey.trim()}`,
    timeoutMs: options.timeoutMs,
    headers: options.actor ? {'x-atpctl-actor': options.actor.replace(/[^\w.@:+-]/g, '_').slice(0, 128)} : {},
  })
  const resources: Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>> = {}
  for (const spec of OPERATIONS) {
    const [resource, method] = spec.id.split('.')
    resources[resource] ??= {}
    resources[resource][method] = async (...args: unknown[]) => {
      if (spec.paged) return callPaged(client, spec, args[0] as Record<string, unknown> | undefined)
      const answer = (await (spec.stream ? callStreamed(client, spec, args) : client.call(encodeOperation(spec, args)))) as {result?: unknown} | undefined
      return answer?.result
    }
  }

  const unsupported = (what: string) =>
    new UnsupportedError(`The remote backend cannot do ${what}: the server's API has no such operation.`, {
      suggestions: ['Upgrade atpctl on the server and on this machine to the same version.'],
    })
  // A method the registry lacks fails as "unsupported by this backend" (exit 4), not a TypeError.
  const resourceProxy = (name: string) =>
    new Proxy(resources[name] ?? {}, {
      get(target, prop) {
        if (typeof prop !== 'string' || prop === 'then') return undefined
        return target[prop] ?? (async () => Promise.reject(unsupported(`${name}.${prop}`)))
      },
    })
  const base = {
    kind: 'remote' as const,
    location: client.baseUrl,
    capabilities: REMOTE_CAPABILITIES,
    async whoami() {
      return (await client.call({method: 'GET', path: '/v1/whoami'})) as WhoAmI
    },
    async close() {
      client.close()
    },
  }
  return new Proxy(base, {
    get(target, prop) {
      if (prop in target) return target[prop as keyof typeof target]
      if (typeof prop !== 'string' || prop === 'then') return undefined
      return resourceProxy(prop)
    },
  }) as unknown as RemoteBackend
}
