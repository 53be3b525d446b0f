/**
 * The Microsoft stub itself: the real @azure/identity signs in against it (client secret and
 * certificate, unmocked), and its Defender routes, budget, faults and EICAR sensor behave as
 * documented — so the backend's tests can trust what it answers.
 */
import {ClientCertificateCredential, ClientSecretCredential} from '@azure/identity'
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import https from 'node:https'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {requireTool} from '../../helpers/tools.js'
import {makeAlert, makeMachine, manyMachines, startMicrosoftStub, STUB_CLIENT_ID, STUB_CLIENT_SECRET, STUB_TENANT_ID, type MicrosoftStub} from './index.js'

const DEFENDER_SCOPE = 'https://api.securitycenter.microsoft.com/.default'
const openssl = requireTool('openssl')

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: any
}

function call(stub: MicrosoftStub, method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const url = path.startsWith('https:') ? path : `${stub.defenderUrl}${path}`
    const headers = {...(token ? {authorization: `Bearer ${token}`} : {}), ...(payload ? {'content-type': 'application/json'} : {})}
    const req = https.request(url, {method, ca: stub.caPem, headers, agent: false}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({status: res.statusCode ?? 0, headers: res.headers, body: text === '' ? undefined : JSON.parse(text)})
      })
    })
    req.on('error', reject)
    req.end(payload)
  })
}

function secretCredential(stub: MicrosoftStub, secret = STUB_CLIENT_SECRET) {
  // tlsOptions reaches the library's pipeline (core-rest-pipeline's tlsPolicy); not in its typings.
  return new ClientSecretCredential(stub.tenantId, stub.clientId, secret, {authorityHost: stub.authorityHost, disableInstanceDiscovery: true, tlsOptions: {ca: stub.caPem}} as never)
}

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'))

openssl.describe('the Microsoft stub: sign-in with the real @azure/identity', () => {
  let stub: MicrosoftStub
  let dir: string
  let certPem: string
  let bundleFile: string
  let otherBundleFile: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atpctl-stubcert-'))
    const make = (name: string) => {
      if (!openssl.available) return ''
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`), '-days', '2', '-subj', `/CN=atpctl ${name}`], {stdio: 'ignore'})
      const cert = readFileSync(join(dir, `${name}.crt`), 'utf8')
      writeFileSync(join(dir, `${name}.pem`), readFileSync(join(dir, `${name}.key`), 'utf8') + cert, {mode: 0o600})
      return cert
    }

    certPem = make('app')
    make('other')
    bundleFile = join(dir, 'app.pem')
    otherBundleFile = join(dir, 'other.pem')
    stub = await startMicrosoftStub(openssl.available ? {certificate: {certPem}} : {})
  })
  afterAll(async () => {
    await stub.close()
    rmSync(dir, {recursive: true, force: true})
  })

  it('issues a JWT with roles, tid, aud and exp to ClientSecretCredential, after the discovery document', async () => {
    const token = await secretCredential(stub).getToken(DEFENDER_SCOPE)
    const claims = claimsOf(token.token)
    expect(claims).toMatchObject({tid: STUB_TENANT_ID, appid: STUB_CLIENT_ID, aud: 'https://api.securitycenter.microsoft.com', roles: expect.arrayContaining(['Machine.Read.All', 'Machine.Offboard'])})
    expect(claims.exp * 1000).toBeGreaterThan(Date.now() + 3_000_000)
    expect(stub.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /${STUB_TENANT_ID}/v2.0/.well-known/openid-configuration`,
      `POST /${STUB_TENANT_ID}/oauth2/v2.0/token`,
    ])
    const machines = await call(stub, 'GET', '/api/machines', token.token)
    expect(machines.status).toBe(200)
    expect(machines.body['@odata.context']).toMatch(/#Machines$/)
  })

  it('refuses a wrong secret with AADSTS7000215, and an unknown tenant with AADSTS90002 on discovery', async () => {
    await expect(secretCredential(stub, 'wrong').getToken(DEFENDER_SCOPE)).rejects.toThrow(/AADSTS7000215/)
    const unknown = '00000000-0000-4000-8000-000000000000'
    const other = new ClientSecretCredential(unknown, STUB_CLIENT_ID, STUB_CLIENT_SECRET, {authorityHost: stub.authorityHost, disableInstanceDiscovery: true, tlsOptions: {ca: stub.caPem}} as never)
    // msal reports a failed discovery as endpoints_resolution_error, as it does against Entra.
    await expect(other.getToken(DEFENDER_SCOPE)).rejects.toThrow(/endpoints_resolution_error/)
    const discovery = await call(stub, 'GET', `${stub.authorityHost}/${unknown}/v2.0/.well-known/openid-configuration`)
    expect(discovery.status).toBe(400)
    expect(discovery.body).toMatchObject({error: 'invalid_tenant', error_codes: [90002], error_description: expect.stringMatching(/^AADSTS90002: /), trace_id: expect.any(String), correlation_id: expect.any(String)})
  })

  openssl.it('signs in the real ClientCertificateCredential (signed assertion checked against the certificate) and refuses another certificate', async () => {
    const credential = new ClientCertificateCredential(stub.tenantId, stub.clientId, {certificatePath: bundleFile}, {authorityHost: stub.authorityHost, disableInstanceDiscovery: true, tlsOptions: {ca: stub.caPem}} as never)
    const token = await credential.getToken(DEFENDER_SCOPE)
    expect(claimsOf(token.token).roles).toContain('Alert.Read.All')
    const wrong = new ClientCertificateCredential(stub.tenantId, stub.clientId, {certificatePath: otherBundleFile}, {authorityHost: stub.authorityHost, disableInstanceDiscovery: true, tlsOptions: {ca: stub.caPem}} as never)
    await expect(wrong.getToken(DEFENDER_SCOPE)).rejects.toThrow(/AADSTS700027/)
  })

  it('gives the Microsoft Threat Protection resource a token without Defender roles: 403 on machines', async () => {
    const token = await secretCredential(stub).getToken('https://api.security.microsoft.com/.default')
    expect(claimsOf(token.token).roles).toBeUndefined()
    const r = await call(stub, 'GET', '/api/machines', token.token)
    expect(r.status).toBe(403)
    expect(r.body.error.code).toBe('Forbidden')
  })

  it('refuses requests without a token, with a foreign token, and for an unknown resource', async () => {
    expect((await call(stub, 'GET', '/api/machines')).status).toBe(401)
    const r = await call(stub, 'GET', '/api/machines', 'a.b.c')
    expect(r.status).toBe(401)
    expect(String(r.headers['www-authenticate'])).toMatch(/invalid_token/)
    await expect(secretCredential(stub).getToken('https://nothing.example/.default')).rejects.toThrow(/AADSTS500011/)
  })
})

describe('the Microsoft stub: Defender routes', () => {
  let stub: MicrosoftStub
  let token: string
  let noOffboard: string
  beforeAll(async () => {
    stub = await startMicrosoftStub({machines: manyMachines(25), actions: {pendingMs: 50, inProgressMs: 50}})
    stub.state.machines.push(makeMachine({computerDnsName: 'lnx-1.contoso.local', osPlatform: 'Linux', healthStatus: 'Inactive', machineTags: ['Servers']}))
    token = (await secretCredential(stub).getToken(DEFENDER_SCOPE)).token
    stub.setRoles('defender', ['Machine.Read.All'])
    noOffboard = (await secretCredential(stub).getToken('https://securitycenter.onmicrosoft.com/windowsatpservice/.default')).token
    stub.setRoles('defender', ['Machine.Read.All', 'Machine.ReadWrite.All', 'Alert.Read.All', 'Alert.ReadWrite.All', 'Machine.Offboard'])
  })
  afterAll(() => stub.close())

  it('pages with $top and @odata.nextLink, and refuses $top over 10,000', async () => {
    const seen: string[] = []
    let url: string | undefined = `${stub.defenderUrl}/api/machines?$top=10`
    let pages = 0
    while (url) {
      const r: Answer = await call(stub, 'GET', url, token)
      expect(r.status).toBe(200)
      seen.push(...r.body.value.map((m: {id: string}) => m.id))
      url = r.body['@odata.nextLink']
      pages++
    }

    expect(pages).toBe(3)
    expect(new Set(seen).size).toBe(26)
    const big = await call(stub, 'GET', '/api/machines?$top=10001', token)
    expect(big.status).toBe(400)
    expect(big.body.error.code).toBe('ODataError')
  })

  it('filters on the documented fields only, strings without regard to case', async () => {
    const q = (filter: string) => call(stub, 'GET', `/api/machines?$filter=${encodeURIComponent(filter)}`, token)
    expect((await q("osPlatform eq 'linux'")).body.value.map((m: {computerDnsName: string}) => m.computerDnsName)).toEqual(['lnx-1.contoso.local'])
    expect((await q("startswith(computerDnsName,'BULK-0001')")).body.value).toHaveLength(10)
    expect((await q("healthStatus ne 'Active' and machineTags/any(t: t eq 'Servers')")).body.value).toHaveLength(1)
    expect((await q("(osPlatform eq 'Linux' or osPlatform eq 'Windows11') and lastSeen gt 2001-01-01Z")).body.value).toHaveLength(26)
    const refused = await q("osBuild eq 22631")
    expect(refused.status).toBe(400)
    expect(refused.body.error.message).toMatch(/osBuild/)
  })

  it('answers one machine by id or by name, 404 otherwise, and the empty inventory with 404 as documented', async () => {
    const m = stub.state.machines[0]
    expect((await call(stub, 'GET', `/api/machines/${m.id}`, token)).body.computerDnsName).toBe(m.computerDnsName)
    expect((await call(stub, 'GET', `/api/machines/${m.computerDnsName.toUpperCase()}`, token)).body.id).toBe(m.id)
    const missing = await call(stub, 'GET', '/api/machines/0000000000000000000000000000000000000000', token)
    expect(missing.status).toBe(404)
    expect(missing.body.error).toMatchObject({code: 'ResourceNotFound', target: expect.any(String)})
    const empty = await startMicrosoftStub({machines: []})
    try {
      const t = (await secretCredential(empty).getToken(DEFENDER_SCOPE)).token
      expect((await call(empty, 'GET', '/api/machines', t)).status).toBe(404)
    } finally {
      await empty.close()
    }
  })

  it('offboards: case-sensitive Comment, no Linux, one pending action, Pending → InProgress → Succeeded', async () => {
    const [m] = stub.state.machines
    const linux = stub.state.machines.find((x) => x.osPlatform === 'Linux')!
    const lower = await call(stub, 'POST', `/api/machines/${m.id}/offboard`, token, {comment: 'x'})
    expect(lower.status).toBe(400)
    expect(lower.body.error.code).toBe('MissingRequiredParameter')
    const refusedOs = await call(stub, 'POST', `/api/machines/${linux.id}/offboard`, token, {Comment: 'x'})
    expect(refusedOs.status).toBe(400)
    expect(refusedOs.body.error.code).toBe('OsPlatformNotSupported')
    const forbidden = await call(stub, 'POST', `/api/machines/${m.id}/offboard`, noOffboard, {Comment: 'x'})
    expect(forbidden.status).toBe(403)
    expect(forbidden.body.error.message).toContain('Machine.Offboard')
    const created = await call(stub, 'POST', `/api/machines/${m.id}/offboard`, token, {Comment: 'decommissioned'})
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({type: 'Offboard', status: 'Pending', machineId: m.id, requestorComment: 'decommissioned', requestor: STUB_CLIENT_ID})
    const again = await call(stub, 'POST', `/api/machines/${m.id}/offboard`, token, {Comment: 'decommissioned'})
    expect(again.status).toBe(400)
    expect(again.body.error.code).toBe('ActiveRequestAlreadyExists')
    const pending = await call(stub, 'GET', `/api/machineactions?$filter=${encodeURIComponent(`machineId eq '${m.id}' and type eq 'Offboard' and status eq 'Pending'`)}`, token)
    expect(pending.body.value.map((a: {id: string}) => a.id)).toEqual([created.body.id])
    await new Promise((r) => setTimeout(r, 250))
    const done = await call(stub, 'GET', `/api/machineactions/${created.body.id}`, token)
    expect(done.body.status).toBe('Succeeded')
    expect(stub.state.machines[0].healthStatus).toBe('Inactive')
    expect(stub.duplicateActions()).toBe(0)
  })

  it('lists alerts with evidence only on $expand=evidence, per machine, and resolves them with PATCH', async () => {
    const m = stub.state.machines[1]
    const since = new Date().toISOString()
    stub.state.alerts.push(makeAlert(m, {evidence: [{entityType: 'File', evidenceCreationTime: since, sha1: 'a', sha256: 'b', fileName: 'f', filePath: 'p', processId: null, processCommandLine: null, detectionStatus: 'Detected'}]}))
    const id = stub.state.alerts[0].id
    expect((await call(stub, 'GET', '/api/alerts', token)).body.value[0].evidence).toEqual([])
    expect((await call(stub, 'GET', '/api/alerts?$expand=evidence', token)).body.value[0].evidence).toHaveLength(1)
    const byMachine = await call(stub, 'GET', `/api/machines/${m.id}/alerts?$filter=${encodeURIComponent(`alertCreationTime ge ${since}`)}`, token)
    expect(byMachine.body.value.map((a: {id: string}) => a.id)).toEqual([id])
    const bad = await call(stub, 'PATCH', `/api/alerts/${id}`, token, {status: 'Resolved', classification: 'Nope'})
    expect(bad.status).toBe(400)
    const ok = await call(stub, 'PATCH', `/api/alerts/${id}`, token, {status: 'Resolved', classification: 'FalsePositive', determination: 'SecurityTesting', comment: 'test'})
    expect(ok.body).toMatchObject({status: 'Resolved', classification: 'FalsePositive', determination: 'SecurityTesting', comments: [{comment: 'test'}]})
    expect(ok.body.resolvedTime).not.toBeNull()
  })
})

describe('the Microsoft stub: budget and faults', () => {
  it('keeps the budget: over it, 429 with Retry-After, counted', async () => {
    const stub = await startMicrosoftStub({budget: {perMinute: 3, perHour: 100, minuteMs: 2000}})
    try {
      const token = (await secretCredential(stub).getToken(DEFENDER_SCOPE)).token
      const statuses = []
      for (let i = 0; i < 4; i++) statuses.push((await call(stub, 'GET', '/api/machines', token)).status)
      expect(statuses).toEqual([200, 200, 200, 429])
      expect(stub.overBudget()).toBe(1)
      const last = stub.requests.at(-1)!
      expect(last.overBudget).toBe(true)
    } finally {
      await stub.close()
    }
  })

  it('injects 429, 5xx, slow answers, dropped connections and expired tokens', async () => {
    const stub = await startMicrosoftStub()
    try {
      const token = (await secretCredential(stub).getToken(DEFENDER_SCOPE)).token
      stub.inject({route: '/api/machines', status: 429, retryAfterSec: 7})
      const throttled = await call(stub, 'GET', '/api/machines', token)
      expect(throttled.status).toBe(429)
      expect(throttled.headers['retry-after']).toBe('7')
      stub.inject({route: /alerts/, status: 503, times: 2})
      expect((await call(stub, 'GET', '/api/alerts', token)).status).toBe(503)
      expect((await call(stub, 'GET', '/api/alerts', token)).status).toBe(503)
      expect((await call(stub, 'GET', '/api/alerts', token)).status).toBe(200)
      stub.inject({route: '/api/machines', delayMs: 300})
      const t0 = Date.now()
      expect((await call(stub, 'GET', '/api/machines', token)).status).toBe(200)
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290)
      stub.inject({route: '/api/machines', drop: true})
      await expect(call(stub, 'GET', '/api/machines', token)).rejects.toThrow(/socket hang up|ECONNRESET/)
      stub.inject({expireTokens: true})
      const expired = await call(stub, 'GET', '/api/machines', token)
      expect(expired.status).toBe(401)
      expect(String(expired.headers['www-authenticate'])).toMatch(/expired/)
      expect(stub.overBudget()).toBe(0)
    } finally {
      await stub.close()
    }
  })
})

describe('the Microsoft stub: the EICAR sensor', () => {
  it('raises an EICAR alert with the file hashes when the file appears, and not for other files', async () => {
    const stub = await startMicrosoftStub()
    const folder = mkdtempSync(join(tmpdir(), 'atpctl-eicarwatch-'))
    try {
      const machine = stub.state.machines[0]
      stub.watchForEicar({folder, machineId: machine.id, delayMs: 50})
      writeFileSync(join(folder, 'harmless.txt'), 'hello')
      const eicar = Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$' + 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*', 'latin1')
      writeFileSync(join(folder, 'eicar.com'), eicar)
      const deadline = Date.now() + 5000
      while (stub.state.alerts.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
      expect(stub.state.alerts).toHaveLength(1)
      const [alert] = stub.state.alerts
      expect(alert).toMatchObject({machineId: machine.id, threatFamilyName: 'EICAR_Test_File', category: 'Malware'})
      expect(alert.evidence[0]).toMatchObject({fileName: 'eicar.com', sha256: '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f', sha1: createHash('sha1').update(eicar).digest('hex')})
      await new Promise((r) => setTimeout(r, 250))
      expect(stub.state.alerts).toHaveLength(1)
    } finally {
      await stub.close()
      rmSync(folder, {recursive: true, force: true})
    }
  })
})
