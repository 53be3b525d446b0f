import {startTestServer, type TestServer} from './helpers.js'

// Issue 15, item 12: 350,645 failed authentications in 20 s were all answered 401. Past the
// limit an address gets 429 with Retry-After (exit 8, throttled) until its minute is over, whatever it sends.
describe('failed authentications are limited per client address', () => {
  let s: TestServer
  let token: string
  beforeAll(async () => {
    s = await startTestServer({authFailureLimit: 5})
    token = await s.direct(async (b) => {
      await b.integrations.setThirdParty('sentinelone', true)
      return (await b.tokens.mint({provider: 'sentinelone', ttlMs: 3_600_000})).secret
    })
  })
  afterAll(async () => {
    await s.cleanup()
    expect(s.errors).toEqual([])
  })

  it('good credentials do not count', async () => {
    for (let i = 0; i < 10; i++) expect((await s.request('GET', '/v1/whoami', {auth: s.keys.reader})).status).toBe(200)
  })

  it('answers 401 up to the limit, then 429 with Retry-After, for admin and sensor routes alike, even with a good key', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) statuses.push((await s.request('GET', '/v1/whoami', {auth: 'atpk_not-a-real-key'})).status)
    statuses.push((await s.request('GET', '/v1/tenant')).status)
    statuses.push((await s.request('POST', '/v1/sensor/heartbeat', {auth: 'atpt_not-a-real-token', body: {name: 'x', os: 'Linux'}})).status)
    expect(statuses).toEqual([401, 401, 401, 401, 401])

    const limited = await s.request('GET', '/v1/whoami', {auth: 'atpk_not-a-real-key'})
    expect(limited.status).toBe(429)
    expect(limited.body.error).toMatchObject({code: 'THROTTLED', exitCode: 8})
    expect(limited.body.error.message).toMatch(/too many failed authentications/i)
    const retryAfter = Number(limited.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect((await s.request('GET', '/v1/whoami', {auth: s.keys.reader})).status).toBe(429)
    expect((await s.request('POST', '/v1/sensor/heartbeat', {auth: token, body: {name: 'x', os: 'Linux'}})).status).toBe(429)
    // Routes without credentials stay open.
    expect((await s.request('GET', '/healthz')).status).toBe(200)
  })
})
