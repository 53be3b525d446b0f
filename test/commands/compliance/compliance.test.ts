import ComplianceCreate from '../../../src/commands/compliance/create.js'
import ComplianceEvaluate from '../../../src/commands/compliance/evaluate.js'
import ComplianceList from '../../../src/commands/compliance/list.js'
import GroupAdd from '../../../src/commands/group/add.js'
import GroupCreate from '../../../src/commands/group/create.js'
import GroupList from '../../../src/commands/group/list.js'
import GroupShow from '../../../src/commands/group/show.js'
import Init from '../../../src/commands/init.js'
import IntegrationEnable from '../../../src/commands/integration/enable.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand, runJson} from '../../helpers/command.js'
import {seedDevices} from './seed.js'


describe('group and compliance commands (IN7, IN2)', () => {
  const {home, cleanup} = tempHome()
  const saved = process.env.ATPCTL_HOME
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await runCommand(Init, ['--location', 'us', '--json'])
    await runCommand(IntegrationEnable, ['intune', '--windows', '--android', '--json'])
    await seedDevices(home, [
      {name: 'FIN-LT-001', os: 'Windows 10 Enterprise', version: '10.0.19045', managedBy: 'intune', user: 'alice@contoso.com', groups: 'Finance'},
      {name: 'OLD-LT-1', os: 'Windows 10', version: '1607', managedBy: 'intune'},
      {name: 'IPHONE-1', os: 'iOS', version: '17.2', managedBy: 'intune'},
    ])
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved
    cleanup()
  })

  it('group create/add/show/list: inventory groups and explicit members together', async () => {
    const created = await runCommand(GroupCreate, ['Sales users', '--description', 'Sales staff', '--json'])
    expect(created.result).toMatchObject({created: true, group: {name: 'Sales users', devices: 0, users: 0}})
    const again = await runCommand(GroupCreate, ['sales users', '--json'])
    expect(again.result?.created).toBe(false)
    const added = await runCommand(GroupAdd, ['Sales users', '--user', 'bob@contoso.com', '--device', 'OLD-LT-1', '--json'])
    expect(added.result?.added).toBe(2)
    const show = await runCommand(GroupShow, ['Finance'])
    expect(show.stdout).toContain('device  FIN-LT-001  inventory')
    const list = await runJson(GroupList, ['--json'])
    expect(list.result?.groups.map((g) => [g.name, g.devices, g.users])).toEqual([
      ['Finance', 1, 0],
      ['Sales users', 1, 1],
    ])
  })

  it('group add of an unknown device or group exits 3 with what to do', async () => {
    const device = await runCommand(GroupAdd, ['Finance', '--device', 'NOPE'])
    expect(device.error?.oclif?.exit).toBe(3)
    expect(device.stderr).toContain('atpctl device list')
    const group = await runCommand(GroupAdd, ['Nope', '--user', 'x@contoso.com'])
    expect(group.error?.oclif?.exit).toBe(3)
    expect(group.stderr).toContain('atpctl group create "Nope"')
  })

  it('IN7: compliance create/list, then evaluate with reasons; the iOS toggle off and IN2 minimums are not evaluated', async () => {
    const created = await runCommand(ComplianceCreate, ['--name', 'Windows baseline', '--platform', 'windows', '--max-risk', 'low', '--json'])
    expect(created.result?.policy).toMatchObject({name: 'Windows baseline', platform: 'windows', maxRisk: 'low', assignGroup: null})
    // SPEC §3: the same create again is a no-op; other settings under the name are a conflict (4).
    const same = await runCommand(ComplianceCreate, ['--name', 'windows baseline', '--platform', 'windows', '--max-risk', 'low', '--json'])
    expect(same.error).toBeUndefined()
    expect(same.result).toMatchObject({changed: false, policy: {id: created.result?.policy.id}})
    const dup = await runCommand(ComplianceCreate, ['--name', 'windows baseline', '--platform', 'windows', '--max-risk', 'high'])
    expect(dup.error?.oclif?.exit).toBe(4)
    expect(dup.stderr).toContain("maximum risk: 'low' (requested 'high')")
    const badGroup = await runCommand(ComplianceCreate, ['--name', 'X', '--platform', 'ios', '--max-risk', 'low', '--assign-group', 'Nope'])
    expect(badGroup.error?.oclif?.exit).toBe(3)
    const list = await runCommand(ComplianceList, [])
    expect(list.stdout).toMatch(/Windows baseline\s+windows\s+low\s+all devices of the platform/)

    const evaluation = await runCommand(ComplianceEvaluate, ['--json'])
    expect(evaluation.result?.summary).toEqual({devices: 3, compliant: 1, noncompliant: 0, notEvaluated: 2})
    const human = await runCommand(ComplianceEvaluate, [])
    expect(human.stdout).toContain('3 device(s): 1 compliant, 0 noncompliant, 2 not evaluated.')
    expect(human.stdout).toMatch(/FIN-LT-001\s+compliant\s+None\s+Windows baseline\s+device risk None is within the maximum Low of policy 'Windows baseline'/)
    expect(human.stdout).toMatch(/IPHONE-1\s+not-evaluated\s+None\s+-\s+the Intune connection's iOS toggle is off/)
    expect(human.stdout).toMatch(/OLD-LT-1\s+not-evaluated.*Windows 10.0.14393 is below the minimum 10.0.15063/)
    const one = await runCommand(ComplianceEvaluate, ['--device', 'fin-lt-001', '--json'])
    expect(one.result?.devices.map((d) => d.deviceName)).toEqual(['FIN-LT-001'])
    const missing = await runCommand(ComplianceEvaluate, ['--device', 'NOPE'])
    expect(missing.error?.oclif?.exit).toBe(3)
  })

  it('rejects an unknown platform or risk with exit 2', async () => {
    const bad = await runCommand(ComplianceCreate, ['--name', 'Y', '--platform', 'macos', '--max-risk', 'low'])
    expect(bad.error?.oclif?.exit).toBe(2)
  })
})
