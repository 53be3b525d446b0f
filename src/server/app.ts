/**
 * The HTTP API of `atpctl serve` (issue 7): every backend operation of the registry as a /v1
 * route with schema validation, API keys with roles (DC6), sensor endpoints for third-party
 * tokens (TP2–TP5), errors as `{"error": {code, message, exitCode, suggestions}}` with the
 * status of the SPEC exit code, a body limit, a per-key rate limit, structured access logs
 * without secrets, and /healthz. Fastify is imported here only, and only `serve` imports this.
 */
import {rm} from 'node:fs/promises'
import type {FastifyError, FastifyInstance, FastifyReply, FastifyRequest} from 'fastify'
import {AtpError, AuthError, isAtpError, RuleError, ThrottledError} from '../core/errors.js'
import type {OperationKind} from '../core/rbac/roles.js'
import {toEnvelope} from '../lib/http-errors.js'
import {NDJSON_MEDIA_TYPE} from '../lib/ndjson.js'
import {OPERATIONS, type OperationSpec, type JsonSchema, SERVER_MAX_PAGE} from '../backends/remote/operations.js'
import {type AccessLogger, pathOnly} from './access-log.js'
import {authorize, createAuthenticator, createAuthFailureLimiter, permissionsOf, type Principal} from './auth.js'
import {DEFAULT_AUTH_FAILURE_LIMIT} from '../core/rbac/auth-failures.js'
import type {ServedBackend} from './served-backend.js'
import type {Spool, SpoolDrainer} from './spool.js'
import {registerSensorRoutes} from './sensor-routes.js'
import {DEFAULT_IMPORT_LIMIT, receiveNdjson, StreamedBody} from './upload.js'
import {AJV_CUSTOM_OPTIONS} from './validation.js'

export interface ServerOptions {
  served: ServedBackend
  /** Durable inbox of sensor heartbeats and file events (see spool.ts). */
  spool: Spool
  /** Drains the spool (a worker thread); default: this thread. */
  drainer?: SpoolDrainer
  /** Largest accepted request body for admin routes, bytes (default 4 MiB). */
  bodyLimit?: number
  /** Largest streamed (NDJSON) import body, bytes (default 2 GiB); see upload.ts. */
  importLimit?: number
  /** Folder of streamed imports being received (default: the system's temporary folder). */
  uploadDir?: string
  /** A streamed import from which nothing arrives for this long is dropped, ms (default 60 s). */
  uploadIdleMs?: number
  /** Largest accepted body on sensor endpoints, bytes (default 64 KiB). */
  sensorBodyLimit?: number
  /** Requests per minute per API key (per client address when anonymous); 0 turns it off. */
  rateLimit?: number
  /** Requests per minute per sensor token: one token serves a provider's whole fleet; 0 turns it off. */
  sensorRateLimit?: number
  /** Failed authentications per minute per client address before 429 (default 30); 0 turns it off. */
  authFailureLimit?: number
  accessLog?: AccessLogger
  /** Where unexpected errors are reported (the client only sees that there was one). */
  errorLog?: (message: string) => void
  tls?: {cert: string | Buffer; key: string | Buffer}
  version?: string
  /** When shutting down, until when (epoch ms) the spool is drained; the rest waits for the next start. */
  drainDeadline?: () => number
}

/** A client has this long to send its request headers (a trickling client cannot hold a connection). */
export const HEADERS_TIMEOUT_MS = 10_000

export type RouteAuth = 'admin' | 'sensor' | 'none'

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null
    errorCode: string | null
  }
  interface FastifyContextConfig {
    auth?: RouteAuth
    kind?: OperationKind
    operation?: string
    /** The route also takes an NDJSON stream (an operation with `stream` in the registry). */
    streamed?: boolean
  }
}

export const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024
export const DEFAULT_SENSOR_BODY_LIMIT = 64 * 1024
export const DEFAULT_RATE_LIMIT = 3000
export const DEFAULT_SENSOR_RATE_LIMIT = 120_000

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const {default: Fastify} = await import('fastify')
  const {backend, withActor} = options.served
  const serverOptions: Record<string, unknown> = {
    logger: false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    routerOptions: {maxParamLength: 512, caseSensitive: true},
    requestTimeout: 60_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    exposeHeadRoutes: false,
    // Malformed URLs and over-long path segments never reach a route; answer them in our envelope too.
    frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
      const status = error.statusCode ?? 400
      reply
        .code(status)
        .type('application/json')
        .send({error: {code: 'BAD_URL', message: `The request URL is not acceptable: ${error.message}`, exitCode: 2, suggestions: ['Check the id or name in the URL.']}})
    },
    // Unknown fields are an error (not silently dropped) and types are never coerced in bodies.
    ajv: {customOptions: {...AJV_CUSTOM_OPTIONS}},
  }
  if (options.tls) serverOptions.https = {cert: options.tls.cert, key: options.tls.key}
  const app = Fastify(serverOptions) as unknown as FastifyInstance
  app.server.headersTimeout = HEADERS_TIMEOUT_MS
  const auth = createAuthenticator(backend)

  // NDJSON bodies reach only the routes of streamed operations, unread: the handler reads them
  // (after authentication and the role check) with back-pressure, under their own size limit.
  app.addContentTypeParser(NDJSON_MEDIA_TYPE, (request: FastifyRequest, payload: FastifyRequest['raw'], done: (error: Error | null, body?: unknown) => void) => {
    if (request.routeOptions.config.streamed) return done(null, new StreamedBody(payload))
    done(
      Object.assign(new AtpError('UNSUPPORTED_MEDIA_TYPE', 2, 'This route takes a JSON body (Content-Type: application/json), not NDJSON.', {suggestions: []}), {
        statusCode: 415,
      }),
    )
  })
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT
  // The whole-request timeout (60 s) keeps slow bodies from holding connections, but 1,000,000
  // streamed rows can take longer to arrive from a busy client: while a socket streams an
  // import it is exempt, and the upload is dropped instead when nothing arrives for 60 s.
  const streaming = new WeakSet<object>()
  const clientErrorHandlers = app.server.listeners('clientError') as ((error: Error, socket: object) => void)[]
  app.server.removeAllListeners('clientError')
  app.server.on('clientError', (error: NodeJS.ErrnoException, socket: object) => {
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT' && streaming.has(socket)) return
    for (const handler of clientErrorHandlers) handler.call(app.server, error, socket)
  })
  const uploadDir = options.uploadDir ?? (await import('node:os')).tmpdir()

  app.decorateRequest('principal', null)
  app.decorateRequest('errorCode', null)

  // Authentication first, before the body is read: a request without valid credentials costs
  // one hash lookup and never reaches the parser.
  // An address that keeps failing is refused before its credentials are even looked at.
  const failures = createAuthFailureLimiter(options.authFailureLimit ?? DEFAULT_AUTH_FAILURE_LIMIT)
  app.addHook('onRequest', async (request, reply) => {
    const config = request.routeOptions.config
    if (config.auth !== 'admin' && config.auth !== 'sensor') return
    try {
      failures.check(request.ip)
    } catch (error) {
      reply.header('retry-after', String((error as {retryAfterSeconds: number}).retryAfterSeconds))
      throw error
    }

    try {
      request.principal = config.auth === 'admin' ? await auth.admin(request.headers.authorization) : await auth.sensor(request.headers.authorization)
    } catch (error) {
      if (error instanceof AuthError) failures.failed(request.ip)
      throw error
    }
  })

  const adminLimit = options.rateLimit ?? DEFAULT_RATE_LIMIT
  const sensorLimit = options.sensorRateLimit ?? DEFAULT_SENSOR_RATE_LIMIT
  if (adminLimit > 0 || sensorLimit > 0) {
    const {default: rateLimit} = await import('@fastify/rate-limit')
    const unlimited = Number.MAX_SAFE_INTEGER
    await app.register(rateLimit, {
      global: true,
      max: (_request: FastifyRequest, key: string) => (key.startsWith('token:') ? sensorLimit || unlimited : adminLimit || unlimited),
      timeWindow: 60_000,
      keyGenerator(request: FastifyRequest) {
        const p = request.principal
        if (p?.kind === 'api-key') return `key:${p.id}`
        if (p?.kind === 'sensor') return `token:${p.tokenId}`
        return `ip:${request.ip}`
      },
      // Throttled (exit 8, issue 11 item 4): the client may retry after Retry-After, unlike an unreachable server.
      errorResponseBuilder(_request: FastifyRequest, context: {ttl: number; statusCode: number}) {
        const seconds = Math.max(1, Math.ceil(context.ttl / 1000))
        return Object.assign(new ThrottledError(`Too many requests for this key; retry in ${seconds} s.`, {
          retryAfterMs: seconds * 1000,
          suggestions: ['Slow down, or ask the server operator to raise --rate-limit.'],
        }), {statusCode: context.statusCode})
      },
    })
  }

  app.addHook('onResponse', async (request, reply) => {
    if (!options.accessLog) return
    const p = request.principal
    options.accessLog({
      time: new Date().toISOString(),
      requestId: String(request.id),
      method: request.method,
      route: request.routeOptions.url ?? '(none)',
      path: pathOnly(request.url),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 100) / 100,
      ip: request.ip,
      principal: p ? (p.kind === 'api-key' ? `key:${p.id}:${p.name}` : `token:${p.tokenId}:${p.provider}`) : null,
      role: p?.kind === 'api-key' ? p.role : p?.kind === 'sensor' ? 'sensor' : null,
      operation: request.routeOptions.config.operation ?? null,
      bytesIn: Number(request.headers['content-length'] ?? 0),
      errorCode: request.errorCode,
    })
  })

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const envelope = toEnvelope(translateFrameworkError(error))
    const {body} = envelope
    // Framework answers keep their precise status (413, 415, 429); the body still carries the exit code.
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 && error.statusCode !== 400 ? error.statusCode : envelope.status
    if (status >= 500 && !isAtpError(error)) options.errorLog?.(`${request.method} ${pathOnly(request.url)}: ${error.stack ?? error.message}`)
    request.errorCode = body.error.code
    if (status === 429) reply.header('retry-after', reply.getHeader('retry-after') ?? String(Math.max(1, Math.ceil(Number(body.error.details?.retryAfterMs ?? 1000) / 1000))))
    reply.code(status).type('application/json').send(body)
  })

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    request.errorCode = 'NO_SUCH_ROUTE'
    reply
      .code(404)
      .type('application/json')
      .send({
        error: {
          code: 'NO_SUCH_ROUTE',
          message: `This server has no route ${request.method} ${pathOnly(request.url)}.`,
          // Not "not found" (3): a missing route means client and server versions differ.
          exitCode: 4,
          suggestions: ['Use the same atpctl version on the server and the clients.'],
        },
      })
  })

  app.get('/healthz', {config: {auth: 'none', rateLimit: false}}, async () => {
    await backend.tenant.get()
    return {status: 'ok', version: options.version ?? null}
  })

  app.get('/v1/whoami', {config: {auth: 'admin', operation: 'whoami'}}, async (request) => {
    const p = request.principal as Extract<Principal, {kind: 'api-key'}>
    return {kind: 'api-key', id: p.id, name: p.name, role: p.role, permissions: permissionsOf(p.role)}
  })

  for (const spec of OPERATIONS) registerOperation(app, spec)

  const sensor = registerSensorRoutes(app, {
    served: options.served,
    bodyLimit: options.sensorBodyLimit ?? DEFAULT_SENSOR_BODY_LIMIT,
    spool: options.spool,
    drainer: options.drainer,
    errorLog: options.errorLog,
  })
  // Runs once the server no longer accepts requests and those in flight are answered.
  app.addHook('onClose', async () => sensor.flush(options.drainDeadline?.()))

  function registerOperation(server: FastifyInstance, spec: OperationSpec): void {
    const [resource, method] = spec.id.split('.')
    const schema: Record<string, JsonSchema> = {}
    const pathArgs = spec.args.filter((a) => a.in === 'path')
    if (pathArgs.length > 0) {
      schema.params = {
        type: 'object',
        properties: Object.fromEntries(pathArgs.map((a) => [a.name, a.schema])),
        required: pathArgs.map((a) => a.name),
        additionalProperties: false,
      }
    }

    const queryArg = spec.args.find((a) => a.in === 'query')
    if (queryArg) schema.querystring = queryArg.schema
    const bodyArg = spec.args.find((a) => a.in === 'body')
    const fieldArgs = spec.args.filter((a) => a.in === 'field')
    // A streamed operation validates its JSON bodies here and each NDJSON line in its handler.
    if (bodyArg && spec.stream) schema.body = {content: {'application/json': {schema: bodyArg.schema}, 'text/plain': {schema: bodyArg.schema}}}
    else if (bodyArg) schema.body = bodyArg.schema
    else if (fieldArgs.length > 0) {
      schema.body = {
        type: 'object',
        properties: Object.fromEntries(fieldArgs.map((a) => [a.name, a.schema])),
        required: fieldArgs.filter((a) => !a.optional).map((a) => a.name),
        additionalProperties: false,
      }
    } else if (spec.method !== 'GET' && spec.method !== 'DELETE') {
      schema.body = {type: 'object', additionalProperties: false}
    }

    const changes = !['read', 'alerts.read', 'secrets.read'].includes(spec.kind)
    server.route({
      method: spec.method,
      url: spec.path,
      schema,
      config: {auth: 'admin', kind: spec.kind, operation: spec.id, streamed: spec.stream !== undefined},
      preValidation: queryArg
        ? async (request) => {
            request.query = coerceQuery(request.query as Record<string, unknown>, queryArg.schema)
          }
        : undefined,
      async preHandler(request) {
        // Runs after the body's validation, so `dryRun` is the boolean the backend will see.
        const dryRun = spec.dryRunReads === true && (request.body as {dryRun?: unknown} | undefined)?.dryRun === true
        authorize(request.principal as Extract<Principal, {kind: 'api-key'}>, dryRun ? 'read' : spec.kind, spec.id)
      },
      async handler(request) {
        const target = (backend as unknown as Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>>)[resource]
        const fn = target?.[method]
        if (typeof fn !== 'function') throw new RuleError('', `This server's backend has no operation ${spec.id}.`)
        const args = spec.args.map((a) => {
          switch (a.in) {
            case 'path': {
              return (request.params as Record<string, string>)[a.name]
            }

            case 'query': {
              const q = request.query as Record<string, unknown>
              // A list answers at most SERVER_MAX_PAGE items a request, whatever the client asks (issue 11 item 6).
              if (spec.paged) return {...q, limit: Math.min(typeof q.limit === 'number' ? q.limit : SERVER_MAX_PAGE, SERVER_MAX_PAGE)}
              return Object.keys(q).length === 0 ? undefined : q
            }

            case 'body': {
              return request.body ?? undefined
            }

            case 'field': {
              return (request.body as Record<string, unknown> | undefined)?.[a.name]
            }
          }
        })
        const p = request.principal as Extract<Principal, {kind: 'api-key'}>
        const client = request.headers['x-atpctl-actor']
        const actor = `key:${p.name}` + (typeof client === 'string' && client !== '' ? ` (${client.replace(/[^\w.@:+-]/g, '_').slice(0, 128)})` : '')
        if (spec.stream && request.body instanceof StreamedBody) return receiveAndApply(spec, request.body, actor)
        try {
          const result = await withActor(actor, () => fn.apply(target, args))
          return {result: result === undefined ? null : result}
        } finally {
          if (changes) auth.invalidate()
        }
      },
    })
  }

  /** A streamed operation: the body goes to a file, then to the backend in one call (upload.ts). */
  async function receiveAndApply(spec: OperationSpec, body: StreamedBody, actor: string) {
    const {socket} = body.stream as FastifyRequest['raw']
    streaming.add(socket)
    let upload
    try {
      upload = await receiveNdjson(body.stream, {dir: uploadDir, limit: options.importLimit ?? DEFAULT_IMPORT_LIMIT, idleMs: options.uploadIdleMs ?? 60_000})
    } finally {
      streaming.delete(socket)
    }

    try {
      // One record is never larger than a JSON request may be.
      const result = await withActor(actor, () => options.served.callWithFile(spec.id, upload.file, bodyLimit))
      return {result: result === undefined ? null : result}
    } finally {
      auth.invalidate()
      await rm(upload.file, {force: true})
    }
  }

  return app
}

/** Query strings are text; give integers, numbers and booleans their type before validation. */
function coerceQuery(query: Record<string, unknown>, schema: JsonSchema): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, {type?: string}>
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(query ?? {})) {
    const type = properties[key]?.type
    if (typeof value !== 'string') out[key] = value
    else if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) out[key] = Number(value)
    else if (type === 'boolean' && (value === 'true' || value === 'false')) out[key] = value === 'true'
    else out[key] = value
  }

  return out
}

/** Fastify's own 4xx errors (bad JSON, too large, schema) in our envelope and exit codes. */
function translateFrameworkError(error: FastifyError): unknown {
  if (isAtpError(error)) return error
  if (error.validation) {
    return new AtpError('INVALID_REQUEST', 2, `Invalid request: ${error.message}.`, {
      suggestions: ['Check the request against the API: unknown fields and wrong types are refused.'],
    })
  }

  const status = error.statusCode ?? 500
  if (status === 413) {
    return new AtpError('PAYLOAD_TOO_LARGE', 2, 'The request body is larger than this server accepts.', {
      suggestions: ['Send less at once, or ask the server operator to raise --body-limit.'],
    })
  }

  if (status === 415) {
    return new AtpError('UNSUPPORTED_MEDIA_TYPE', 2, 'Request bodies must be JSON (Content-Type: application/json).', {suggestions: []})
  }

  if (status >= 400 && status < 500) {
    const message = error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/i.test(error.message) ? 'The request body is not valid JSON.' : error.message
    return new AtpError('BAD_REQUEST', 2, message, {suggestions: ['Send a JSON object as the body.']})
  }

  return error
}
