import {openRemoteBackend} from '../../src/backends/remote/index.js'
import {SERVER_MAX_PAGE} from '../../src/backends/remote/operations.js'
import {normaliseRow} from '../../src/core/device/inventory.js'
import {listAll} from '../../src/core/port/page.js'
import {startTestServer, type TestServer} from './helpers.js'

const DEVICES = 2500
const name = (i: number) => `page-${String(i).padStart(5, '0')}`

// Issue 11 item 6: the server answers at most SERVER_MAX_PAGE items a request; the remote
// client follows cursors to give a caller the limit it asked for.
describe('pages through atpctl serve', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer()
    await s.direct((b) => b.devices.import({records: Array.from({length: DEVICES}, (_, i) => normaliseRow({name: name(i), os: 'Ubuntu 22.04', managedBy: 'defender-for-cloud'}, i + 2))}))
  }, 60_000)
  afterAll(async () => s?.cleanup())

  it('a list route caps the page at SERVER_MAX_PAGE and answers {items, nextCursor}', async () => {
    const page = await s.request('GET', `/v1/devices?limit=${DEVICES}`, {auth: s.keys.reader})
    expect(page.status).toBe(200)
    expect(page.body.result.items).toHaveLength(SERVER_MAX_PAGE)
    expect(typeof page.body.result.nextCursor).toBe('string')
    const next = await s.request('GET', `/v1/devices?limit=2&cursor=${page.body.result.nextCursor}`, {auth: s.keys.reader})
    expect(next.body.result.items.map((d: {name: string}) => d.name)).toEqual([name(SERVER_MAX_PAGE), name(SERVER_MAX_PAGE + 1)])
    const bad = await s.request('GET', '/v1/devices?cursor=%21%21', {auth: s.keys.reader})
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatchObject({code: 'USAGE', exitCode: 2})
    expect((await s.request('GET', '/v1/devices?limit=0', {auth: s.keys.reader})).body.error.exitCode).toBe(2)
  })

  it('the remote client follows pages up to the limit asked, and listAll gets every device once', async () => {
    const remote = openRemoteBackend({url: s.url, apiKey: s.keys.reader})
    try {
      const some = await remote.devices.list({limit: 1200})
      expect(some.items.map((d) => d.name)).toEqual(Array.from({length: 1200}, (_, i) => name(i)))
      expect(some.nextCursor).not.toBeNull()
      const rest = await remote.devices.list({limit: DEVICES, cursor: some.nextCursor!})
      expect(rest.items.map((d) => d.name)).toEqual(Array.from({length: DEVICES - 1200}, (_, i) => name(1200 + i)))
      expect(rest.nextCursor).toBeNull()
      const all = await listAll((page) => remote.devices.list(page))
      expect(new Set(all.map((d) => d.name)).size).toBe(DEVICES)
    } finally {
      await remote.close()
    }
  }, 60_000)
})
