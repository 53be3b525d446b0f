import {join} from 'node:path'
import {openLocalBackend} from '../../src/backends/local/index.js'
import {eicarBytes} from '../../src/core/detect/eicar.js'
import {startServer} from '../../src/server/run.js'
import {openSpool} from '../../src/server/spool.js'
import {tempHome} from '../helpers/cli.js'

const EICAR_B64 = eicarBytes().toString('base64')
const BACKLOG = 3000

// Issue 15, item 11: after SIGTERM with a large backlog the server neither stopped nor got the
// queue smaller. close() now ends once its grace period is over, keeping what it did not
// process in the spool, and the next start processes exactly that.
describe('shutdown with a backlog', () => {
  it('stops at the end of the grace period, keeps the unprocessed events in the spool, and the next start processes each once', async () => {
    const {home, cleanup} = tempHome('atpctl-shutdown-')
    const dbPath = join(home, 'tenant.db')
    const setup = await openLocalBackend(dbPath, {profile: 'server', actor: 'test'})
    await setup.tenant.create({location: 'us', datacenter: 'EastUs3'})
    await setup.integrations.setThirdParty('sentinelone', true)
    const tokenId = (await setup.tokens.mint({provider: 'sentinelone', ttlMs: 3_600_000})).id
    await setup.devices.reportFromSensor({name: 'lnx-1', os: 'Ubuntu 22.04', provider: 'sentinelone'})
    await setup.close()
    // What a busy fleet left acknowledged in the spool.
    const spool = await openSpool(join(home, 'sensor-spool.db'))
    for (let i = 0; i < BACKLOG; i++) spool.enqueue('file', 'sentinelone', tokenId, {device: 'lnx-1', fileName: `e-${i}.com`, path: `/w/e-${i}.com`, contentBase64: EICAR_B64})
    spool.close()

    const errors: string[] = []
    const options = {databasePath: dbPath, profile: 'server', host: '127.0.0.1', port: 0, rateLimit: 0, errorLog: (m: string) => errors.push(m)}
    const server = await startServer({...options, shutdownGraceMs: 0})
    await server.close()
    const alerted = async () => {
      const b = await openLocalBackend(dbPath, {profile: 'server', actor: 'test'})
      try {
        return (await b.alerts.list({device: 'lnx-1'})).items.map((a) => a.evidence[0].fileName!)
      } finally {
        await b.close()
      }
    }

    const left = await openSpool(join(home, 'sensor-spool.db'))
    const waiting = left.peek(BACKLOG).map((e) => String(e.body.fileName))
    left.close()
    const done = await alerted()
    // The grace period ended long before 3,000 events were processed; none is lost or doubled.
    expect(waiting.length).toBeGreaterThan(0)
    expect(done.length + waiting.length).toBe(BACKLOG)
    expect(new Set([...done, ...waiting]).size).toBe(BACKLOG)

    const restarted = await startServer(options)
    await restarted.close()
    const all = await alerted()
    expect(all).toHaveLength(BACKLOG)
    expect(new Set(all).size).toBe(BACKLOG)
    expect(errors).toEqual([])
    cleanup()
  }, 60_000)
})
