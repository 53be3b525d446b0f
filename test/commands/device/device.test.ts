import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import DeviceImport from '../../../src/commands/device/import.js'
import DeviceList from '../../../src/commands/device/list.js'
import DeviceShow from '../../../src/commands/device/show.js'
import Init from '../../../src/commands/init.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand, runJson} from '../../helpers/command.js'

describe('device import / list / show (command layer)', () => {
  const {home, cleanup} = tempHome()
  const saved = process.env.ATPCTL_HOME
  const recent = new Date(Date.now() - 3_600_000).toISOString()
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await runCommand(Init, ['--location', 'us', '--json'])
    writeFileSync(
      join(home, 'inv.csv'),
      `Name,Operating System,Device OS Build,Client,Collections,Primary User(s),Last Activity Time\n` +
        `cm-01,Microsoft Windows NT Workstation 10.0,10.0.19045,Yes,Pilot,ann@contoso.com,${recent}\n` +
        `cm-02,Microsoft Windows NT Server 6.3,6.3.9600,Yes,Pilot,,${recent}\n` +
        `"cm,03",Microsoft Windows NT Server 10.0,10.0.17763,No,,,\n`,
    )
    writeFileSync(join(home, 'inv.json'), JSON.stringify({devices: [{name: 'j-1', os: 'macOS 14.4', managedBy: ['third-party:bitdefender'], groups: ['Design', 'Mac']}]}))
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved
    cleanup()
  })

  it('imports a ConfigMgr console export (Client column, NT versions) and prints a summary; no progress bar without a terminal', async () => {
    const {result, stdout, stderr, error} = await runCommand(DeviceImport, [join(home, 'inv.csv')])
    expect(error).toBeUndefined()
    expect(result).toMatchObject({format: 'csv', summary: {total: 3, created: 3, collectionsCreated: ['Pilot']}})
    expect(stdout).toMatch(/Imported 3 device\(s\).*3 new, 0 updated/)
    expect(stderr).toBe('')
  })

  it('imports JSON and keeps user/groups (read by Intune)', async () => {
    const {result} = await runCommand(DeviceImport, [join(home, 'inv.json'), '--json'])
    expect(result!.summary.created).toBe(1)
    const {result: shown} = await runCommand(DeviceShow, ['J-1', '--json'])
    expect(shown!.device).toMatchObject({osFamily: 'macos', groups: ['Design', 'Mac'], managedBy: ['third-party:bitdefender'], thirdPartyProvider: 'bitdefender'})
  })

  it('classifies ConfigMgr NT names by build and filters the list', async () => {
    const {result} = await runJson(DeviceList, ['--collection', 'pilot', '--json'])
    expect(result!.devices.map((d) => [d.name, d.osName, d.level, d.user])).toEqual([
      ['cm-01', 'Windows 10 22H2', 'up-level', 'ann@contoso.com'],
      ['cm-02', 'Windows Server 2012 R2', 'down-level', null],
    ])
    const {result: servers} = await runJson(DeviceList, ['--family', 'windows-server', '--level', 'up-level', '--json'])
    expect(servers!.devices.map((d) => [d.name, d.managedBy, d.lastSeen])).toEqual([['cm,03', [], null]])
    const {stdout} = await runCommand(DeviceList, ['--health', 'not-onboarded', '--limit', '1'])
    expect(stdout.split('\n')[0]).toMatch(/^NAME\s+OS\s+LEVEL\s+MANAGED BY\s+ONBOARDED\s+HEALTH$/)
  })

  it('refuses duplicate names (case-insensitive), a short row and a broken quote, with line numbers (exit 7)', async () => {
    writeFileSync(join(home, 'dup.csv'), 'name,os\nx-1,Windows 11 Pro\nX-1,Windows 11 Pro\nx-2\n')
    const {error, stderr} = await runCommand(DeviceImport, [join(home, 'dup.csv')])
    expect(error?.oclif?.exit).toBe(7)
    expect(stderr).toMatch(/line 3: device 'X-1' is already on line 2; line 4: expected 2 fields like the header, found 1/)
    writeFileSync(join(home, 'quote.csv'), 'name,os\n"x-3,Windows 11 Pro\n')
    const {error: quote, stderr: quoteErr} = await runCommand(DeviceImport, [join(home, 'quote.csv')])
    expect(quote?.oclif?.exit).toBe(7)
    expect(quoteErr).toMatch(/line 2: a quoted field is never closed/)
    expect((await runCommand(DeviceShow, ['x-1'])).error?.oclif?.exit).toBe(3)
  })

  it('exit codes: unknown device 3, unknown collection 3, missing file 3, a directory 2, bad period 2', async () => {
    expect((await runCommand(DeviceShow, ['ghost'])).error?.oclif?.exit).toBe(3)
    expect((await runCommand(DeviceList, ['--collection', 'ghost'])).error?.oclif?.exit).toBe(3)
    expect((await runCommand(DeviceImport, [join(home, 'nope.csv')])).error?.oclif?.exit).toBe(3)
    const directory = await runCommand(DeviceImport, [home])
    expect(directory.error?.oclif?.exit).toBe(2)
    expect(directory.stderr).toMatch(/is a directory, not an inventory file/)
    expect((await runCommand(DeviceList, ['--period', 'soon'])).error?.oclif?.exit).toBe(2)
  })
})
