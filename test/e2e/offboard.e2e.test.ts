import {readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli, tempHome} from '../helpers/cli.js'
import {type ServeProcess, startServe} from '../helpers/serve.js'

const recent = () => new Date(Date.now() - 3_600_000).toISOString()
const inventory = () =>
  'name,os,version,managedBy,environment,subscription,lastSeen\n' +
  `ARC-SRV-01,Windows Server 2019,10.0.17763,defender-for-cloud,azure-arc,sub-e2e,${recent()}\n` +
  `ARC-SRV-02,Windows Server 2022,10.0.20348,defender-for-cloud,azure-arc,sub-e2e,${recent()}\n` +
  `ARC-UBU,Ubuntu 22.04,,defender-for-cloud,azure-arc,sub-e2e,${recent()}\n`

// Issue 12 on the embedded backend and on a served one: three devices, one of them Linux
// (refused with the reason, exit 4), then the same command again changes nothing.
describe.each(['embedded', 'served'] as const)('device offboard end to end on the %s backend (issue 11 item 5, issue 12)', (kind) => {
  const {home, cleanup} = tempHome(`atpctl-e2e-offboard-${kind}-`)
  let server: ServeProcess | undefined
  const profile = kind === 'served' ? ['--profile', 'team'] : []
  const cli = (args: string[]) => runCli([...args, ...profile], {home})

  beforeAll(async () => {
    expect((await runCli(['init', '--location', 'us'], {home})).code).toBe(0)
    if (kind === 'served') {
      expect((await runCli(['apikey', 'create', '--name', 'admin', '--role', 'security-admin', '--out', join(home, 'admin.key')], {home})).code).toBe(0)
      server = await startServe(home)
      expect((await runCli(['init', '--remote', server.url, '--api-key-file', join(home, 'admin.key'), '--profile', 'team'], {home})).code).toBe(0)
    }

    writeFileSync(join(home, 'inv.csv'), inventory())
    expect((await cli(['device', 'import', join(home, 'inv.csv')])).code).toBe(0)
    expect((await cli(['integration', 'enable', 'defender-for-cloud', '--subscription', 'sub-e2e'])).code).toBe(0)
  }, 60_000)

  afterAll(async () => {
    server?.child.kill('SIGTERM')
    await server?.exited
    cleanup()
  })

  it('offboards the two Windows servers, refuses the Linux one with the reason (exit 4), and a rerun is a no-op', async () => {
    const devices = ['ARC-SRV-01', 'ARC-SRV-02', 'ARC-UBU']
    const first = await cli(['device', 'offboard', ...devices, '--comment', 'decommissioned'])
    expect(first.code).toBe(4)
    expect(first.stdout).toMatch(/ARC-SRV-01\s+offboarded/)
    expect(first.stdout).toMatch(/ARC-UBU\s+refused\s+Device 'ARC-UBU' runs Ubuntu 22.04: the offboard action does not offboard Linux or macOS machines\./)
    expect(first.stderr).toContain('Error: 2 of 3 device(s) offboarded; 1 refused (ARC-UBU).')
    expect(first.stderr).not.toMatch(/\bat .*\.js:\d+/)

    const journal = join(home, 'journals', `offboard-${kind === 'served' ? 'team' : 'default'}.json`)
    expect(statSync(journal).mode & 0o777).toBe(0o600)
    expect(statSync(join(home, 'journals')).mode & 0o777).toBe(0o700)
    expect(Object.values(JSON.parse(readFileSync(journal, 'utf8')).machines).map((m) => (m as {state: string}).state)).toEqual(['offboarded', 'offboarded'])

    const operations = (await cli(['operation', 'list', '--json'])).json().operations
    expect(operations.map((o: {kind: string; status: string; target: string}) => [o.kind, o.status, o.target])).toEqual([
      ['device.offboard', 'succeeded', 'ARC-SRV-02'],
      ['device.offboard', 'succeeded', 'ARC-SRV-01'],
    ])

    const rerun = await cli(['device', 'offboard', ...devices, '--comment', 'decommissioned', '--json'])
    expect(rerun.code).toBe(4)
    expect(rerun.json().summary).toMatchObject({total: 3, 'already-offboarded': 2, refused: 1, offboarded: 0})
    expect((await cli(['operation', 'list', '--json'])).json().operations).toHaveLength(2)

    // Without the journal the backend still knows: nothing is sent twice.
    rmSync(journal)
    const withoutJournal = await cli(['device', 'offboard', 'ARC-SRV-01', '--comment', 'again', '--json'])
    expect(withoutJournal.code).toBe(0)
    expect(withoutJournal.json().results).toMatchObject([{outcome: 'already-offboarded', operationId: operations[1].id}])
    expect((await cli(['operation', 'list', '--json'])).json().operations).toHaveLength(2)
    const shown = (await cli(['device', 'show', 'ARC-SRV-01', '--json'])).json().device
    expect(shown).toMatchObject({onboarded: false, health: 'not-onboarded', onboarding: {reasonCode: 'offboarded'}, offboarded: {comment: 'decommissioned'}})

    const waited = await cli(['operation', 'wait', operations[0].id, '--json'])
    expect(waited.code).toBe(0)
    expect(waited.json().operation).toMatchObject({status: 'succeeded', result: {device: 'ARC-SRV-02', comment: 'decommissioned'}})
    expect((await cli(['operation', 'show', 'no-such-operation'])).code).toBe(3)
  }, 60_000)
})
