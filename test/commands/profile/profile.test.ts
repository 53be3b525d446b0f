import {existsSync} from 'node:fs'
import {join} from 'node:path'
import Init from '../../../src/commands/init.js'
import ProfileList from '../../../src/commands/profile/list.js'
import ProfileRemove from '../../../src/commands/profile/remove.js'
import ProfileUse from '../../../src/commands/profile/use.js'
import Status from '../../../src/commands/status.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand} from '../../helpers/command.js'

describe('profile list / use / remove', () => {
  const {home, cleanup} = tempHome()
  const saved = process.env.ATPCTL_HOME
  beforeAll(() => {
    process.env.ATPCTL_HOME = home
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved
    cleanup()
  })

  it('keeps one tenant per profile and switches the current one', async () => {
    await runCommand(Init, ['--location', 'us'])
    await runCommand(Init, ['--location', 'eu', '--profile', 'lab'])
    const used = await runCommand(ProfileUse, ['lab', '--json'])
    expect(used.result).toEqual({current: 'lab', created: false})
    const status = await runCommand(Status, ['--json'])
    expect(status.result?.tenant?.location).toBe('eu')
    const list = await runCommand(ProfileList, ['--json'])
    expect(list.result?.profiles.map((p) => [p.name, p.current])).toEqual([
      ['default', false],
      ['lab', true],
    ])
  })

  it('refuses an unknown profile with exit 3 and a bad name with exit 2', async () => {
    expect((await runCommand(Status, ['--profile', 'nope'])).error?.oclif?.exit).toBe(3)
    expect((await runCommand(Status, ['--profile', '../etc'])).error?.oclif?.exit).toBe(2)
  })

  it('remove needs confirmation, checks --confirm, and deletes the data', async () => {
    expect((await runCommand(ProfileRemove, ['lab'])).error?.oclif?.exit).toBe(2)
    expect((await runCommand(ProfileRemove, ['lab', '--confirm', 'lbb'])).error?.oclif?.exit).toBe(2)
    expect(existsSync(join(home, 'profiles', 'lab', 'tenant.db'))).toBe(true)
    const removed = await runCommand(ProfileRemove, ['lab', '--confirm', 'lab', '--json'])
    expect(removed.result).toEqual({removed: 'lab', current: 'default'})
    expect(existsSync(join(home, 'profiles', 'lab'))).toBe(false)
  })
})
