import GroupAdd from '../../../src/commands/group/add.js'
import GroupCreate from '../../../src/commands/group/create.js'
import GroupList from '../../../src/commands/group/list.js'
import GroupRemove from '../../../src/commands/group/remove.js'
import GroupShow from '../../../src/commands/group/show.js'
import Init from '../../../src/commands/init.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand, runJson} from '../../helpers/command.js'
import {seedDevices} from '../compliance/seed.js'

describe('group commands (assignment targets for IN4, IN7, IN8)', () => {
  const {home, cleanup} = tempHome()
  const saved = process.env.ATPCTL_HOME
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await runCommand(Init, ['--location', 'us', '--json'])
    await seedDevices(home, [{name: 'LT-1', os: 'Windows 11', version: '10.0.22631', managedBy: 'intune', groups: 'Pilot;Finance'}])
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved
    cleanup()
  })

  it('inventory groups are listed without being created; an explicit member makes them managed', async () => {
    const before = await runJson(GroupList, ['--json'])
    expect(before.result?.groups).toEqual([
      {name: 'Finance', description: null, createdAt: null, devices: 1, users: 0},
      {name: 'Pilot', description: null, createdAt: null, devices: 1, users: 0},
    ])
    const added = await runCommand(GroupAdd, ['pilot', '--user', 'eve@contoso.com', '--json'])
    expect(added.result?.group).toMatchObject({name: 'Pilot', users: 1, devices: 1})
    expect(added.result?.group.createdAt).not.toBeNull()
    const human = await runCommand(GroupList, [])
    expect(human.stdout).toMatch(/Pilot\s+1\s+1\s+atpctl/)
    expect(human.stdout).toMatch(/Finance\s+1\s+0\s+inventory/)
  })

  it('remove takes explicit members out; inventory memberships stay', async () => {
    await runCommand(GroupCreate, ['Lab'])
    await runCommand(GroupAdd, ['Lab', '--device', 'lt-1', '--user', 'x@contoso.com'])
    const removed = await runCommand(GroupRemove, ['Lab', '--device', 'LT-1', '--user', 'x@contoso.com', '--json'])
    expect(removed.result).toMatchObject({removed: 2, group: {devices: 0, users: 0, members: []}})
    const pilot = await runCommand(GroupRemove, ['Pilot', '--device', 'LT-1', '--json'])
    expect(pilot.result?.removed).toBe(0)
    expect((await runCommand(GroupShow, ['Pilot', '--json'])).result?.group.members).toEqual([
      {kind: 'device', member: 'LT-1', source: 'inventory'},
      {kind: 'user', member: 'eve@contoso.com', source: 'explicit'},
    ])
  })

  it("refuses 'all' and empty names (2), and nothing to add (2)", async () => {
    expect((await runCommand(GroupCreate, ['all'])).error?.oclif?.exit).toBe(2)
    expect((await runCommand(GroupAdd, ['Lab'])).error?.oclif?.exit).toBe(2)
  })
})
