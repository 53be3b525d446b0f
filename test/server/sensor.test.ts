import {dirname, join} from 'node:path'
import {eicarBytes} from '../../src/core/detect/eicar.js'
import {startServer} from '../../src/server/run.js'
import {startTestServer, type TestServer} from './helpers.js'

const EICAR_B64 = eicarBytes().toString('base64')
const file = (device: string, name: string, content = EICAR_B64) => ({device, fileName: name, path: `/tmp/${name}`, contentBase64: content})

/** File names in a device's alerts, waiting (bounded) until `expected` shows up or 5 s pass. */
async function alertedFiles(s: TestServer, device: string, expected?: string): Promise<string[]> {
  let names: string[] = []
  for (let i = 0; i < 50; i++) {
    const alerts = await s.direct(async (b) => (await b.alerts.list({device})).items)
    names = alerts.flatMap((a) => a.evidence.map((e) => e.fileName ?? ''))
    if (!expected || names.includes(expected)) break
    await new Promise((r) => setTimeout(r, 100))
  }

  return names
}

describe('sensor endpoints (seed 000; TP2–TP5)', () => {
  let s: TestServer
  let sentinel: string
  let bitdefender: string
  beforeAll(async () => {
    s = await startTestServer({sensorBodyLimit: 2048})
    ;[sentinel, bitdefender] = await s.direct(async (b) => {
      await b.integrations.setThirdParty('sentinelone', true)
      await b.integrations.setThirdParty('bitdefender', true)
      return [(await b.tokens.mint({provider: 'sentinelone', ttlMs: 3_600_000})).secret, (await b.tokens.mint({provider: 'bitdefender', ttlMs: 3_600_000})).secret]
    })
  })
  afterAll(async () => {
    await s.cleanup()
    expect(s.errors).toEqual([])
  })

  it('tells a sensor its tenant, registers its machine under its provider, and raises an alert for an EICAR file (TP5)', async () => {
    const tenant = await s.request('GET', '/v1/sensor/tenant', {auth: sentinel})
    expect(tenant.body).toMatchObject({orgId: expect.stringMatching(/^[0-9a-f-]{36}$/), certificateSha256: expect.stringMatching(/^[0-9a-f]{64}$/)})
    const registered = await s.request('POST', '/v1/sensor/register', {auth: sentinel, body: {name: 'lnx-01', os: 'Ubuntu 22.04'}})
    expect(registered).toMatchObject({status: 200, body: {device: {name: 'lnx-01', onboarded: true}}})
    // Acknowledged = committed to the server's event spool (202); the alert follows from the spool.
    const miss = await s.request('POST', '/v1/sensor/files', {auth: sentinel, body: file('lnx-01', 'notes.txt', Buffer.from('hello').toString('base64'))})
    expect(miss).toMatchObject({status: 202, body: {accepted: true, eventId: expect.any(Number)}})
    const hit = await s.request('POST', '/v1/sensor/files', {auth: sentinel, body: file('lnx-01', 'eicar.com')})
    expect(hit).toMatchObject({status: 202, body: {accepted: true}})
    expect(hit.body.eventId).toBeGreaterThan(miss.body.eventId)
    expect(await alertedFiles(s, 'lnx-01', 'eicar.com')).toEqual(['eicar.com'])
    const alerts = await s.request('GET', '/v1/alerts?device=lnx-01', {auth: s.keys.reader})
    expect(alerts.body.result).toMatchObject({items: [expect.anything()], nextCursor: null})
    expect(alerts.body.result.items[0]).toMatchObject({title: expect.stringMatching(/EICAR/i)})
    const device = await s.direct((b) => b.devices.get('lnx-01'))
    expect(device).toMatchObject({thirdPartyProvider: 'sentinelone', source: 'sensor'})
  })

  it("refuses a token speaking for another provider's machine, and admin routes for tokens (TP2)", async () => {
    const other = await s.request('POST', '/v1/sensor/files', {auth: bitdefender, body: file('lnx-01', 'eicar2.com')})
    expect(other.status).toBe(403)
    expect(other.body.error).toMatchObject({code: 'FORBIDDEN', exitCode: 5})
    const takeover = await s.request('POST', '/v1/sensor/register', {auth: bitdefender, body: {name: 'LNX-01', os: 'Ubuntu 22.04'}})
    expect(takeover.status).toBe(403)
    expect((await s.direct((b) => b.devices.get('lnx-01'))).thirdPartyProvider).toBe('sentinelone')
    expect((await s.request('GET', '/v1/alerts', {auth: sentinel})).status).toBe(401)
  })

  it('validates sensor bodies: unknown fields, wrong types, too large', async () => {
    expect((await s.request('POST', '/v1/sensor/register', {auth: sentinel, body: {name: 'x', os: 'Linux', admin: true}})).status).toBe(400)
    expect((await s.request('POST', '/v1/sensor/register', {auth: sentinel, body: {name: 7, os: 'Linux'}})).status).toBe(400)
    const big = await s.request('POST', '/v1/sensor/files', {auth: sentinel, body: file('lnx-01', 'big.bin', Buffer.alloc(3000).toString('base64'))})
    expect(big.status).toBe(413)
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('refuses data while the provider is off (TP3), keeps refusing the old token after re-enabling (TP4), accepts a new one', async () => {
    const off = await s.request('PUT', '/v1/integrations/third-party/sentinelone', {auth: s.keys['security-admin'], body: {enabled: false}})
    expect(off.body.result.revokedTokens).toBe(1)
    const blocked = await s.request('POST', '/v1/sensor/heartbeat', {auth: sentinel, body: {name: 'lnx-01', os: 'Ubuntu 22.04'}})
    expect(blocked.status).toBe(409)
    expect(blocked.body.error).toMatchObject({code: 'REFUSED_TP3', exitCode: 4})
    expect(blocked.body.error.message).toMatch(/integration is off/)
    await s.request('PUT', '/v1/integrations/third-party/sentinelone', {auth: s.keys['security-admin'], body: {enabled: true}})
    const still = await s.request('POST', '/v1/sensor/heartbeat', {auth: sentinel, body: {name: 'lnx-01', os: 'Ubuntu 22.04'}})
    expect(still.status).toBe(401)
    expect(still.body.error).toMatchObject({code: 'TOKEN_INVALID', exitCode: 5})
    expect(still.body.error.message).toContain('integration disabled')
    const fresh = await s.request('POST', '/v1/tokens', {auth: s.keys['security-admin'], body: {provider: 'sentinelone', ttlMs: 3_600_000}})
    const accepted = await s.request('POST', '/v1/sensor/files', {auth: fresh.body.result.secret, body: file('lnx-01', 'eicar3.com')})
    expect(accepted).toMatchObject({status: 202, body: {accepted: true}})
    expect(await alertedFiles(s, 'lnx-01', 'eicar3.com')).toContain('eicar3.com')
  })
})

describe('graceful shutdown (issue 7: nothing acknowledged is lost)', () => {
  it('finishes in-flight sensor posts on close and every acknowledged alert is in the database', async () => {
    const s = await startTestServer()
    const token = await s.direct(async (b) => {
      await b.integrations.setThirdParty('sentinelone', true)
      return (await b.tokens.mint({provider: 'sentinelone', ttlMs: 3_600_000})).secret
    })
    expect((await s.request('POST', '/v1/sensor/register', {auth: token, body: {name: 'load-01', os: 'Linux'}})).status).toBe(200)
    const acknowledged: string[] = []
    let failed = 0
    let closing: Promise<void> | undefined
    const posts = Array.from({length: 300}, async (_, i) => {
      try {
        const r = await s.request('POST', '/v1/sensor/files', {auth: token, body: file('load-01', `eicar-${i}.com`)})
        if (r.status === 202) acknowledged.push(`eicar-${i}.com`)
        else failed++
      } catch {
        failed++
      }

      if (acknowledged.length === 20) closing ??= s.server.close()
    })
    await Promise.all(posts)
    await (closing ?? s.server.close())
    expect(acknowledged.length).toBeGreaterThanOrEqual(20)
    expect(acknowledged.length + failed).toBe(300)
    // close() returned: the spool is drained, so every acknowledged file has its alert now.
    const stored = new Set(await s.direct(async (b) => (await b.alerts.list({device: 'load-01'})).items.flatMap((a) => a.evidence.map((e) => e.fileName))))
    expect(acknowledged.filter((name) => !stored.has(name))).toEqual([])
    await s.cleanup()
  })
})

describe('event spool after a crash (issue 7)', () => {
  it('drains events acknowledged before a crash at the next start', async () => {
    const s = await startTestServer()
    const token = await s.direct(async (b) => {
      await b.integrations.setThirdParty('ziften', true)
      return (await b.tokens.mint({provider: 'ziften', ttlMs: 3_600_000})).secret
    })
    expect((await s.request('POST', '/v1/sensor/register', {auth: token, body: {name: 'lnx-crash', os: 'Linux'}})).status).toBe(200)
    const tokenId = (await s.direct(async (b) => (await b.tokens.list({provider: 'ziften'})).items))[0].id
    await s.server.close()
    // What a killed server leaves behind: an acknowledged event still in its spool file.
    const {openSpool} = await import('../../src/server/spool.js')
    const spool = await openSpool(join(dirname(s.dbPath), 'sensor-spool.db'))
    spool.enqueue('file', 'ziften', tokenId, file('lnx-crash', 'left-over.com'))
    expect(spool.size()).toBe(1)
    spool.close()
    const restarted = await startServer({databasePath: s.dbPath, profile: 'server', host: '127.0.0.1', port: 0, rateLimit: 0})
    try {
      let names: string[] = []
      for (let i = 0; i < 50 && !names.includes('left-over.com'); i++) {
        names = await s.direct(async (b) => (await b.alerts.list({device: 'lnx-crash'})).items.flatMap((a) => a.evidence.map((e) => e.fileName ?? '')))
        if (!names.includes('left-over.com')) await new Promise((r) => setTimeout(r, 100))
      }

      expect(names).toEqual(['left-over.com'])
    } finally {
      await restarted.close()
    }

    const after = await openSpool(join(dirname(s.dbPath), 'sensor-spool.db'))
    expect(after.size()).toBe(0)
    after.close()
    await s.cleanup().catch(() => {})
  })
})
