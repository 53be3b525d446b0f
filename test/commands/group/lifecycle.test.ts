import {AdminCommand} from '../../../src/base/command.js'
import EdrProfileCreate from '../../../src/commands/edr-profile/create.js'
import GroupAdd from '../../../src/commands/group/add.js'
import GroupCreate from '../../../src/commands/group/create.js'
import GroupDelete from '../../../src/commands/group/delete.js'
import GroupShow from '../../../src/commands/group/show.js'
import GroupUpdate from '../../../src/commands/group/update.js'
import Init from '../../../src/commands/init.js'
import type {Prompter} from '../../../src/ui/prompt.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand} from '../../helpers/command.js'
import {onTerminal} from '../../helpers/terminal.js'
import {seedDevices} from '../compliance/seed.js'

// Issue 11 items 4 and 8 for groups: idempotent create, CONFLICT, update, delete asking when in use.
describe('group create/update/delete lifecycle', () => {
  const {home, cleanup} = tempHome()
  const saved = {home: process.env.ATPCTL_HOME, prompter: AdminCommand.prompter}
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await runCommand(Init, ['--location', 'us', '--json'])
    await seedDevices(home, [{name: 'LT-1', os: 'Windows 11', version: '10.0.22631', managedBy: 'intune', groups: 'Pilot'}])
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved.home
    cleanup()
  })
  afterEach(() => {
    AdminCommand.prompter = saved.prompter
    process.exitCode = undefined
  })

  it('the same create again is exit 0 with changed: false; another description is exit 4 CONFLICT', async () => {
    const first = await runCommand(GroupCreate, ['Lab', '--description', 'bench', '--json'])
    expect(first.result).toMatchObject({created: true, changed: true})
    const again = await runCommand(GroupCreate, ['lab', '--description', 'bench'])
    expect(again.error).toBeUndefined()
    expect(again.stdout).toContain("Group 'Lab' already exists; unchanged.")
    const conflict = await runCommand(GroupCreate, ['Lab', '--description', 'other', '--json'])
    expect(conflict.error?.oclif?.exit).toBe(4)
    const body = JSON.parse(conflict.stdout)
    expect(body.error).toMatchObject({code: 'CONFLICT', exitCode: 4})
    expect(body.error.message).toBe("A group named 'Lab' already exists with different settings: description: 'bench' (requested 'other').")
    expect(body.error.suggestions[0]).toBe('Change it: atpctl group update "Lab" …')
  })

  it('update changes the description once; the same again is changed: false', async () => {
    await runCommand(GroupCreate, ['Lab', '--description', 'bench'])
    const updated = await runCommand(GroupUpdate, ['Lab', '--description', 'bench 2', '--json'])
    expect(updated.result).toMatchObject({changed: true, group: {description: 'bench 2'}})
    const same = await runCommand(GroupUpdate, ['lab', '--description', 'bench 2'])
    expect(same.stdout).toContain("Group 'Lab' already has these settings; unchanged.")
    expect((await runCommand(GroupUpdate, ['Nope', '--description', 'x'])).error?.oclif?.exit).toBe(3)
  })

  it('an unused group is deleted without asking, with its explicit members', async () => {
    await runCommand(GroupCreate, ['Temp'])
    await runCommand(GroupAdd, ['Temp', '--user', 'x@contoso.com'])
    const deleted = await runCommand(GroupDelete, ['Temp'])
    expect(deleted.error).toBeUndefined()
    expect(deleted.stdout).toContain("✓ Deleted group 'Temp'.")
    expect((await runCommand(GroupShow, ['Temp'])).error?.oclif?.exit).toBe(3)
  })

  it('a group in use: exit 2 naming --yes without a terminal, and the message says what names it', async () => {
    await runCommand(GroupCreate, ['Assigned'])
    await runCommand(EdrProfileCreate, ['--name', 'EDR assigned', '--assign-user-group', 'Assigned', '--json'])
    const refused = await runCommand(GroupDelete, ['Assigned'])
    expect(refused.error?.oclif?.exit).toBe(2)
    expect(refused.stderr).toContain("Confirmation needed to delete group 'Assigned', which is in use (EDR profile 'EDR assigned' is assigned to it as a user group)")
    expect(refused.stderr).toContain('--yes')
    expect((await runCommand(GroupShow, ['Assigned', '--json'])).result?.group.name).toBe('Assigned')
  })

  it('on a terminal it asks; "no" cancels (130) and changes nothing, "yes" deletes and says what it affected', async () => {
    await runCommand(GroupCreate, ['Assigned'])
    await runCommand(EdrProfileCreate, ['--name', 'EDR assigned', '--assign-user-group', 'Assigned', '--json'])
    const asked: string[] = []
    let answer = false
    AdminCommand.prompter = {
      async confirm(message: string) {
        asked.push(message)
        return answer
      },
    } as unknown as Prompter
    const no = await onTerminal(() => runCommand(GroupDelete, ['Assigned']))
    expect(no.error?.oclif?.exit).toBe(130)
    expect(asked[0]).toMatch(/^Group 'Assigned' is in use: EDR profile 'EDR assigned' is assigned to it as a user group\. .* Delete it anyway\?$/)
    expect((await runCommand(GroupShow, ['Assigned'])).error).toBeUndefined()
    answer = true
    const yes = await onTerminal(() => runCommand(GroupDelete, ['Assigned']))
    expect(yes.error).toBeUndefined()
    expect(yes.stdout).toContain("✓ Deleted group 'Assigned'.\nIt was in use:\n  - EDR profile 'EDR assigned' is assigned to it as a user group")
  })

  it('--yes deletes a group in use at once; --json carries changed and affects', async () => {
    await runCommand(GroupCreate, ['Forced'])
    await runCommand(EdrProfileCreate, ['--name', 'EDR forced', '--assign-device-group', 'Forced', '--json'])
    const deleted = await runCommand(GroupDelete, ['Forced', '--yes', '--json'])
    expect(deleted.result).toEqual({
      group: expect.objectContaining({name: 'Forced'}),
      changed: true,
      affects: ["EDR profile 'EDR forced' is assigned to it as a device group"],
      stillInInventory: false,
    })
  })

  it('a group only the inventory names cannot be deleted (4); one it also names stays listed', async () => {
    const inventoryOnly = await runCommand(GroupDelete, ['Pilot', '--yes'])
    expect(inventoryOnly.error?.oclif?.exit).toBe(4)
    expect(inventoryOnly.stderr).toContain("exists only because the device inventory names it")
    await runCommand(GroupUpdate, ['Pilot', '--description', 'now managed'])
    const deleted = await runCommand(GroupDelete, ['Pilot', '--json'])
    expect(deleted.result).toMatchObject({changed: true, stillInInventory: true})
    expect((await runCommand(GroupShow, ['Pilot', '--json'])).result?.group).toMatchObject({createdAt: null, description: null, devices: 1})
  })
})
