/**
 * A local HTTPS stub of Entra ID and the Defender for Endpoint API, written from the documented
 * shapes (REFERENCE §2, §8), for the microsoft backend's tests, contract suite, e2e tests and
 * bench. One loopback origin serves every API under its own prefix:
 *
 *   {origin}/{tenant}/…      Entra ID (authority host): discovery, JWKS, token endpoint
 *   {origin}/defender/api/…  Defender for Endpoint
 *   {origin}/graph/…         Microsoft Graph (routes come with issue 13)
 *   {origin}/arm/…           Azure Resource Manager (routes come with issue 13)
 *
 * It enforces what the real services enforce — tokens (signature, expiry, audience, roles per
 * route), the API budget (over budget → 429 with Retry-After, counted), case-sensitive action
 * bodies, one pending action per machine and type — and takes faults on demand (429, 5xx, slow
 * answers, dropped connections, expired tokens). The real `@azure/identity` signs in against it.
 * It imports nothing from atpctl, so it checks the client instead of mirroring it.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import https from 'node:https'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {apiError, type ApiAnswer, createDefender} from './defender.js'
// issue 13 (G3): Azure Resource Manager
import {createArm} from './arm.js'
import {createGraphResources, graphError} from './graph-resources.js'
import {createGraphIntune} from './graph-intune.js'
import {emptyGraphState} from './graph-state.js'
import {watchFolder, type EicarWatch} from './eicar.js'
import {ARM_AUDIENCES, createEntra, DEFENDER_AUDIENCES, GRAPH_AUDIENCES, type TokenApi} from './entra.js'
import {sampleMachines, STUB_CLIENT_ID, STUB_CLIENT_SECRET, STUB_TENANT_ID} from './fixtures.js'
import {stubTls} from './tls.js'
import type {MicrosoftStub, MicrosoftStubOptions, StubApi, StubBudget, StubFault, StubMachineAction, StubRequestLog} from './types.js'

export {alertId, machineIdFor, makeAlert, makeMachine, manyMachines, sampleMachines, STUB_CLIENT_ID, STUB_CLIENT_SECRET, STUB_TENANT_ID} from './fixtures.js'
export {isEicar} from './eicar.js'
export {makeSubscription, STUB_SUBSCRIPTION_ID, type StubArmRole, type StubSubscription} from './arm.js'
export {stubTls} from './tls.js'
export type * from './types.js'
export {EDR_TEMPLATE_ID, INTUNE_RESOURCE_ROLES, sampleIntuneResources} from './graph-resources.js'
export {addDevice, addGroup, addUser, DEFENDER_CONNECTOR_ID, emptyGraphState, type GraphState, makeConnector, makeManagedDevice} from './graph-state.js'

/** The application roles the stub's Defender tokens carry unless told otherwise. */
export const DEFAULT_DEFENDER_ROLES = ['Machine.Read.All', 'Machine.ReadWrite.All', 'Alert.Read.All', 'Alert.ReadWrite.All', 'Machine.Offboard']

/** Sliding-window budget: never more than `perMinute` in a minute window, `perHour` in an hour window. */
class Budget {
  private readonly stamps: number[] = []
  private readonly minuteMs: number
  private readonly hourMs: number
  constructor(private readonly budget: StubBudget) {
    this.minuteMs = budget.minuteMs ?? 60_000
    this.hourMs = budget.hourMs ?? 3_600_000
  }

  /** Records a call at `now` when it fits; otherwise the milliseconds until it would. */
  admit(now: number): number {
    while (this.stamps.length > 0 && this.stamps[0] <= now - this.hourMs) this.stamps.shift()
    let wait = 0
    const n = this.stamps.length
    if (n >= this.budget.perHour) wait = Math.max(wait, this.stamps[n - this.budget.perHour] + this.hourMs - now)
    if (n >= this.budget.perMinute && this.stamps[n - this.budget.perMinute] > now - this.minuteMs) {
      wait = Math.max(wait, this.stamps[n - this.budget.perMinute] + this.minuteMs - now)
    }

    if (wait > 0) return wait
    this.stamps.push(now)
    return 0
  }
}

interface ArmedFault {
  fault: StubFault
  remaining: number
}

function matches(fault: StubFault, api: StubApi, method: string, pathAndQuery: string): boolean {
  if (fault.api && fault.api !== api) return false
  if (fault.method && fault.method.toUpperCase() !== method) return false
  if (fault.route === undefined) return true
  return typeof fault.route === 'string' ? pathAndQuery.includes(fault.route) : fault.route.test(pathAndQuery)
}

const RISK_ORDER = ['None', 'Informational', 'Low', 'Medium', 'High'] as const
/** The highest severity among a machine's alerts that are not resolved. */
function riskOf(alerts: {status: string; severity: string}[]): (typeof RISK_ORDER)[number] {
  let rank = 0
  for (const a of alerts) if (a.status !== 'Resolved') rank = Math.max(rank, RISK_ORDER.indexOf(a.severity as (typeof RISK_ORDER)[number]))
  return RISK_ORDER[rank]
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export async function startMicrosoftStub(options: MicrosoftStubOptions = {}): Promise<MicrosoftStub> {
  const tenantId = options.tenantId ?? STUB_TENANT_ID
  const clientId = options.clientId ?? STUB_CLIENT_ID
  const tls = stubTls()
  const dir = mkdtempSync(join(tmpdir(), 'atpctl-msstub-'))
  const caFile = join(dir, 'stub-ca.pem')
  writeFileSync(caFile, tls.caPem, {mode: 0o600})

  const roles: Record<'defender' | 'graph' | 'arm', string[]> = {
    defender: [...(options.roles?.defender ?? DEFAULT_DEFENDER_ROLES)],
    graph: [...(options.roles?.graph ?? [])],
    arm: [...(options.roles?.arm ?? [])],
  }
  const state = {machines: options.machines ?? sampleMachines(), alerts: options.alerts ?? [], machineActions: [] as StubMachineAction[]}
  const requests: StubRequestLog[] = []
  const faults: ArmedFault[] = []
  const issuedAt = new Map<string, number>()
  const issuedPerApi = {defender: 0, graph: 0, arm: 0, other: 0}
  let tokensNotBefore = 0
  let overBudget = 0
  let duplicates = 0
  const budgets: Partial<Record<StubApi, Budget>> = {defender: new Budget(options.budget ?? {perMinute: 100, perHour: 1500})}
  const timers = new Set<NodeJS.Timeout>()
  const watches: EicarWatch[] = []

  const arm = createArm(options.arm)
  const server = https.createServer({key: tls.keyPem, cert: tls.certPem})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
  const defenderUrl = `${origin}/defender`
  // Issue 13: one Graph model (graph-state.ts) behind both route modules: the connector, compliance,
  // conditional access and $batch (graph-intune.ts); the directory, managed devices, EDR policies
  // and app configurations (graph-resources.ts).
  const graphState = options.graph ?? emptyGraphState()
  const graphResources = createGraphResources({baseUrl: `${origin}/graph`, state: graphState})
  const graphIntune = createGraphIntune({baseUrl: `${origin}/graph`, state: graphState, directory: (request) => graphResources.handle(request)})

  const entra = createEntra({
    origin,
    tenantId,
    clientId,
    clientSecret: options.clientSecret === undefined ? STUB_CLIENT_SECRET : options.clientSecret,
    certificate: options.certificate,
    federatedTokens: options.federatedTokens ?? [],
    tokenLifetimeSec: options.tokenLifetimeSec ?? 3599,
    rolesFor: (api: TokenApi) => (api === 'other' ? [] : roles[api]),
    onIssued(api, jti) {
      issuedAt.set(jti, Date.now())
      issuedPerApi[api]++
    },
  })

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      fn()
    }, ms)
    timer.unref()
    timers.add(timer)
  }

  const defender = createDefender({
    baseUrl: defenderUrl,
    tenantId,
    state,
    onAction(action) {
      const earlier = state.machineActions.filter((a) => a !== action && a.machineId === action.machineId && a.type === action.type && !['Failed', 'Cancelled', 'TimeOut'].includes(a.status))
      if (earlier.length > 0) duplicates++
      const pendingMs = options.actions?.pendingMs ?? 200
      const inProgressMs = options.actions?.inProgressMs ?? 200
      later(pendingMs, () => {
        if (action.status !== 'Pending') return
        action.status = 'InProgress'
        action.lastUpdateDateTimeUtc = new Date().toISOString()
        later(inProgressMs, () => {
          if (action.status !== 'InProgress') return
          action.status = options.actions?.outcome?.(action) ?? 'Succeeded'
          action.lastUpdateDateTimeUtc = new Date().toISOString()
          if (action.status === 'Succeeded' && action.type === 'Offboard') {
            const machine = state.machines.find((m) => m.id === action.machineId)
            if (machine) machine.healthStatus = 'Inactive'
          }
        })
      })
    },
  })

  /** Checks the bearer token for an API; an error answer, or the token's roles and app. */
  function authenticate(api: 'defender' | 'graph' | 'arm', header: string | undefined): ApiAnswer | {roles: string[]; appId: string; token: string} {
    const challenge = (description: string) => ({
      'www-authenticate': `Bearer authorization_uri="${origin}/${tenantId}", error="invalid_token", error_description="${description}"`,
    })
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '')
    if (!match) return {...apiError(401, 'Unauthorized', 'Authorization has been denied for this request: no bearer token.'), headers: challenge('No access token was presented')}
    const claims = entra.verifyAccessToken(match[1])
    if (!claims) return {...apiError(401, 'Unauthorized', 'Authorization has been denied for this request: the token is invalid.'), headers: challenge('The access token is invalid')}
    const issued = issuedAt.get(claims.uti) ?? claims.iat * 1000
    if (claims.exp * 1000 <= Date.now() || issued < tokensNotBefore) {
      return {...apiError(401, 'Unauthorized', 'Authorization has been denied for this request: the token has expired.'), headers: challenge('The access token has expired')}
    }

    const audiences = api === 'defender' ? DEFENDER_AUDIENCES : api === 'graph' ? GRAPH_AUDIENCES : ARM_AUDIENCES
    // A token of the Microsoft Threat Protection resource is a valid token with none of the roles (§8.2).
    if (!audiences.has(claims.aud) && !(api === 'defender' && claims.aud === 'https://api.security.microsoft.com')) {
      return {...apiError(401, 'Unauthorized', `Authorization has been denied for this request: the token's audience '${claims.aud}' is not this API.`), headers: challenge('Invalid audience')}
    }

    return {roles: claims.roles ?? [], appId: claims.appid, token: match[1]}
  }

  server.on('request', (req, res) => {
    const at = Date.now()
    const url = new URL(req.url ?? '/', origin)
    const prefix = /^\/(defender|graph|arm)(?=\/|$)/.exec(url.pathname)
    const api: StubApi = prefix ? (prefix[1] as StubApi) : 'entra'
    const path = prefix ? url.pathname.slice(prefix[0].length) || '/' : url.pathname
    const query = Object.fromEntries(url.searchParams)
    const method = (req.method ?? 'GET').toUpperCase()
    const entry: StubRequestLog = {api, method, path, query, status: 0, ms: 0, at, overBudget: false}
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= 1_048_576) chunks.push(chunk)
    })
    req.on('end', () => {
      void (async () => {
        const send = (answer: ApiAnswer) => {
          entry.status = answer.status
          const body = answer.body === undefined ? '' : JSON.stringify(answer.body)
          const type = api === 'entra' ? 'application/json; charset=utf-8' : 'application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8'
          if (!res.destroyed) {
            res.writeHead(answer.status, {...(body === '' ? {} : {'content-type': type}), ...answer.headers})
            res.end(body)
          }

          entry.ms = Date.now() - at
          requests.push(entry)
        }

        const armed = faults.find((f) => f.remaining > 0 && matches(f.fault, api, method, `${path}${url.search}`))
        if (armed) {
          armed.remaining--
          const fault = armed.fault
          if ('drop' in fault) {
            entry.ms = Date.now() - at
            requests.push(entry)
            req.socket.destroy()
            return
          }

          if ('delayMs' in fault) await sleep(fault.delayMs)
          if ('status' in fault) {
            if (fault.status === 429) {
              send({...apiError(429, 'TooManyRequests', 'Too many requests. Please retry after the time in the Retry-After header.'), headers: {'retry-after': String(fault.retryAfterSec)}})
            } else {
              send({status: fault.status, body: fault.body ?? {error: {code: 'InternalServerError', message: 'An unexpected error occurred. Please try again.', target: 'stub'}}})
            }

            return
          }
        }

        if (size > 1_048_576) return send(apiError(413, 'RequestEntityTooLarge', 'The request body is too large.'))
        const text = Buffer.concat(chunks).toString('utf8')
        if (api === 'entra') {
          const answer = entra.route(method, path, () => new URLSearchParams(text))
          return send(answer ?? {status: 404, body: {error: 'not_found', error_description: `AADSTS900561: The endpoint only accepts POST and GET requests at known paths; '${path}' is not one.`}})
        }

        const auth = authenticate(api, req.headers.authorization)
        if ('status' in auth) return send(auth)
        entry.token = auth.token
        const budget = budgets[api]
        if (budget) {
          const waitMs = budget.admit(Date.now())
          if (waitMs > 0) {
            overBudget++
            entry.overBudget = true
            return send({...apiError(429, 'TooManyRequests', 'Rate limit is exceeded. Try again later.'), headers: {'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000)))}})
          }
        }

        if (api === 'arm') {
          let armBody: unknown
          if (text !== '') {
            try {
              armBody = JSON.parse(text)
            } catch {
              return send({status: 400, body: {error: {code: 'InvalidRequestContent', message: 'The request content was invalid and could not be deserialized.'}}})
            }
          }

          return send(arm.handle({method, path, query, body: armBody, appId: auth.appId, baseUrl: `${origin}/arm`}))
        }

        let body: unknown
        if (text !== '') {
          try {
            body = JSON.parse(text)
          } catch {
            return send(apiError(400, 'InvalidRequestBody', 'The request body is not valid JSON.'))
          }
        }

        if (api === 'graph') {
          // One Graph model; each path is served by exactly one of the two route modules.
          const request = {method, path, query, body, roles: auth.roles, headers: req.headers}
          const answer = graphIntune.handle(request) ?? graphResources.handle(request)
          if (answer) return send(answer)
          return send(graphError(400, 'BadRequest', `Resource not found for the segment '${path.split('/')[2] ?? path}'.`))
        }

        // The tenant computes a machine's risk score from its active alerts.
        if (options.riskFromAlerts) for (const machine of state.machines) machine.riskScore = riskOf(state.alerts.filter((a) => a.machineId === machine.id))

        if (api !== 'defender') return send(apiError(404, 'ResourceNotFound', `No ${api} routes are served yet: '${path}'.`))

        send(defender.handle({method, path, query, body, roles: auth.roles, appId: auth.appId}))
      })().catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, {'content-type': 'application/json'})
          res.end(JSON.stringify({error: {code: 'InternalServerError', message: `stub failure: ${(error as Error).message}`}}))
        }
      })
    })
  })

  return {
    origin,
    authorityHost: origin,
    defenderUrl,
    graphUrl: `${origin}/graph`,
    armUrl: `${origin}/arm`,
    tenantId,
    clientId,
    caFile,
    caPem: tls.caPem,
    state,
    arm: arm.state,
    graph: graphState,
    graphBatches: graphIntune.batches,
    requests,
    inject(fault) {
      if ('expireTokens' in fault) {
        tokensNotBefore = Date.now() + 1
        return
      }

      faults.push({fault, remaining: fault.times ?? 1})
    },
    setRoles(api, list) {
      roles[api] = [...list]
    },
    overBudget: () => overBudget,
    duplicateActions: () => duplicates,
    tokensIssued: (api) => (api ? issuedPerApi[api] : issuedPerApi.defender + issuedPerApi.graph + issuedPerApi.arm + issuedPerApi.other),
    watchForEicar({folder, machineId, delayMs}) {
      watches.push(
        watchFolder({
          folder,
          delayMs: delayMs ?? 300,
          tenantId,
          machine: () => state.machines.find((m) => m.id === machineId),
          raise: (alert) => state.alerts.push(alert),
        }),
      )
    },
    async close() {
      for (const watch of watches) watch.stop()
      for (const timer of timers) clearTimeout(timer)
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
