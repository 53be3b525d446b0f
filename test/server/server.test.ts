import {OPERATION_KINDS, type OperationKind, ROLES, ROLE_PERMISSIONS} from '../../src/core/rbac/roles.js'
import {startTestServer, type TestServer} from './helpers.js'

/** One representative request per kind of operation (DC6 matrix). */
const PROBES: Record<OperationKind, {method: string; path: string; body?: unknown}> = {
  read: {method: 'GET', path: '/v1/integrations'},
  'alerts.read': {method: 'GET', path: '/v1/alerts'},
  'alerts.write': {method: 'POST', path: '/v1/alerts/alert-missing/resolve', body: {}},
  'integrations.write': {method: 'PUT', path: '/v1/integrations/third-party/bitdefender', body: {enabled: true}},
  'endpoints.write': {method: 'POST', path: '/v1/collections', body: {name: 'probe'}},
  'secrets.read': {method: 'GET', path: '/v1/tenant/secrets'},
  'tenant.admin': {method: 'POST', path: '/v1/tenant', body: {location: 'us', datacenter: 'EastUs3'}},
  'keys.admin': {method: 'GET', path: '/v1/api-keys'},
}

describe('atpctl serve: HTTP API (issue 7)', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer({bodyLimit: 4096})
  })
  afterAll(async () => {
    await s.cleanup()
  })

  it('answers /healthz without credentials', async () => {
    const r = await s.request('GET', '/healthz')
    expect(r).toMatchObject({status: 200, body: {status: 'ok'}})
  })

  it('applies the role matrix to every kind of operation: a role that may not gets 403 (DC6)', async () => {
    for (const role of ROLES) {
      for (const kind of OPERATION_KINDS) {
        const probe = PROBES[kind]
        const r = await s.request(probe.method, probe.path.replace('probe', `probe-${role}`), {auth: s.keys[role], body: probe.body && JSON.parse(JSON.stringify(probe.body).replace('probe', `probe-${role}`))})
        const allowed = ROLE_PERMISSIONS[role].includes(kind)
        expect({role, kind, forbidden: r.status === 403}).toEqual({role, kind, forbidden: !allowed})
        if (!allowed) expect(r.body.error).toMatchObject({code: 'FORBIDDEN', exitCode: 5})
        else expect(r.status).toBeLessThan(500)
      }
    }
  })

  it('DC6 in words: only owner and security-admin turn integrations on; every reader role sees alerts', () => {
    expect(ROLES.filter((r) => ROLE_PERMISSIONS[r].includes('integrations.write'))).toEqual(['owner', 'security-admin'])
    expect(ROLES.filter((r) => ROLE_PERMISSIONS[r].includes('alerts.read'))).toEqual(['owner', 'security-admin', 'security-reader', 'reader'])
    expect(ROLES.filter((r) => ROLE_PERMISSIONS[r].includes('endpoints.write'))).toEqual(['owner', 'security-admin', 'endpoint-protection-manager'])
  })

  it('refuses missing, unknown and misplaced credentials with 401', async () => {
    const none = await s.request('GET', '/v1/tenant')
    expect(none.status).toBe(401)
    expect(none.body.error).toMatchObject({code: 'UNAUTHENTICATED', exitCode: 5})
    const bad = await s.request('GET', '/v1/tenant', {auth: 'atpk_not-a-key'})
    expect(bad.body.error).toMatchObject({code: 'API_KEY_INVALID', exitCode: 5})
    expect(bad.status).toBe(401)
    const basic = await s.request('GET', '/v1/tenant', {headers: {authorization: `Basic ${Buffer.from('a:b').toString('base64')}`}})
    expect(basic.status).toBe(401)
    // A sensor token is not an admin credential, and an API key is not a sensor credential (TP2).
    const token = await s.direct(async (b) => {
      await b.integrations.setThirdParty('ziften', true)
      return (await b.tokens.mint({provider: 'ziften', ttlMs: 3_600_000})).secret
    })
    expect((await s.request('GET', '/v1/tenant', {auth: token})).status).toBe(401)
    expect((await s.request('GET', '/v1/sensor/tenant', {auth: s.keys.owner})).status).toBe(401)
    expect((await s.request('GET', '/v1/sensor/tenant', {auth: token})).status).toBe(200)
  })

  it('refuses bad input with 4xx, keeps serving, and leaves the database unchanged', async () => {
    const snapshot = () =>
      s.direct(async (b) => JSON.stringify({audit: (await b.audit.list()).items, tokens: (await b.tokens.list()).items, state: await b.integrations.state(), collections: (await b.collections.list()).items}))
    const before = await snapshot()
    const owner = s.keys.owner
    const cases: {name: string; method: string; path: string; raw?: string; body?: unknown; headers?: Record<string, string>; status: number; code: string}[] = [
      {name: 'malformed JSON', method: 'POST', path: '/v1/tokens', raw: '{"provider": "ziften", ', status: 400, code: 'BAD_REQUEST'},
      {name: 'wrong types', method: 'POST', path: '/v1/tokens', body: {provider: 5, ttlMs: 'one day'}, status: 400, code: 'INVALID_REQUEST'},
      {name: 'missing field', method: 'POST', path: '/v1/tokens', body: {provider: 'ziften'}, status: 400, code: 'INVALID_REQUEST'},
      {name: 'unknown field', method: 'PUT', path: '/v1/integrations/third-party/ziften', body: {enabled: false, force: true}, status: 400, code: 'INVALID_REQUEST'},
      {name: 'nested unknown field', method: 'POST', path: '/v1/collections', body: {name: 'x', rules: ['os:linux'], owner: 'me'}, status: 400, code: 'INVALID_REQUEST'},
      {name: 'array instead of object', method: 'POST', path: '/v1/tenant', body: ['us'], status: 400, code: 'INVALID_REQUEST'},
      {name: 'oversized body', method: 'POST', path: '/v1/devices/import', body: {records: Array.from({length: 200}, (_, i) => ({name: `host-${i}`, os: 'Ubuntu 22.04'}))}, status: 413, code: 'PAYLOAD_TOO_LARGE'},
      {name: 'not JSON', method: 'POST', path: '/v1/tokens', raw: '<token/>', headers: {'content-type': 'application/xml'}, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE'},
      {name: 'bad query type', method: 'GET', path: '/v1/audit?limit=ten', status: 400, code: 'INVALID_REQUEST'},
      {name: 'unknown query field', method: 'GET', path: '/v1/tokens?provider=ziften&secret=x', status: 400, code: 'INVALID_REQUEST'},
      {name: 'path traversal', method: 'GET', path: '/v1/devices/..%2F..%2Fetc%2Fpasswd', status: 404, code: 'NOT_FOUND'},
      {name: 'dot segments', method: 'GET', path: '/v1/tenant/../api-keys/x', status: 404, code: 'NO_SUCH_ROUTE'},
      {name: 'unknown route', method: 'GET', path: '/v2/tenant', status: 404, code: 'NO_SUCH_ROUTE'},
      {name: 'overlong id', method: 'GET', path: `/v1/devices/${'a'.repeat(600)}`, status: 414, code: 'BAD_URL'},
      {name: 'broken escape', method: 'GET', path: '/v1/devices/%E0%A4%A', status: 400, code: 'BAD_URL'},
    ]
    for (const c of cases) {
      const r = await s.request(c.method, c.path, {auth: owner, raw: c.raw, body: c.body, headers: c.headers})
      expect({name: c.name, status: r.status, code: r.body?.error?.code}).toEqual({name: c.name, status: c.status, code: c.code})
      expect(typeof r.body.error.message).toBe('string')
    }

    expect((await s.request('GET', '/healthz')).status).toBe(200)
    expect(await snapshot()).toBe(before)
  })

  it('records the key (and the client user) as the actor in the audit log', async () => {
    const r = await s.request('PUT', '/v1/integrations/third-party/lookout', {auth: s.keys['security-admin'], body: {enabled: true}, headers: {'x-atpctl-actor': 'team:alice'}})
    expect(r.status).toBe(200)
    const last = await s.direct(async (b) => (await b.audit.list({operation: 'integration.enable'})).items.at(-1))
    expect(last).toMatchObject({actor: 'key:security-admin (team:alice)', target: 'third-party:lookout', outcome: 'ok'})
  })

  it('refuses a revoked key from the next request on', async () => {
    expect((await s.request('GET', '/v1/tenant', {auth: s.keys['security-reader']})).status).toBe(200)
    expect((await s.request('DELETE', '/v1/api-keys/security-reader', {auth: s.keys.owner})).status).toBe(200)
    const r = await s.request('GET', '/v1/tenant', {auth: s.keys['security-reader']})
    expect(r.status).toBe(401)
    expect(r.body.error.message).toContain('revoked')
  })

  it('writes one structured access-log line per request, with who and what but no secret', async () => {
    expect(s.log.length).toBeGreaterThan(40)
    const text = JSON.stringify(s.log)
    for (const secret of Object.values(s.keys)) expect(text).not.toContain(secret)
    expect(text).not.toContain('atpt_')
    const entry = s.log.find((e) => e.operation === 'integrations.setThirdParty' && e.status === 200)
    expect(entry).toMatchObject({method: 'PUT', route: '/v1/integrations/third-party/:provider', role: expect.any(String), principal: expect.stringMatching(/^key:key_[0-9a-f]+:/)})
    const refused = s.log.find((e) => e.status === 401)
    expect(refused).toMatchObject({principal: null, errorCode: expect.any(String)})
    expect(s.log.every((e) => !e.path.includes('?'))).toBe(true)
  })
})

describe('atpctl serve: rate limit per key (issue 7)', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer({rateLimit: 3, sensorRateLimit: 2})
  })
  afterAll(async () => {
    await s.cleanup()
  })

  it('answers 429 with Retry-After once a key spends its budget; other keys are unaffected', async () => {
    for (let i = 0; i < 3; i++) expect((await s.request('GET', '/v1/tenant', {auth: s.keys.reader})).status).toBe(200)
    const limited = await s.request('GET', '/v1/tenant', {auth: s.keys.reader})
    expect(limited.status).toBe(429)
    expect(limited.body.error).toMatchObject({code: 'THROTTLED', exitCode: 8})
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await s.request('GET', '/v1/tenant', {auth: s.keys.owner})).status).toBe(200)
    expect((await s.request('GET', '/healthz')).status).toBe(200)
  })

  it('reaches a remote-backend caller as throttled (exit 8) with when to retry, not as unreachable (issue 11 item 4)', async () => {
    const {openRemoteBackend} = await import('../../src/backends/remote/index.js')
    const remote = openRemoteBackend({url: s.url, apiKey: s.keys['security-reader']})
    try {
      for (let i = 0; i < 3; i++) await remote.tenant.get()
      await expect(remote.tenant.get()).rejects.toMatchObject({code: 'THROTTLED', exitCode: 8, message: expect.stringMatching(/retry in \d+ s\./), retryAfterMs: expect.any(Number)})
    } finally {
      await remote.close()
    }
  })

  it('limits sensor tokens separately (one token serves a whole fleet)', async () => {
    const token = await s.direct(async (b) => {
      await b.integrations.setThirdParty('ziften', true)
      return (await b.tokens.mint({provider: 'ziften', ttlMs: 3_600_000})).secret
    })
    expect((await s.request('GET', '/v1/sensor/tenant', {auth: token})).status).toBe(200)
    expect((await s.request('GET', '/v1/sensor/tenant', {auth: token})).status).toBe(200)
    const limited = await s.request('GET', '/v1/sensor/tenant', {auth: token})
    expect(limited.status).toBe(429)
    expect(limited.body.error.code).toBe('THROTTLED')
  })
})
