import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import DeviceImport from '../../../src/commands/device/import.js'
import DeviceList from '../../../src/commands/device/list.js'
import Init from '../../../src/commands/init.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand, runJson} from '../../helpers/command.js'

describe('device list: terminal width, --limit and its footer (command layer)', () => {
  const {home, cleanup} = tempHome()
  const saved = process.env.ATPCTL_HOME
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await runCommand(Init, ['--location', 'us', '--json'])
    const rows = Array.from({length: 5}, (_, i) => `very-long-device-name-for-the-test-${i},Windows Server 2019 Datacenter Evaluation,10.0.17763,configmgr;intune;defender-for-cloud`)
    writeFileSync(join(home, 'inv.csv'), `name,os,version,managedBy\n${rows.join('\n')}\n`)
    expect((await runCommand(DeviceImport, [join(home, 'inv.csv'), '--json'])).error).toBeUndefined()
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved
    cleanup()
  })

  async function onTerminalOf(columns: number | undefined, argv: string[]) {
    const saved = {tty: process.stdout.isTTY, columns: process.stdout.columns}
    process.stdout.isTTY = columns !== undefined
    process.stdout.columns = columns as number
    try {
      return await runCommand(DeviceList, argv)
    } finally {
      process.stdout.isTTY = saved.tty
      process.stdout.columns = saved.columns
    }
  }

  it('on a 60-column terminal every line fits, cut with …', async () => {
    const {stdout} = await onTerminalOf(60, [])
    const lines = stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(6)
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60)
    expect(stdout).toContain('…')
  })

  it('piped, rows are whole', async () => {
    const {stdout} = await onTerminalOf(undefined, [])
    expect(stdout).toContain('very-long-device-name-for-the-test-4')
    expect(stdout).toContain('configmgr,intune,defender-for-cloud')
  })

  it('--limit cuts the table, with the one notice on stderr; with --json it cuts the document alike', async () => {
    const {stdout, stderr} = await runCommand(DeviceList, ['--limit', '2'])
    expect(stdout.trimEnd().split('\n')).toHaveLength(3)
    expect(stderr).toContain('… more not shown (this is the first 2); use --limit N to see more, or --json.')
    const {result, stderr: jsonStderr} = await runJson(DeviceList, ['--limit', '2', '--json'])
    expect(result!.devices).toHaveLength(2)
    expect(jsonStderr).toBe('')
    const {stdout: all, stderr: none} = await runCommand(DeviceList, ['--limit', '5'])
    expect(all + none).not.toContain('more not shown')
  })

  it('--name PREFIX lists the devices whose name starts with it, case-insensitively', async () => {
    const {result} = await runJson(DeviceList, ['--name', 'VERY-long-device-name-for-the-test-3', '--json'])
    expect(result!.devices.map((d) => d.name)).toEqual(['very-long-device-name-for-the-test-3'])
    const {result: none} = await runJson(DeviceList, ['--name', 'nope', '--json'])
    expect(none!.devices).toEqual([])
  })
})
