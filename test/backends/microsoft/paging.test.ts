/**
 * Pages on the microsoft backend (issue 11 item 6 on issue 12's backend): a listing a thousand at
 * a time is served from the API pages of up to 10,000 already read, so 25,000 machines cost three
 * calls; a listing from the start always asks the API again (a poll sees new alerts); the pages
 * together hold every machine once, in the API's order.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {openMicrosoftBackend} from '../../../src/backends/microsoft/index.js'
import {checkMicrosoftSettings} from '../../../src/backends/microsoft/settings.js'
import {listAll, listPages} from '../../../src/core/port/page.js'
import {makeAlert, manyMachines, type MicrosoftStub, startMicrosoftStub, STUB_CLIENT_SECRET} from '../../stub/microsoft/index.js'

let dir: string
let stub: MicrosoftStub
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atpctl-mspaging-'))
  writeFileSync(join(dir, 'secret'), STUB_CLIENT_SECRET + '\n', {mode: 0o600})
  stub = await startMicrosoftStub({budget: {perMinute: 100_000, perHour: 1_000_000}, machines: manyMachines(25_000)})
})
afterAll(async () => {
  await stub.close()
  rmSync(dir, {recursive: true, force: true})
})

const open = () =>
  openMicrosoftBackend({
    settings: checkMicrosoftSettings({tenantId: stub.tenantId, clientId: stub.clientId, secretFile: join(dir, 'secret'), authorityHost: stub.authorityHost, defenderUrl: stub.defenderUrl, graphUrl: stub.graphUrl, armUrl: stub.armUrl, caFile: stub.caFile}),
    context: {profile: 'test', actor: 'test'},
    env: {},
    budget: [{max: 100_000, windowMs: 60_000}],
  })

const machineCalls = () => stub.requests.filter((r) => r.api === 'defender' && r.path.endsWith('/api/machines')).length

describe('microsoft backend pages', () => {
  it('lists 25,000 machines a thousand at a time in three API calls, each once and in order', async () => {
    const backend = open()
    const before = machineCalls()
    const devices = await listAll((page) => backend.devices.list(page), {pageSize: 1000})
    expect(machineCalls() - before).toBe(3)
    expect(devices).toHaveLength(25_000)
    expect(new Set(devices.map((d) => d.name)).size).toBe(25_000)
    expect(devices.map((d) => d.name)).toEqual([...devices.map((d) => d.name)].sort())
    await backend.close()
  })

  it('a listing from the start asks the API again, so a new alert shows', async () => {
    const backend = open()
    const [first] = stub.state.machines
    expect((await backend.alerts.list({limit: 10})).items).toHaveLength(0)
    stub.state.alerts.push(makeAlert(first, {severity: 'Medium'}))
    const again = await listPages((page) => backend.alerts.list(page))
    expect((await again.toArray()).map((a) => a.machineId)).toEqual([first.id])
    await backend.close()
  })
})
