import {captureOutput} from '@oclif/test'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import Init from '../../../src/commands/init.js'
import ProfileList from '../../../src/commands/profile/list.js'
import ProfileRemove from '../../../src/commands/profile/remove.js'
import ProfileUse from '../../../src/commands/profile/use.js'
import Status from '../../../src/commands/status.js'
import {PROJECT_ROOT, tempHome} from '../../helpers/cli.js'

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
    await captureOutput(() => Init.run(['--location', 'us'], PROJECT_ROOT))
    await captureOutput(() => Init.run(['--location', 'eu', '--profile', 'lab'], PROJECT_ROOT))
    const used = await captureOutput(() => ProfileUse.run(['lab', '--json'], PROJECT_ROOT))
    expect(used.result).toEqual({current: 'lab', created: false})
    const status = await captureOutput(() => Status.run(['--json'], PROJECT_ROOT))
    expect(status.result?.tenant.location).toBe('eu')
    const list = await captureOutput(() => ProfileList.run(['--json'], PROJECT_ROOT))
    expect(list.result?.profiles.map((p) => [p.name, p.current])).toEqual([
      ['default', false],
      ['lab', true],
    ])
  })

  it('refuses an unknown profile with exit 3 and a bad name with exit 2', async () => {
    expect((await captureOutput(() => Status.run(['--profile', 'nope'], PROJECT_ROOT))).error?.oclif?.exit).toBe(3)
    expect((await captureOutput(() => Status.run(['--profile', '../etc'], PROJECT_ROOT))).error?.oclif?.exit).toBe(2)
  })

  it('remove needs confirmation, checks --confirm, and deletes the data', async () => {
    expect((await captureOutput(() => ProfileRemove.run(['lab'], PROJECT_ROOT))).error?.oclif?.exit).toBe(2)
    expect((await captureOutput(() => ProfileRemove.run(['lab', '--confirm', 'lbb'], PROJECT_ROOT))).error?.oclif?.exit).toBe(2)
    expect(existsSync(join(home, 'profiles', 'lab', 'tenant.db'))).toBe(true)
    const removed = await captureOutput(() => ProfileRemove.run(['lab', '--confirm', 'lab', '--json'], PROJECT_ROOT))
    expect(removed.result).toEqual({removed: 'lab', current: 'default'})
    expect(existsSync(join(home, 'profiles', 'lab'))).toBe(false)
  })
})
