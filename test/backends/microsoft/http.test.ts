/**
 * The Microsoft API client against the local stub, signed in by the real @azure/identity:
 * paging, faults (429, 5xx, slow answers, dropped connections, expired tokens, a missing role),
 * the client-side budget against the stub's, error mapping to exit codes, HTTPS_PROXY, and a
 * verbose log that never shows a token or a secret.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {endpointsFor} from '../../../src/backends/microsoft/cloud.js'
import {createCredential, signInContext} from '../../../src/backends/microsoft/credential.js'
import {type ApiClient, createApiClient, httpDebugEnabled} from '../../../src/backends/microsoft/http.js'
import {RequestScheduler} from '../../../src/backends/microsoft/scheduler.js'
import {checkMicrosoftSettings, type MicrosoftSettings} from '../../../src/backends/microsoft/settings.js'
import {makeMachine, manyMachines, type MicrosoftStub, startMicrosoftStub, STUB_CLIENT_SECRET} from '../../stub/microsoft/index.js'

let dir: string
let secretFile: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'atpctl-mshttp-'))
  secretFile = join(dir, 'secret')
  writeFileSync(secretFile, STUB_CLIENT_SECRET + '\n', {mode: 0o600})
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

function settingsFor(stub: MicrosoftStub, extra: Partial<Record<keyof MicrosoftSettings, string>> = {}): MicrosoftSettings {
  return checkMicrosoftSettings({tenantId: stub.tenantId, clientId: stub.clientId, secretFile, authorityHost: stub.authorityHost, defenderUrl: stub.defenderUrl, caFile: stub.caFile, ...extra})
}

function clientFor(stub: MicrosoftStub, options: {settings?: MicrosoftSettings; log?: string[]; timeoutMs?: number; scheduler?: RequestScheduler; env?: Record<string, string>} = {}): ApiClient {
  const settings = options.settings ?? settingsFor(stub)
  const env = options.env ?? {}
  const endpoints = endpointsFor(settings.cloud, settings)
  return createApiClient({
    api: 'defender',
    baseUrl: endpoints.defenderUrl,
    scope: endpoints.scopes.defender,
    credential: createCredential(settings, env),
    signIn: signInContext(settings, env),
    caFile: settings.caFile,
    env,
    timeoutMs: options.timeoutMs,
    scheduler: options.scheduler ?? new RequestScheduler({apiName: 'the Defender for Endpoint API', baseDelayMs: 20, maxDelayMs: 100}),
    log: options.log ? (line) => options.log!.push(line) : undefined,
  })
}

describe('Microsoft API client against the stub', () => {
  let stub: MicrosoftStub
  beforeEach(async () => {
    stub = await startMicrosoftStub({machines: manyMachines(23)})
  })
  afterEach(() => stub.close())

  it('signs in with the secret file, asks for the api.securitycenter scope, and follows @odata.nextLink', async () => {
    const client = clientFor(stub)
    try {
      const pages: number[] = []
      for await (const page of client.pages<{id: string}>('/api/machines', {query: {$top: '10', $filter: "startswith(computerDnsName,'bulk-')"}})) pages.push(page.length)
      expect(pages).toEqual([10, 10, 3])
      expect(stub.requests.filter((r) => r.api === 'defender').map((r) => r.query.$skip ?? '0')).toEqual(['0', '10', '20'])
      expect(await client.roles()).toEqual(expect.arrayContaining(['Machine.Read.All', 'Machine.Offboard']))
      expect((await client.claims()).tenantId).toBe(stub.tenantId)
      expect(stub.tokensIssued('defender')).toBe(1)
    } finally {
      client.close()
    }
  })

  it('retries a GET after 429 once Retry-After has passed', async () => {
    const client = clientFor(stub)
    try {
      stub.inject({route: '/api/machines', status: 429, retryAfterSec: 1})
      const t0 = Date.now()
      const body = await client.get<{value: unknown[]}>('/api/machines')
      expect(body.value).toHaveLength(23)
      expect(Date.now() - t0).toBeGreaterThanOrEqual(950)
      expect(stub.requests.filter((r) => r.api === 'defender').map((r) => r.status)).toEqual([429, 200])
    } finally {
      client.close()
    }
  })

  it('retries a GET after 5xx and a dropped connection, but never a POST', async () => {
    const client = clientFor(stub)
    try {
      stub.inject({route: '/api/machines', method: 'GET', status: 503, times: 2})
      stub.inject({route: '/api/machines', method: 'GET', drop: true})
      expect((await client.get<{value: unknown[]}>('/api/machines')).value).toHaveLength(23)
      expect(stub.requests.filter((r) => r.api === 'defender').map((r) => r.status)).toEqual([503, 503, 0, 200])

      const id = stub.state.machines[0].id
      stub.inject({route: '/offboard', status: 503})
      await expect(client.post(`/api/machines/${id}/offboard`, {Comment: 'x'})).rejects.toMatchObject({code: 'UNREACHABLE', exitCode: 6})
      stub.inject({route: '/offboard', drop: true})
      await expect(client.post(`/api/machines/${id}/offboard`, {Comment: 'x'})).rejects.toMatchObject({exitCode: 6})
      expect(stub.requests.filter((r) => r.method === 'POST' && r.api === 'defender')).toHaveLength(2)
      expect(stub.state.machineActions).toHaveLength(0)
      // Marked safe (the caller looked for a pending twin first), the POST is retried.
      stub.inject({route: '/offboard', status: 503})
      const action = await client.post<{status: string}>(`/api/machines/${id}/offboard`, {Comment: 'x'}, {retry: true})
      expect(action.status).toBe('Pending')
    } finally {
      client.close()
    }
  })

  it('times a slow answer out: a GET is retried, a POST is not', async () => {
    const client = clientFor(stub, {timeoutMs: 300})
    try {
      stub.inject({route: '/api/machines', delayMs: 1000})
      expect((await client.get<{value: unknown[]}>('/api/machines?$top=1')).value).toHaveLength(1)
      stub.inject({route: '/offboard', delayMs: 1000})
      await expect(client.post(`/api/machines/${stub.state.machines[0].id}/offboard`, {Comment: 'x'})).rejects.toMatchObject({exitCode: 6, message: expect.stringMatching(/no answer within 300 ms/)})
    } finally {
      client.close()
    }
  })

  it('gets a new token when the service says the token has expired', async () => {
    const client = clientFor(stub)
    try {
      await client.get('/api/machines?$top=1')
      stub.inject({expireTokens: true})
      await client.get('/api/machines?$top=1')
      expect(stub.tokensIssued('defender')).toBe(2)
      expect(stub.requests.filter((r) => r.api === 'defender').map((r) => r.status)).toEqual([200, 401, 200])
    } finally {
      client.close()
    }
  })

  it('names the missing permission and the API on 403, and how to grant it (exit 5)', async () => {
    stub.setRoles('defender', ['Machine.Read.All'])
    const client = clientFor(stub)
    try {
      const error: any = await client.post(`/api/machines/${stub.state.machines[0].id}/offboard`, {Comment: 'x'}, {permission: 'Machine.Offboard'}).catch((e: unknown) => e)
      expect(error).toMatchObject({exitCode: 5, code: 'FORBIDDEN', details: expect.objectContaining({permission: 'Machine.Offboard', api: 'defender'})})
      expect(error.message).toMatch(/^The app lacks the permission Machine\.Offboard on WindowsDefenderATP/)
      expect(error.suggestions[0]).toMatch(/WindowsDefenderATP > Application permissions > Machine\.Offboard, then Grant admin consent/)
      // Without the caller naming it, the permission comes from Microsoft's answer.
      const read: any = await client.get('/api/alerts').catch((e: unknown) => e)
      expect(read.message).toMatch(/lacks the permission Alert\.Read\.All, Alert\.ReadWrite\.All on WindowsDefenderATP/)
    } finally {
      client.close()
    }
  })

  it('maps Microsoft refusals to exit codes: 404 → 3, a pending action → 4 CONFLICT, Linux → 4, a bad body → 7', async () => {
    stub.state.machines.push(makeMachine({computerDnsName: 'lnx.contoso.local', osPlatform: 'Linux'}))
    const client = clientFor(stub)
    try {
      await expect(client.get('/api/machines/nope')).rejects.toMatchObject({exitCode: 3, code: 'NOT_FOUND'})
      const id = stub.state.machines[0].id
      await client.post(`/api/machines/${id}/offboard`, {Comment: 'x'})
      await expect(client.post(`/api/machines/${id}/offboard`, {Comment: 'x'})).rejects.toMatchObject({exitCode: 4, code: 'CONFLICT', details: expect.objectContaining({microsoftCode: 'ActiveRequestAlreadyExists'})})
      const linux = stub.state.machines.at(-1)!.id
      await expect(client.post(`/api/machines/${linux}/offboard`, {Comment: 'x'})).rejects.toMatchObject({exitCode: 4, details: expect.objectContaining({microsoftCode: 'OsPlatformNotSupported'})})
      await expect(client.post(`/api/machines/${id}/offboard`, {comment: 'x'})).rejects.toMatchObject({exitCode: 7, details: expect.objectContaining({microsoftCode: 'MissingRequiredParameter'})})
    } finally {
      client.close()
    }
  })

  it('logs method, path, status, milliseconds and retries, and never a token or the secret', async () => {
    const log: string[] = []
    const client = clientFor(stub, {log})
    try {
      stub.inject({route: '/api/machines', status: 503})
      await client.get('/api/machines', {query: {$filter: "healthStatus eq 'Active'"}})
      await client.get('/api/nothing').catch(() => undefined)
      expect(log).toEqual([
        expect.stringMatching(/^token defender \d+ ms$/),
        expect.stringMatching(/^GET \/api\/machines\?\$filter=healthStatus eq 'Active' 503 \d+ ms$/),
        expect.stringMatching(/^GET \/api\/machines\?\$filter=healthStatus eq 'Active' waiting \d+ ms before retrying/),
        expect.stringMatching(/^GET \/api\/machines\?\$filter=healthStatus eq 'Active' 200 \d+ ms retry 1$/),
        expect.stringMatching(/^GET \/api\/nothing 404 \d+ ms$/),
      ])
      const tokens = stub.requests.map((r) => r.token).filter((t): t is string => t !== undefined)
      expect(tokens.length).toBeGreaterThan(0)
      const text = log.join('\n')
      for (const token of tokens) {
        expect(text).not.toContain(token)
        expect(text).not.toContain(token.split('.')[2])
      }

      expect(text).not.toContain(STUB_CLIENT_SECRET)
      expect(httpDebugEnabled({DEBUG: 'oclif,atpctl:http'})).toBe(true)
      expect(httpDebugEnabled({DEBUG: 'atpctl:*'})).toBe(true)
      expect(httpDebugEnabled({DEBUG: 'oclif'})).toBe(false)
    } finally {
      client.close()
    }
  })
})

describe('Microsoft API client: budget, sign-in failures, network', () => {
  it('keeps the budget on its side: the stub never refuses a call for it', async () => {
    const stub = await startMicrosoftStub({budget: {perMinute: 5, perHour: 1000, minuteMs: 1000}})
    const client = clientFor(stub, {scheduler: new RequestScheduler({apiName: 'x', limits: [{max: 5, windowMs: 1000}], marginMs: 20})})
    try {
      const t0 = Date.now()
      await Promise.all(Array.from({length: 12}, () => client.get('/api/machines?$top=1')))
      const elapsed = Date.now() - t0
      expect(stub.overBudget()).toBe(0)
      expect(stub.requests.filter((r) => r.status === 429)).toHaveLength(0)
      // 12 calls at 5 a second: the third batch goes two windows after the first.
      expect(elapsed).toBeGreaterThanOrEqual(2000)
      expect(elapsed).toBeLessThan(4000)
    } finally {
      client.close()
      await stub.close()
    }
  })

  it('says a refused secret is an auth failure (exit 5) naming AADSTS7000215, without the secret', async () => {
    const stub = await startMicrosoftStub({clientSecret: 'the-real-one'})
    const client = clientFor(stub)
    try {
      const error: any = await client.get('/api/machines').catch((e: unknown) => e)
      expect(error).toMatchObject({exitCode: 5})
      expect(error.message).toMatch(/AADSTS7000215/)
      expect(JSON.stringify(error)).not.toContain(STUB_CLIENT_SECRET)
      expect(error.suggestions[0]).toMatch(/Value, not its Secret ID/)
    } finally {
      client.close()
      await stub.close()
    }
  })

  it('says an unknown tenant is an auth failure (exit 5) naming AADSTS90002', async () => {
    const stub = await startMicrosoftStub()
    const client = clientFor(stub, {settings: settingsFor(stub, {tenantId: '00000000-0000-4000-8000-000000000000'})})
    try {
      const error: any = await client.get('/api/machines').catch((e: unknown) => e)
      expect(error).toMatchObject({exitCode: 5})
      expect(error.message).toBe('Tenant 00000000-0000-4000-8000-000000000000 was not found (AADSTS90002).')
    } finally {
      client.close()
      await stub.close()
    }
  })

  it('reports an untrusted TLS certificate and an unreachable API as exit 6', async () => {
    const stub = await startMicrosoftStub()
    const settings = checkMicrosoftSettings({tenantId: stub.tenantId, clientId: stub.clientId, secretFile, authorityHost: stub.authorityHost, defenderUrl: stub.defenderUrl})
    const untrusted = clientFor(stub, {settings})
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer()
      s.listen(0, '127.0.0.1', () => {
        const {port} = s.address() as AddressInfo
        s.close(() => resolve(port))
      })
    })
    const unreachable = clientFor(stub, {settings: settingsFor(stub, {defenderUrl: `https://127.0.0.1:${closed}/defender`})})
    try {
      const tlsError: any = await untrusted.get('/api/machines').catch((e: unknown) => e)
      expect(tlsError).toMatchObject({exitCode: 6})
      expect(tlsError.message).toMatch(/TLS certificate of Microsoft sign-in/)
      expect(tlsError.suggestions[0]).toMatch(/--ca-file/)
      const netError: any = await unreachable.get('/api/machines').catch((e: unknown) => e)
      expect(netError).toMatchObject({exitCode: 6, code: 'UNREACHABLE'})
      expect(netError.message).toMatch(/Cannot reach the Defender for Endpoint API at https:\/\/127\.0\.0\.1:\d+ .*ECONNREFUSED/)
    } finally {
      untrusted.close()
      unreachable.close()
      await stub.close()
    }
  })

  it('sends API calls through HTTPS_PROXY (a CONNECT tunnel, TLS end to end) unless NO_PROXY names the host', async () => {
    const stub = await startMicrosoftStub()
    const tunnels: string[] = []
    const proxy = http.createServer()
    proxy.on('connect', (req, socket, head) => {
      tunnels.push(req.url ?? '')
      const [host, port] = (req.url ?? '').split(':')
      const upstream = net.connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.write(head)
        upstream.pipe(socket)
        socket.pipe(upstream)
      })
      upstream.on('error', () => socket.destroy())
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
    const via = clientFor(stub, {env: {HTTPS_PROXY: proxyUrl}})
    const direct = clientFor(stub, {env: {HTTPS_PROXY: proxyUrl, NO_PROXY: '127.0.0.1'}})
    try {
      await via.get('/api/machines?$top=1')
      expect(tunnels).toEqual([new URL(stub.origin).host])
      await direct.get('/api/machines?$top=1')
      expect(tunnels).toHaveLength(1)
    } finally {
      via.close()
      direct.close()
      proxy.close()
      await stub.close()
    }
  })
})
