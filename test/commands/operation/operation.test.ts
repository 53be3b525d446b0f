import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import DeviceImport from '../../../src/commands/device/import.js'
import DeviceOffboard from '../../../src/commands/device/offboard.js'
import Init from '../../../src/commands/init.js'
import IntegrationEnable from '../../../src/commands/integration/enable.js'
import OperationList from '../../../src/commands/operation/list.js'
import OperationShow from '../../../src/commands/operation/show.js'
import OperationWait from '../../../src/commands/operation/wait.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand} from '../../helpers/command.js'

describe('device offboard and operation list / show / wait (command layer; issue 11 item 5, issue 12)', () => {
  const {home, cleanup} = tempHome()
  const saved = process.env.ATPCTL_HOME
  const recent = new Date(Date.now() - 3_600_000).toISOString()
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await runCommand(Init, ['--location', 'us', '--json'])
    writeFileSync(
      join(home, 'inv.csv'),
      'name,os,version,managedBy,environment,subscription,lastSeen\n' +
        `arc-01,Windows Server 2019,10.0.17763,defender-for-cloud,azure-arc,sub-1,${recent}\n` +
        `arc-02,Windows Server 2022,10.0.20348,defender-for-cloud,azure-arc,sub-1,${recent}\n` +
        `arc-lnx,Ubuntu 22.04,,defender-for-cloud,azure-arc,sub-1,${recent}\n`,
    )
    await runCommand(DeviceImport, [join(home, 'inv.csv'), '--json'])
    await runCommand(IntegrationEnable, ['defender-for-cloud', '--subscription', 'sub-1', '--json'])
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved
    cleanup()
  })

  it('needs --comment (exit 2); --dry-run shows the table and sends nothing (exit 0)', async () => {
    expect((await runCommand(DeviceOffboard, ['arc-01'])).error?.oclif?.exit).toBe(2)
    const {stdout, error, result} = await runCommand(DeviceOffboard, ['arc-01', 'arc-lnx', '--comment', 'test', '--dry-run'])
    expect(error).toBeUndefined()
    expect(stdout).toMatch(/^DEVICE\s+RESULT\s+WHY\s+OPERATION$/m)
    expect(stdout).toMatch(/arc-lnx\s+refused\s+Device 'arc-lnx' runs Ubuntu 22.04/)
    expect(stdout).toContain('Dry run, nothing sent: 1 would be offboarded, 1 refused.')
    expect(result!.summary).toMatchObject({'would-offboard': 1, refused: 1})
    expect(JSON.parse((await runCommand(OperationList, ['--json'])).stdout).operations).toEqual([])
  })

  it('offboards from arguments and --from-file; a refusal is exit 4 and the --json document keeps every machine; no progress bar without a terminal', async () => {
    writeFileSync(join(home, 'leavers.txt'), '# leaving\narc-02\narc-lnx  # cannot\n')
    const {stdout, stderr, error} = await runCommand(DeviceOffboard, ['ARC-01', '--from-file', join(home, 'leavers.txt'), '--comment', 'refresh', '--json'])
    expect(error?.oclif?.exit).toBe(4)
    const doc = JSON.parse(stdout)
    expect(doc.error).toMatchObject({code: 'OFFBOARD_REFUSED', exitCode: 4, message: '2 of 3 device(s) offboarded; 1 refused (arc-lnx).'})
    expect(doc.results.map((r: {device: string; outcome: string}) => [r.device, r.outcome])).toEqual([
      ['arc-01', 'offboarded'],
      ['arc-02', 'offboarded'],
      ['arc-lnx', 'refused'],
    ])
    expect(doc.journal).toBe(join(home, 'journals', 'offboard-default.json'))
    expect(stderr).toBe('')
  })

  it('a rerun sends nothing again; `--wait` alone is the default wait, --no-wait is accepted; exit 0 when all are done', async () => {
    const {result, error, stdout} = await runCommand(DeviceOffboard, ['arc-01', 'arc-02', '--comment', 'refresh', '--wait'])
    expect(error).toBeUndefined()
    expect(stdout).toContain('2 device(s): 2 already offboarded.')
    expect((await runCommand(DeviceOffboard, ['arc-01', '--comment', 'refresh', '--no-wait', '--json'])).result!.results[0].outcome).toBe('already-offboarded')
    expect((await runCommand(DeviceOffboard, ['arc-01', '--comment', 'x', '--wait', '--no-wait'])).error?.oclif?.exit).toBe(2)
    expect((await runCommand(DeviceOffboard, ['arc-01', '--comment', 'x', '--wait', '30'])).error?.oclif?.exit).toBe(2)
    expect(result!.summary['already-offboarded']).toBe(2)
  })

  it('lists, shows and waits for operations; unknown id exit 3; bad --timeout exit 2', async () => {
    const {result: listed, stdout, stderr} = await runCommand(OperationList, ['--kind', 'device.offboard', '--limit', '1'])
    expect(stdout).toMatch(/^ID\s+KIND\s+STATUS\s+TARGET\s+STARTED\s+FINISHED$/m)
    expect(stderr).toMatch(/more operations not shown/)
    expect(listed).toBeDefined()
    expect(stdout.trim().split('\n')).toHaveLength(2)
    const {stdout: allJson} = await runCommand(OperationList, ['--status', 'succeeded', '--json'])
    const operations = JSON.parse(allJson).operations as {id: string; target: string}[]
    expect(operations.map((o) => o.target)).toEqual(['arc-02', 'arc-01'])
    const id = operations[1].id
    const {result: shown, stdout: shownText} = await runCommand(OperationShow, [id])
    expect(shown!.operation).toMatchObject({id, kind: 'device.offboard', status: 'succeeded', result: {device: 'arc-01', comment: 'refresh'}})
    expect(shownText).toMatch(/Status:\s+succeeded/)
    expect((await runCommand(OperationWait, [id, '--timeout', '1s', '--json'])).result!.operation.status).toBe('succeeded')
    expect((await runCommand(OperationShow, ['nope'])).error?.oclif?.exit).toBe(3)
    expect((await runCommand(OperationWait, ['nope'])).error?.oclif?.exit).toBe(3)
    expect((await runCommand(OperationWait, [id, '--timeout', 'soon'])).error?.oclif?.exit).toBe(2)
    expect((await runCommand(OperationList, ['--status', 'sleeping'])).error?.oclif?.exit).toBe(2)
  })
})
