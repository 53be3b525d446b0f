import AccessPolicyCreate from '../../../src/commands/access/policy/create.js'
import ComplianceCreate from '../../../src/commands/compliance/create.js'
import ComplianceDelete from '../../../src/commands/compliance/delete.js'
import ComplianceShow from '../../../src/commands/compliance/show.js'
import ComplianceUpdate from '../../../src/commands/compliance/update.js'
import GroupCreate from '../../../src/commands/group/create.js'
import Init from '../../../src/commands/init.js'
import IntegrationEnable from '../../../src/commands/integration/enable.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand} from '../../helpers/command.js'
import {seedDevices} from './seed.js'

// Issue 11 items 4 and 8 for compliance policies (IN7): show, update, delete while in use.
describe('compliance show/update/delete', () => {
  const {home, cleanup} = tempHome()
  const saved = process.env.ATPCTL_HOME
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await runCommand(Init, ['--location', 'us', '--json'])
    await runCommand(IntegrationEnable, ['intune', '--windows', '--json'])
    await seedDevices(home, [{name: 'LT-1', os: 'Windows 11', version: '10.0.22631', managedBy: 'intune', groups: 'Finance'}])
    await runCommand(GroupCreate, ['Finance'])
    await runCommand(ComplianceCreate, ['--name', 'Baseline', '--platform', 'windows', '--max-risk', 'low', '--json'])
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved
    cleanup()
  })

  it('show, then update what is passed; the same again is changed: false; bad values are refused', async () => {
    const show = await runCommand(ComplianceShow, ['baseline'])
    expect(show.stdout).toMatch(/Assigned to:\s+all devices of the platform/)
    const updated = await runCommand(ComplianceUpdate, ['Baseline', '--max-risk', 'medium', '--assign-group', 'finance', '--json'])
    expect(updated.result).toMatchObject({changed: true, policy: {maxRisk: 'medium', assignGroup: 'Finance', platform: 'windows'}})
    const same = await runCommand(ComplianceUpdate, ['Baseline', '--max-risk', 'medium'])
    expect(same.stdout).toContain("Compliance policy 'Baseline' already has these settings; unchanged.")
    expect((await runCommand(ComplianceUpdate, ['Baseline', '--assign-group', 'Nope'])).error?.oclif?.exit).toBe(3)
    expect((await runCommand(ComplianceUpdate, ['Baseline', '--max-risk', 'extreme'])).error?.oclif?.exit).toBe(2)
    expect((await runCommand(ComplianceUpdate, ['Baseline', '--assign-group', 'Finance', '--all-devices'])).error?.oclif?.exit).toBe(2)
    expect((await runCommand(ComplianceShow, ['Nope'])).error?.oclif?.exit).toBe(3)
  })

  it('delete of a policy that decides compliance names the devices and the access policies relying on it', async () => {
    await runCommand(AccessPolicyCreate, ['--name', 'Require compliant', '--include-group', 'all', '--app', 'all', '--json'])
    const refused = await runCommand(ComplianceDelete, ['Baseline'])
    expect(refused.error?.oclif?.exit).toBe(2)
    expect(refused.stderr).toContain(
      "which is in use (it decides the compliance of 1 device(s): LT-1; enabled conditional access policy 'Require compliant' requires a compliant device)",
    )
    const deleted = await runCommand(ComplianceDelete, ['Baseline', '--yes', '--json'])
    expect(deleted.result).toMatchObject({changed: true, policy: {name: 'Baseline'}})
    expect(deleted.result?.affects).toHaveLength(2)
    expect((await runCommand(ComplianceShow, ['Baseline'])).error?.oclif?.exit).toBe(3)
  })
})
