import {existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {openRemoteBackend} from '../../src/backends/remote/index.js'
import {normaliseRow} from '../../src/core/device/inventory.js'
import {DEVICE_RECORD} from '../../src/backends/remote/operations.js'
import {ndjsonChunks} from '../../src/lib/ndjson.js'
import {buildServer} from '../../src/server/app.js'
import {openServedBackend} from '../../src/server/served-backend.js'
import {openSpool} from '../../src/server/spool.js'
import {checkedRecords, prepareUploadDir} from '../../src/server/upload.js'
import {tempHome} from '../helpers/cli.js'
import {expectAtpError} from '../backends/contract/expect.js'
import {startTestServer, type TestServer} from './helpers.js'

const record = (i: number, extra: Record<string, string> = {}) =>
  normaliseRow({name: `host-${String(i).padStart(6, '0')}`, os: 'Windows 11 Enterprise', managedBy: 'configmgr', collections: 'Fleet', ...extra}, i + 2)
const records = (n: number) => Array.from({length: n}, (_, i) => record(i))

/** Sends raw NDJSON chunks with chunked transfer encoding; `keepOpen` leaves the body unfinished. */
function post(url: string, key: string, chunks: string[], options: {path?: string; keepOpen?: boolean} = {}) {
  const req = http.request(url + (options.path ?? '/v1/devices/import'), {
    method: 'POST',
    headers: {authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson', 'transfer-encoding': 'chunked'},
  })
  const answer = new Promise<{status: number; body: any}>((resolve, reject) => {
    req.on('response', (res) => {
      let text = ''
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text)}))
    })
    req.on('error', reject)
  })
  for (const chunk of chunks) req.write(chunk)
  if (!options.keepOpen) req.end()
  return {req, answer}
}

const lines = (items: unknown[]) => items.map((r) => JSON.stringify(r) + '\n').join('')

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return
    await new Promise((r) => setTimeout(r, 25))
  }

  throw new Error(`gave up waiting for ${what}`)
}

describe('atpctl serve: streamed device import (issue 15)', () => {
  let s: TestServer
  let uploads: string
  const deviceCount = () => s.direct(async (b) => (await b.devices.list()).items.length)
  beforeAll(async () => {
    // A 16 KiB JSON body limit, a 1 MiB streamed import limit: ~400 records fit one, ~2,500 the other.
    s = await startTestServer({bodyLimit: 16 * 1024, importLimit: 1024 * 1024})
    uploads = join(dirname(s.dbPath), 'uploads')
  })
  afterAll(async () => {
    await s.cleanup()
  })
  afterEach(() => {
    expect(s.errors).toEqual([])
    // Every upload file is gone once its request is answered.
    expect(readdirSync(uploads)).toEqual([])
  })

  it('imports through the remote backend far more than one JSON body may hold, in one call and one audited change', async () => {
    const remote = openRemoteBackend({url: s.url, apiKey: s.keys.owner, actor: 'jest:stream'})
    try {
      const big = records(2000)
      const asJson = await s.request('POST', '/v1/devices/import', {auth: s.keys.owner, body: {records: big}})
      expect(asJson).toMatchObject({status: 413, body: {error: {code: 'PAYLOAD_TOO_LARGE', exitCode: 2}}})
      const before = (await s.direct(async (b) => (await b.audit.list({limit: 1, newestFirst: true})).items))[0].seq
      // Given as a one-shot iterable, as `device import` gives the rows of its file.
      const summary = await remote.devices.import({records: big.values()})
      expect(summary).toMatchObject({total: 2000, created: 2000, updated: 0, collectionsCreated: ['Fleet']})
      expect(await deviceCount()).toBe(2000)
      const audit = await s.direct(async (b) => (await b.audit.list({limit: 5, newestFirst: true})).items)
      const after = audit.filter((a) => a.seq > before)
      expect(after.map((a) => [a.operation, a.target, a.actor])).toEqual([['device.import', '2000 device(s)', 'key:owner (jest:stream)']])
      expect(s.log.filter((l) => l.route === '/v1/devices/import').map((l) => l.status)).toEqual([413, 200])
    } finally {
      await remote.close()
    }
  })

  it('checks every line with the JSON route schema: one bad line refuses the whole body with its line number (exit 2)', async () => {
    const before = await deviceCount()
    const good = records(500).map((r) => ({...r, name: `line-${r.name}`}))
    const wrongType = [...good.slice(0, 399), {...good[399], build: 'x'}, ...good.slice(400)]
    const r1 = await post(s.url, s.keys.owner, [lines(wrongType)]).answer
    expect(r1).toMatchObject({status: 400, body: {error: {code: 'INVALID_REQUEST', exitCode: 2, details: {line: 400}}}})
    expect(r1.body.error.message).toBe("Invalid request: line 400 of the body: device 'line-host-000399': /build must be integer; nothing was imported.")
    const r2 = await post(s.url, s.keys.owner, [lines(good.slice(0, 10)), '{"name": "half\n', lines(good.slice(10))]).answer
    expect(r2).toMatchObject({status: 400, body: {error: {code: 'INVALID_REQUEST', details: {line: 11}}}})
    expect(r2.body.error.message).toMatch(/^Invalid request: line 11 of the body: not valid JSON/)
    const unknownField = await post(s.url, s.keys.owner, [lines([{...good[0], colour: 'red'}])]).answer
    expect(unknownField.body.error.message).toContain('line 1 of the body')
    expect(await deviceCount()).toBe(before)
  })

  it('refuses a body over --import-limit (413, exit 2) and the client reports that answer, not a broken pipe', async () => {
    const remote = openRemoteBackend({url: s.url, apiKey: s.keys.owner})
    try {
      const before = await deviceCount()
      await expectAtpError(remote.devices.import({records: records(6000).map((r) => ({...r, name: `big-${r.name}`}))}), {
        code: 'PAYLOAD_TOO_LARGE',
        exitCode: 2,
        message: /larger than this server accepts \(1 MiB\)/,
      })
      expect(await deviceCount()).toBe(before)
    } finally {
      await remote.close()
    }
  })

  it('checks the key and its role before reading the body (DC6): the client reports 401/403, never EPIPE', async () => {
    const before = await deviceCount()
    for (const [key, code] of [
      [s.keys.reader, 'FORBIDDEN'],
      ['atpk_not_a_key', undefined],
    ] as const) {
      const remote = openRemoteBackend({url: s.url, apiKey: key})
      try {
        await expectAtpError(remote.devices.import({records: records(6000)}), {code, exitCode: 5})
      } finally {
        await remote.close()
      }
    }

    expect(await deviceCount()).toBe(before)
  })

  it('applies nothing and keeps no file when the client goes away mid-body', async () => {
    const before = await deviceCount()
    const {req, answer} = post(s.url, s.keys.owner, [lines(records(300).map((r) => ({...r, name: `gone-${r.name}`})))], {keepOpen: true})
    answer.catch(() => {})
    await until(() => readdirSync(uploads).some((f) => statSync(join(uploads, f)).size > 0), 'the upload to reach its file')
    req.destroy()
    await until(() => readdirSync(uploads).length === 0, 'the upload file to be removed')
    expect(await deviceCount()).toBe(before)
    expect((await s.direct(async (b) => (await b.devices.list({limit: 1000})).items)).some((d) => d.name.startsWith('gone-'))).toBe(false)
  })

  it('rolls the whole stream back when the backend refuses a record (a repeated name: exit 7)', async () => {
    const remote = openRemoteBackend({url: s.url, apiKey: s.keys.owner})
    try {
      const before = await deviceCount()
      const twice = [...records(50).map((r) => ({...r, name: `dup-${r.name}`})), {...record(3), name: 'DUP-host-000003'}]
      await expectAtpError(remote.devices.import({records: twice}), {code: 'INVALID_INPUT', exitCode: 7, message: /DUP-host-000003/})
      expect(await deviceCount()).toBe(before)
    } finally {
      await remote.close()
    }
  })

  it('streams an async record source as NDJSON while it produces, and applies it in one change (issue 11 item 7)', async () => {
    const remote = openRemoteBackend({url: s.url, apiKey: s.keys.owner})
    try {
      const before = await deviceCount()
      async function* slowly() {
        for (let i = 0; i < 1500; i++) {
          // A source that must wait for its data (a file being read), now and then.
          if (i % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 5))
          yield {...record(i), name: `async-${i}`}
        }
      }

      expect(await remote.devices.import({records: slowly()})).toMatchObject({total: 1500, created: 1500})
      expect(await deviceCount()).toBe(before + 1500)
    } finally {
      await remote.close()
    }
  })

  it('an async record source that fails midway sends nothing that is applied', async () => {
    const remote = openRemoteBackend({url: s.url, apiKey: s.keys.owner})
    try {
      const before = await deviceCount()
      async function* failing() {
        for (let i = 0; i < 1000; i++) yield {...record(i), name: `half-${i}`}
        // The server is receiving the body when the source fails.
        await until(() => readdirSync(uploads).some((f) => statSync(join(uploads, f)).size > 0), 'the upload to reach its file')
        throw new Error('the reader failed')
      }

      await expect(remote.devices.import({records: failing()})).rejects.toThrow('the reader failed')
      await until(() => readdirSync(uploads).length === 0, 'the abandoned upload file to be removed')
      expect(await deviceCount()).toBe(before)
    } finally {
      await remote.close()
    }
  })

  it('takes NDJSON only on streamed operations (415 elsewhere)', async () => {
    const r = await post(s.url, s.keys.owner, ['{"name": "x"}\n'], {path: '/v1/collections'}).answer
    expect(r).toMatchObject({status: 415, body: {error: {code: 'UNSUPPORTED_MEDIA_TYPE', exitCode: 2}}})
  })
})

describe('streamed import and the rate limit (issue 15)', () => {
  it('counts one import as one request, whatever its size', async () => {
    const s = await startTestServer({rateLimit: 3})
    const remote = openRemoteBackend({url: s.url, apiKey: s.keys.owner})
    try {
      expect(await remote.devices.import({records: records(3000)})).toMatchObject({total: 3000})
      expect(await remote.devices.import({records: records(3000)})).toMatchObject({total: 3000, updated: 0, unchanged: 3000, changed: false})
      expect((await s.request('GET', '/v1/tenant', {auth: s.keys.owner})).status).toBe(200)
      expect((await s.request('GET', '/v1/tenant', {auth: s.keys.owner})).status).toBe(429)
    } finally {
      await remote.close()
      await s.cleanup()
    }
  })
})

describe('slow and stalled uploads (issue 15)', () => {
  it('drops an upload from which nothing arrives for the idle time: connection closed, nothing imported, no file left', async () => {
    const s = await startTestServer({uploadIdleMs: 300})
    const uploads = join(dirname(s.dbPath), 'uploads')
    try {
      const {req, answer} = post(s.url, s.keys.owner, [lines(records(50))], {keepOpen: true})
      const outcome = answer.then(
        () => 'answered',
        (error: NodeJS.ErrnoException) => error.code,
      )
      await until(() => readdirSync(uploads).some((f) => statSync(join(uploads, f)).size > 0), 'the upload to start')
      // Nothing more is sent: the server gives up on its own.
      expect(await outcome).toBe('ECONNRESET')
      await until(() => readdirSync(uploads).length === 0, 'the upload file to be removed')
      req.destroy()
      expect(await s.direct(async (b) => (await b.devices.list()).items.length)).toBe(0)
      expect(s.errors).toEqual([])
    } finally {
      await s.cleanup()
    }
  })

  it("exempts a streaming import from the server's whole-request timeout, but not a JSON body", async () => {
    const {home, cleanup} = tempHome('atpctl-upload-timeout-')
    const dbPath = join(home, 'tenant.db')
    const served = await openServedBackend(dbPath, 'server')
    await served.backend.tenant.create({location: 'us', datacenter: 'EastUs3'})
    const secret = (await served.backend.apiKeys.create({name: 'owner', role: 'owner'})).secret!
    const spool = await openSpool(join(home, 'spool.db'))
    const uploads = join(home, 'uploads')
    prepareUploadDir(uploads)
    const app = await buildServer({served, spool, uploadDir: uploads, rateLimit: 0})
    const sockets: import('node:net').Socket[] = []
    const requests: http.ClientRequest[] = []
    app.server.on('connection', (socket) => sockets.push(socket))
    await app.listen({host: '127.0.0.1', port: 0})
    const url = `http://127.0.0.1:${(app.server.address() as import('node:net').AddressInfo).port}`
    // What Node does for a request that has not fully arrived after requestTimeout.
    const timeOut = (socket: import('node:net').Socket) => app.server.emit('clientError', Object.assign(new Error('request timeout'), {code: 'ERR_HTTP_REQUEST_TIMEOUT'}), socket)
    try {
      const {req, answer} = post(url, secret, [lines(records(100))], {keepOpen: true})
      requests.push(req)
      await until(() => readdirSync(uploads).some((f) => statSync(join(uploads, f)).size > 0), 'the upload to start')
      timeOut(sockets[0])
      req.end(lines(records(200).slice(100)))
      expect(await answer).toMatchObject({status: 200, body: {result: {total: 200, created: 200}}})

      const slowJson = http.request(`${url}/v1/collections`, {method: 'POST', agent: false, headers: {authorization: `Bearer ${secret}`, 'content-type': 'application/json', 'content-length': '100'}})
      const jsonAnswer = new Promise<string>((resolve) => {
        slowJson.on('response', (res) => resolve(String(res.statusCode)))
        slowJson.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
      })
      requests.push(slowJson)
      slowJson.write('{"name": ')
      await until(() => sockets.length === 2, 'the second connection')
      timeOut(sockets[1])
      expect(await jsonAnswer).toBe('408')
    } finally {
      for (const r of requests) r.destroy()
      await app.close()
      spool.close()
      await served.backend.close()
      cleanup()
    }
  })
})

describe('the upload folder', () => {
  it('is owner-only and loses what an earlier server left in it', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'atpctl-uploads-')), 'uploads')
    try {
      prepareUploadDir(dir)
      expect(statSync(dir).mode & 0o777).toBe(0o700)
      writeFileSync(join(dir, 'upload-1-abc.ndjson'), '{}\n')
      writeFileSync(join(dir, 'keep.txt'), 'not ours')
      prepareUploadDir(dir)
      expect(existsSync(join(dir, 'upload-1-abc.ndjson'))).toBe(false)
      expect(readdirSync(dir)).toEqual(['keep.txt'])
    } finally {
      rmSync(dirname(dir), {recursive: true, force: true})
    }
  })
})

describe('reading a received upload back', () => {
  it('yields each record checked against the route schema, and names the line of the first bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atpctl-upload-read-'))
    try {
      const file = join(dir, 'upload-x.ndjson')
      const items = records(3000)
      writeFileSync(file, [...ndjsonChunks(items)].join('') + '\n\n')
      expect([...checkedRecords(file, DEVICE_RECORD, 4096)]).toEqual(items)
      writeFileSync(file, [...ndjsonChunks(items.slice(0, 2000))].join('') + JSON.stringify({...items[0], multiSession: 'yes'}) + '\n')
      expect(() => [...checkedRecords(file, DEVICE_RECORD, 4096)]).toThrow("line 2001 of the body: device 'host-000000': /multiSession must be boolean")
      expect(() => [...checkedRecords(file, DEVICE_RECORD, 100)]).toThrow('line 1 of the body: longer than 100 characters')
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
