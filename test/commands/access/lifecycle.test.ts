import AccessPolicyCreate from '../../../src/commands/access/policy/create.js'
import AccessPolicyDelete from '../../../src/commands/access/policy/delete.js'
import AccessPolicyDisable from '../../../src/commands/access/policy/disable.js'
import AccessPolicyList from '../../../src/commands/access/policy/list.js'
import AccessPolicyShow from '../../../src/commands/access/policy/show.js'
import AccessPolicyUpdate from '../../../src/commands/access/policy/update.js'
import GroupCreate from '../../../src/commands/group/create.js'
import Init from '../../../src/commands/init.js'
import IntegrationEnable from '../../../src/commands/integration/enable.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand} from '../../helpers/command.js'

// Issue 11 items 4 and 8 for conditional access policies (IN8, IN3).
describe('access policy create/show/update/delete lifecycle', () => {
  const {home, cleanup} = tempHome()
  const saved = process.env.ATPCTL_HOME
  const create = (...extra: string[]) => runCommand(AccessPolicyCreate, ['--name', 'Staff apps', '--include-group', 'Staff', '--app', 'sharepoint', '--client', 'browser', ...extra])
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await runCommand(Init, ['--location', 'us', '--json'])
    await runCommand(IntegrationEnable, ['intune', '--windows', '--json'])
    await runCommand(GroupCreate, ['Staff'])
    await runCommand(GroupCreate, ['Break glass'])
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved
    cleanup()
  })

  it('the same create again is changed: false; other settings are exit 4 CONFLICT', async () => {
    await create('--json')
    const again = await create('--json')
    expect(again.error).toBeUndefined()
    expect(again.result?.changed).toBe(false)
    const conflict = await create('--disabled', '--json')
    expect(conflict.error?.oclif?.exit).toBe(4)
    expect(JSON.parse(conflict.stdout).error).toMatchObject({code: 'CONFLICT', message: expect.stringContaining('enabled: yes (requested no)')})
  })

  it('show and update: lists given replace, --no-exclude-groups clears; the classic policy is refused', async () => {
    await create()
    expect((await runCommand(AccessPolicyShow, ['staff apps'])).stdout).toMatch(/Cloud apps:\s+sharepoint/)
    const updated = await runCommand(AccessPolicyUpdate, ['Staff apps', '--exclude-group', 'break glass', '--app', 'sharepoint', '--app', 'exchange', '--json'])
    expect(updated.result).toMatchObject({changed: true, policy: {excludeGroups: ['Break glass'], apps: ['sharepoint', 'exchange'], includeGroups: ['Staff']}})
    const same = await runCommand(AccessPolicyUpdate, ['Staff apps', '--app', 'exchange', '--app', 'sharepoint'])
    expect(same.stdout).toContain("Conditional access policy 'Staff apps' already has these settings; unchanged.")
    const cleared = await runCommand(AccessPolicyUpdate, ['Staff apps', '--no-exclude-groups', '--json'])
    expect(cleared.result?.policy.excludeGroups).toEqual([])
    expect((await runCommand(AccessPolicyUpdate, ['Staff apps', '--exclude-group', 'all'])).error?.oclif?.exit).toBe(2)
    const classic = JSON.parse((await runCommand(AccessPolicyList, ['--json'])).stdout).policies[0]
    const refused = await runCommand(AccessPolicyUpdate, [classic.id, '--app', 'all', '--json'])
    expect(refused.error?.oclif?.exit).toBe(4)
    expect(refused.stdout).toContain('"code": "REFUSED_IN3"')
  })

  it('delete asks while enabled, not when disabled; the classic policy stays refused with --yes', async () => {
    await create()
    const refused = await runCommand(AccessPolicyDelete, ['Staff apps'])
    expect(refused.error?.oclif?.exit).toBe(2)
    expect(refused.stderr).toContain("which is in use (it is enabled and requires a compliant device for 'Staff' on 'sharepoint'")
    await runCommand(AccessPolicyDisable, ['Staff apps'])
    const deleted = await runCommand(AccessPolicyDelete, ['Staff apps', '--json'])
    expect(deleted.result).toMatchObject({changed: true, affects: []})
    const classic = JSON.parse((await runCommand(AccessPolicyList, ['--json'])).stdout).policies[0]
    expect((await runCommand(AccessPolicyDelete, [classic.name, '--yes'])).error?.oclif?.exit).toBe(4)
  })
})
