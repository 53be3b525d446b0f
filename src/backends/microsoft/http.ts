/**
 * The HTTP client of one Microsoft API (Defender for Endpoint now; Graph and ARM later) for one
 * app: JSON over HTTPS with the API's bearer token, every call through the API's request
 * scheduler (budget, Retry-After, back-off, retries only of GETs and calls marked safe), a
 * timeout per attempt, OData paging through `@odata.nextLink`, HTTPS_PROXY/NO_PROXY and an extra
 * CA file. Answers become core errors: 401 (after one fresh token) and 403 AuthError, the 403
 * naming the permission and the API and how to grant it; 404 NotFoundError; 400 InvalidInputError
 * (or RuleError/ConflictError for the refusals that are rules: an unsupported OS, an action
 * already pending); network, TLS and persistent 5xx UnreachableError. `log` (--verbose,
 * DEBUG=atpctl:http) gets one line per attempt — method, path, status, milliseconds, retry —
 * and never a token or secret: the token travels only in the Authorization header.
 */
import type {AccessToken, TokenCredential} from '@azure/identity'
import {readFileSync} from 'node:fs'
import https from 'node:https'
import tls from 'node:tls'
import {type AtpError, AuthError, ConflictError, InvalidInputError, isAtpError, NotFoundError, RuleError, UnreachableError, UsageError} from '../../core/errors.js'
import {proxyFor, type ProxyEnv, redact, tunnelingAgent} from '../../lib/proxy.js'
import type {MicrosoftApi} from './cloud.js'
import {readAccessToken, type AccessTokenClaims} from './jwt.js'
import {type AttemptOutcome, type BudgetLimit, type Clock, DEFENDER_BUDGET, RequestScheduler, sharedScheduler, systemClock} from './scheduler.js'
import {signInError, type SignInContext} from './sign-in-errors.js'

/** Each API as Microsoft names it where permissions are granted. */
export const API_DISPLAY: Record<MicrosoftApi, {name: string; permissionResource: string}> = {
  defender: {name: 'the Defender for Endpoint API', permissionResource: 'WindowsDefenderATP'},
  graph: {name: 'Microsoft Graph', permissionResource: 'Microsoft Graph'},
  arm: {name: 'Azure Resource Manager', permissionResource: 'Azure Resource Manager'},
}

export interface ApiClientOptions {
  api: MicrosoftApi
  baseUrl: string
  /** The token's scope, e.g. `https://api.securitycenter.microsoft.com/.default`. */
  scope: string
  credential: TokenCredential
  /** Who signs in, for error messages and the shared scheduler (one per API and app). */
  signIn?: SignInContext
  /** Client-side budget; default Defender's documented one for `defender`, none for the others. */
  budget?: readonly BudgetLimit[] | null
  /** A scheduler of its own (tests); default the process's shared one for this API and app. */
  scheduler?: RequestScheduler
  /** How long a call may wait for budget or Retry-After before ThrottledError (default 60 s). */
  maxWaitMs?: number
  /** Per attempt (default 30 s). */
  timeoutMs?: number
  caFile?: string
  env?: ProxyEnv
  log?: (line: string) => void
  clock?: Clock
}

export interface RequestOptions {
  query?: Record<string, string>
  /** The permission this call needs, named in the error when the app lacks it (403). */
  permission?: string
  /** This call's own allowance for waiting on the budget. */
  maxWaitMs?: number
  /** Extra request headers, e.g. Graph's `ConsistencyLevel: eventual` for `$count` (REFERENCE §8.4). */
  headers?: Record<string, string>
}

export interface ApiClient {
  readonly api: MicrosoftApi
  readonly baseUrl: string
  get<T>(path: string, options?: RequestOptions): Promise<T>
  /** `retry: true` only when sending it twice is harmless (the caller checked for a pending twin). */
  post<T>(path: string, body: unknown, options?: RequestOptions & {retry?: boolean}): Promise<T>
  patch<T>(path: string, body: unknown, options?: RequestOptions): Promise<T>
  /** PUT replaces a resource: sending it twice is harmless, so it is retried like a GET. */
  put<T>(path: string, body: unknown, options?: RequestOptions): Promise<T>
  /** DELETE; `retry: true` only when deleting twice is harmless (a second answer is 404). */
  delete<T>(path: string, options?: RequestOptions & {retry?: boolean}): Promise<T>
  /** Each page's `value`, following `@odata.nextLink` until the last page. */
  pages<T>(path: string, options?: RequestOptions): AsyncIterable<T[]>
  /** The application permissions (`roles` claim) of this API's token. */
  roles(): Promise<string[]>
  /** All the token's claims atpctl reads (roles, delegated scopes, tenant, app). */
  claims(): Promise<AccessTokenClaims>
  close(): void
}

/** True when DEBUG asks for atpctl's HTTP log (`atpctl:http`, `atpctl:*` or `*`). */
export function httpDebugEnabled(env: Record<string, string | undefined>): boolean {
  return (env.DEBUG ?? '').split(/[\s,]+/).some((p) => p === '*' || p === 'atpctl:*' || p === 'atpctl:http')
}

/**
 * The CA list for a connection: undefined (Node's defaults, NODE_EXTRA_CA_CERTS included) without
 * a CA file; else the public roots, NODE_EXTRA_CA_CERTS and the file — the file adds, not replaces.
 */
export function trustedCa(caFile: string | undefined, env: Record<string, string | undefined> = process.env): string[] | undefined {
  if (!caFile) return undefined
  const read = (file: string, flag: string) => {
    try {
      return readFileSync(file, 'utf8')
    } catch (error) {
      throw new UsageError(`Cannot read the CA file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, {suggestions: [`Pass ${flag} with a readable PEM file.`]})
    }
  }

  const extra = env.NODE_EXTRA_CA_CERTS ? [read(env.NODE_EXTRA_CA_CERTS, 'NODE_EXTRA_CA_CERTS')] : []
  const pem = read(caFile, '--ca-file')
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`The CA file ${caFile} holds no PEM certificate.`, {suggestions: ['Pass --ca-file with the PEM (BEGIN CERTIFICATE) of the CA.']})
  return [...tls.rootCertificates, ...extra, pem]
}

/** An HTTPS agent for a URL: through HTTPS_PROXY unless NO_PROXY says otherwise. */
export function agentFor(url: URL, options: {ca?: string[]; env?: ProxyEnv}): https.Agent {
  const proxy = proxyFor(url, options.env ?? process.env)
  const agentOptions: https.AgentOptions = {keepAlive: true, maxSockets: 16, ...(options.ca ? {ca: options.ca} : {})}
  return proxy ? tunnelingAgent(proxy, agentOptions) : new https.Agent(agentOptions)
}

interface Raw {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

const TLS_CODES = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED'])
/** Failures worth another attempt of a retryable call; DNS and TLS failures are not. */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED'])

/** A 401 travels out of the scheduler as this, so the client can fetch a fresh token once. */
class Unauthorized extends Error {
  constructor(readonly raw: Raw) {
    super('HTTP 401')
  }
}

function retryAfterMs(header: string | string[] | undefined, now: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header
  if (value === undefined || value.trim() === '') return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const date = Date.parse(value)
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined
}

/** Microsoft's error body (§2.5): `{error: {code, message, target}}`. */
function microsoftError(text: string): {code?: string; message?: string; target?: string} {
  try {
    const body = JSON.parse(text) as {error?: {code?: unknown; message?: unknown; target?: unknown}}
    const e = body?.error
    if (e && typeof e === 'object') {
      return {code: typeof e.code === 'string' ? e.code : undefined, message: typeof e.message === 'string' ? e.message : undefined, target: typeof e.target === 'string' ? e.target : undefined}
    }
  } catch {}

  return {}
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = new URL(options.baseUrl)
  if (base.protocol !== 'https:') throw new UsageError(`The ${options.api} URL ${options.baseUrl} is not https://.`, {suggestions: ['Microsoft APIs are reached over TLS only.']})
  const prefix = base.pathname.replace(/\/+$/, '')
  const baseUrl = base.origin + prefix
  const env = options.env ?? process.env
  const agent = agentFor(base, {ca: trustedCa(options.caFile, env), env})
  const clock = options.clock ?? systemClock
  const timeoutMs = options.timeoutMs ?? 30_000
  const display = API_DISPLAY[options.api]
  const log = options.log
  const budget = options.budget === undefined ? (options.api === 'defender' ? DEFENDER_BUDGET : []) : (options.budget ?? [])
  const schedulerOptions = {apiName: display.name, limits: budget, maxWaitMs: options.maxWaitMs, clock}
  const scheduler =
    options.scheduler ??
    (options.signIn ? sharedScheduler(`${options.api}|${baseUrl}|${options.signIn.tenantId}|${options.signIn.clientId}`, schedulerOptions) : new RequestScheduler(schedulerOptions))
  const signIn: SignInContext = options.signIn ?? {tenantId: 'unknown', clientId: 'unknown', kind: 'the configured sign-in', authorityHost: 'Microsoft Entra ID'}

  let cached: AccessToken | undefined
  let pending: Promise<AccessToken> | undefined

  async function fetchToken(claims?: string): Promise<AccessToken> {
    const started = clock.now()
    let token: AccessToken | null
    try {
      try {
        token = await options.credential.getToken(options.scope, claims ? {claims} : undefined)
      } catch (error) {
        // Some credentials (Azure CLI) refuse claims; their own refresh is all there is.
        if (!claims) throw error
        token = await options.credential.getToken(options.scope)
      }
    } catch (error) {
      log?.(`token ${options.api} failed ${clock.now() - started} ms`)
      if (isAtpError(error)) throw error
      // msal says only "endpoints_resolution_error" when the discovery document could not be
      // had; one look at it tells a wrong tenant from a network or TLS failure.
      if (/endpoints_resolution_error/.test(String((error as Error)?.message)) && options.signIn) {
        const found = await probeAuthority(options.signIn, {ca: trustedCa(options.caFile, env), env, timeoutMs})
        if (found) throw found
      }

      throw signInError(error, signIn)
    }

    if (!token) throw new AuthError(`Signing in with ${signIn.kind} gave no token for ${display.name}.`, {suggestions: ['Check the sign-in with atpctl status.']})
    log?.(`token ${options.api} ${clock.now() - started} ms`)
    cached = token
    return token
  }

  /** The cached token while it has 2 minutes left; one fetch at a time. */
  async function token(): Promise<string> {
    if (cached && cached.expiresOnTimestamp - 120_000 > clock.now()) return cached.token
    pending ??= fetchToken().finally(() => (pending = undefined))
    return (await pending).token
  }

  /** After a 401 on `used`: a fresh token (unless another call already got one). */
  async function refresh(used: string, raw: Raw): Promise<void> {
    if (cached && cached.token !== used) return
    const header = String(raw.headers['www-authenticate'] ?? '')
    const challenge = /claims="([^"]+)"/.exec(header)?.[1]
    // A claims challenge skips the library's cache; without one from the service, ask for a token
    // issued from now on (the same form of challenge).
    const claims = challenge ? Buffer.from(challenge, 'base64').toString('utf8') : JSON.stringify({access_token: {nbf: {essential: true, value: String(Math.floor(clock.now() / 1000))}}})
    cached = undefined
    pending ??= fetchToken(claims).finally(() => (pending = undefined))
    await pending
  }

  function once(method: string, url: URL, payload: Buffer | undefined, bearer: string, extra: Record<string, string> = {}): Promise<Raw> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {...extra, accept: 'application/json', authorization: `Bearer ${bearer}`, 'user-agent': 'atpctl'}
      if (payload) {
        headers['content-type'] = 'application/json'
        headers['content-length'] = String(payload.length)
      }

      const req = https.request(url, {method, headers, agent}, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8')}))
      })
      req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), {code: 'ETIMEDOUT'})))
      req.on('error', reject)
      req.end(payload)
    })
  }

  const show = (url: URL) => {
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname
    let query = url.search
    try {
      query = decodeURIComponent(url.search)
    } catch {}

    return path + query
  }

  function answerError(method: string, url: URL, raw: Raw, permission: string | undefined): AtpError {
    const ms = microsoftError(raw.text)
    const said = ms.message ?? `HTTP ${raw.status}`
    const details = {status: raw.status, microsoftCode: ms.code ?? null, correlationId: ms.target ?? null, api: options.api}
    const where = `${method} ${show(url).split('?')[0]}`
    if (raw.status === 403) {
      const needed = permission ?? /roles? \(([^)]+)\)/.exec(said)?.[1]
      const grant =
        options.api === 'arm'
          ? 'In the Azure portal: the subscription > Access control (IAM) > Add role assignment > Security Admin, for the app\'s service principal.'
          : `In the Microsoft Entra admin center: App registrations > your app > API permissions > Add a permission > ${options.api === 'defender' ? 'APIs my organization uses > WindowsDefenderATP' : 'Microsoft Graph'} > Application permissions > ${needed ?? 'the permission'}, then Grant admin consent.`
      return new AuthError(
        needed
          ? `The app lacks the permission ${needed} on ${display.permissionResource} (${where} was refused: ${said})`
          : `${display.name} refused ${where}: ${said}`,
        {code: 'FORBIDDEN', suggestions: [grant, 'A new permission reaches the token at the next sign-in; atpctl status shows the permissions the token carries.'], details: {...details, permission: needed ?? null}},
      )
    }

    if (raw.status === 401) {
      return new AuthError(`${display.name} refused the access token for ${where}: ${said}`, {
        code: 'UNAUTHORIZED',
        suggestions: ['Check the tenant, the cloud and the sign-in with atpctl status; the token must be for this API\'s resource.'],
        details,
      })
    }

    if (raw.status === 404) return new NotFoundError(`${display.name}: ${said}`, {details})
    if (raw.status === 409 || ms.code === 'ActiveRequestAlreadyExists') return new ConflictError(`${display.name} refused ${where}: ${said}`, {details})
    if (ms.code === 'OsPlatformNotSupported' || ms.code === 'DisallowedOperation' || ms.code === 'DisabledFeature') return new RuleError('', `${display.name} refused ${where}: ${said}`, {details})
    if (raw.status >= 500) {
      return new UnreachableError(`${display.name} failed on ${where} (HTTP ${raw.status}${ms.code ? ` ${ms.code}` : ''}): ${said}`, {
        suggestions: ['Microsoft\'s service is failing; retry in a few minutes (https://status.cloud.microsoft shows incidents).'],
        details,
      })
    }

    return new InvalidInputError(`${display.name} refused ${where} (HTTP ${raw.status}${ms.code ? ` ${ms.code}` : ''}): ${said}`, {code: 'MICROSOFT_REFUSED', details})
  }

  function networkError(method: string, url: URL, error: NodeJS.ErrnoException): AtpError {
    const code = error.code ?? ''
    const proxy = proxyFor(base, env)
    if (TLS_CODES.has(code)) {
      return new UnreachableError(`Cannot verify the TLS certificate of ${display.name} at ${base.origin} (${code}).`, {
        suggestions: ['A proxy or private endpoint that re-signs TLS needs its CA: pass --ca-file with its PEM (or set NODE_EXTRA_CA_CERTS).'],
      })
    }

    return new UnreachableError(`Cannot reach ${display.name} at ${base.origin} (${method} ${show(url).split('?')[0]}): ${error.message}${proxy ? ` (through the proxy ${redact(proxy.href)})` : ''}.`, {
      suggestions: ['Check the network, HTTPS_PROXY/NO_PROXY, and the API URL override if you set one; then retry.'],
    })
  }

  function resolve(pathOrUrl: string, query?: Record<string, string>): URL {
    let url: URL
    if (/^https:\/\//i.test(pathOrUrl)) {
      url = new URL(pathOrUrl)
      // A next link goes back to the same API: the token is never sent anywhere else.
      if (url.origin !== base.origin || !url.pathname.startsWith(prefix + '/')) {
        throw new UnreachableError(`${display.name} pointed the next page at ${url.origin}${url.pathname}, outside ${baseUrl}; atpctl does not send the token there.`, {
          suggestions: ['Check the API URL override; if this persists, report it.'],
        })
      }
    } else {
      url = new URL(baseUrl + (pathOrUrl.startsWith('/') ? pathOrUrl : `/${pathOrUrl}`))
    }

    if (query && Object.keys(query).length > 0) {
      const params = new URLSearchParams(url.search)
      for (const [k, v] of Object.entries(query)) params.set(k, v)
      // '+' for a space is valid, but %20 is what every OData service reads the same way.
      url.search = params.toString().replace(/\+/g, '%20')
    }

    return url
  }

  async function request<T>(method: string, pathOrUrl: string, body: unknown, opts: RequestOptions & {retry?: boolean} = {}): Promise<T> {
    const url = resolve(pathOrUrl, opts.query)
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8')
    let refreshed = false
    for (;;) {
      const bearer = await token()
      try {
        const {value} = await scheduler.run(
          async (attempt): Promise<AttemptOutcome<T>> => {
            const started = clock.now()
            const note = attempt > 0 ? ` retry ${attempt}` : ''
            let raw: Raw
            try {
              raw = await once(method, url, payload, bearer, opts.headers)
            } catch (error) {
              const e = error as NodeJS.ErrnoException
              log?.(`${method} ${show(url)} ${e.code ?? 'ERROR'} ${clock.now() - started} ms${note}`)
              const mapped = networkError(method, url, e)
              return TRANSIENT_CODES.has(e.code ?? '') || /socket hang up/.test(e.message) ? {kind: 'transient', error: mapped} : {kind: 'fatal', error: mapped}
            }

            log?.(`${method} ${show(url)} ${raw.status} ${clock.now() - started} ms${note}`)
            if (raw.status >= 200 && raw.status < 300) {
              if (raw.text.trim() === '') return {kind: 'ok', value: undefined as T}
              try {
                return {kind: 'ok', value: JSON.parse(raw.text) as T}
              } catch {
                return {kind: 'fatal', error: new UnreachableError(`${display.name} answered ${method} ${show(url).split('?')[0]} with a body that is not JSON.`, {suggestions: ['Check the API URL override (a proxy\'s page instead of the API?).']})}
              }
            }

            if (raw.status === 401) return {kind: 'fatal', error: new Unauthorized(raw)}
            if (raw.status === 429) return {kind: 'throttled', retryAfterMs: retryAfterMs(raw.headers['retry-after'], clock.now()), error: answerError(method, url, raw, opts.permission)}
            if (raw.status >= 500) return {kind: 'transient', retryAfterMs: retryAfterMs(raw.headers['retry-after'], clock.now()), error: answerError(method, url, raw, opts.permission)}
            return {kind: 'fatal', error: answerError(method, url, raw, opts.permission)}
          },
          {
            retry: method === 'GET' || opts.retry === true,
            maxWaitMs: opts.maxWaitMs,
            onRetry: log ? ({delayMs, reason}) => log(`${method} ${show(url)} waiting ${delayMs} ms before retrying (${reason})`) : undefined,
          },
        )
        return value
      } catch (error) {
        if (error instanceof Unauthorized) {
          if (!refreshed) {
            refreshed = true
            await refresh(bearer, error.raw)
            continue
          }

          throw answerError(method, url, error.raw, opts.permission)
        }

        throw error
      }
    }
  }

  return {
    api: options.api,
    baseUrl,
    get: (path, opts) => request('GET', path, undefined, opts),
    post: (path, body, opts) => request('POST', path, body, opts),
    patch: (path, body, opts) => request('PATCH', path, body, opts),
    put: (path, body, opts) => request('PUT', path, body, {...opts, retry: true}),
    delete: (path, opts) => request('DELETE', path, undefined, opts),
    pages<T>(path: string, opts: RequestOptions = {}): AsyncIterable<T[]> {
      return {
        async *[Symbol.asyncIterator]() {
          let next: string | undefined = path
          let query = opts.query
          while (next !== undefined) {
            const page: {value?: T[]; '@odata.nextLink'?: string} = await request('GET', next, undefined, {...opts, query})
            yield Array.isArray(page?.value) ? page.value : []
            next = typeof page?.['@odata.nextLink'] === 'string' ? page['@odata.nextLink'] : undefined
            // The next link carries the whole query itself.
            query = undefined
          }
        },
      }
    },
    async roles() {
      return readAccessToken(await token()).roles
    },
    async claims() {
      return readAccessToken(await token())
    },
    close() {
      agent.destroy()
    },
  }
}

/**
 * Fetches the tenant's OpenID discovery document the way the library would, to say why it could
 * not: a network or TLS failure (exit 6), or Entra's own refusal (AADSTS90002, exit 5). Undefined
 * when the document is there after all.
 */
export async function probeAuthority(signIn: SignInContext, options: {ca?: string[]; env?: ProxyEnv; timeoutMs?: number}): Promise<AtpError | undefined> {
  const url = new URL(`${signIn.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(signIn.tenantId)}/v2.0/.well-known/openid-configuration`)
  const agent = agentFor(url, {ca: options.ca, env: options.env})
  try {
    const raw = await new Promise<Raw>((resolve, reject) => {
      const req = https.request(url, {method: 'GET', agent, headers: {accept: 'application/json'}}, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8')}))
      })
      req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs ?? 30_000} ms`), {code: 'ETIMEDOUT'})))
      req.on('error', reject)
      req.end()
    })
    if (raw.status === 200) return undefined
    let description = ''
    try {
      description = String((JSON.parse(raw.text) as {error_description?: unknown}).error_description ?? '')
    } catch {}

    return signInError(new Error(description || `HTTP ${raw.status} from the discovery document`), signIn)
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    return signInError(new Error(`${e.code ?? ''} ${e.message}`.trim()), signIn)
  } finally {
    agent.destroy()
  }
}
