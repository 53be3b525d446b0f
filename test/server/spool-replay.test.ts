import {join} from 'node:path'
import {openLocalBackend} from '../../src/backends/local/index.js'
import {eicarBytes} from '../../src/core/detect/eicar.js'
import {openServedBackend} from '../../src/server/served-backend.js'
import {openSpool, startDrainer} from '../../src/server/spool.js'
import {tempHome} from '../helpers/cli.js'

const EICAR_B64 = eicarBytes().toString('base64')
const file = (device: string, name: string) => ({device, fileName: name, path: `/w/${name}`, contentBase64: EICAR_B64})

// Issue 15, item 14: a server killed after turning spooled events into alerts but before
// deleting them from the spool replays them at the next start; more than 60 s later the
// duplicate check no longer caught that, and every replayed file raised a second alert.
describe('spool processing is idempotent per event id', () => {
  it('a replay after a crash, minutes later, raises no alert twice and reports no heartbeat twice', async () => {
    const {home, cleanup} = tempHome('atpctl-replay-')
    const dbPath = join(home, 'tenant.db')
    let now = new Date('2026-12-01T10:00:00Z')
    const clock = () => now
    const setup = await openLocalBackend(dbPath, {profile: 'server', actor: 'test', now: clock})
    await setup.tenant.create({location: 'us', datacenter: 'EastUs3'})
    await setup.integrations.setThirdParty('sentinelone', true)
    const tokenId = (await setup.tokens.mint({provider: 'sentinelone', ttlMs: 3_600_000})).id
    await setup.close()

    const spool = await openSpool(join(home, 'sensor-spool.db'))
    const errors: string[] = []
    const served = await openServedBackend(dbPath, 'server', {now: clock})
    await served.sensor.register({name: 'lnx-1', os: 'Ubuntu 22.04', provider: 'sentinelone'})
    for (let i = 0; i < 5; i++) spool.enqueue('file', 'sentinelone', tokenId, file('lnx-1', `e-${i}.com`))
    spool.enqueue('heartbeat', 'sentinelone', tokenId, {name: 'lnx-1', os: 'Ubuntu 24.04', version: null})
    // The first run processes everything and is killed before it deletes anything from the spool.
    const first = startDrainer({spool, ingest: (events) => served.sensor.ingest(spool.id, events), onError: (m) => errors.push(m), onProcessed: () => {}, batch: 4})
    await first.flush()
    const alertsAfterFirst = (await served.backend.alerts.list({device: 'lnx-1'})).items
    expect(alertsAfterFirst).toHaveLength(5)
    const reportsAfterFirst = (await served.backend.audit.list({operation: 'device.sensor-report'})).items.length
    await served.backend.close()
    expect(spool.size()).toBe(6)

    // The next start, two minutes later (past the 60 s window of the duplicate-file check).
    now = new Date(now.getTime() + 120_000)
    const again = await openServedBackend(dbPath, 'server', {now: clock})
    const second = startDrainer({spool, ingest: (events) => again.sensor.ingest(spool.id, events), onError: (m) => errors.push(m)})
    await second.flush()
    expect(spool.size()).toBe(0)
    expect((await again.backend.alerts.list({device: 'lnx-1'})).items.map((a) => a.id).sort()).toEqual(alertsAfterFirst.map((a) => a.id).sort())
    expect((await again.backend.audit.list({operation: 'device.sensor-report'})).items.length).toBe(reportsAfterFirst)

    // A new event after the replay is still processed.
    spool.enqueue('file', 'sentinelone', tokenId, file('lnx-1', 'later.com'))
    await startDrainer({spool, ingest: (events) => again.sensor.ingest(spool.id, events), onError: (m) => errors.push(m)}).flush()
    expect((await again.backend.alerts.list({device: 'lnx-1'})).items).toHaveLength(6)
    expect(errors).toEqual([])
    await again.backend.close()
    spool.close()
    cleanup()
  })
})
