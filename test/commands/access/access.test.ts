import AccessCheck from '../../../src/commands/access/check.js'
import AccessPolicyCreate from '../../../src/commands/access/policy/create.js'
import AccessPolicyDelete from '../../../src/commands/access/policy/delete.js'
import AccessPolicyDisable from '../../../src/commands/access/policy/disable.js'
import AccessPolicyEnable from '../../../src/commands/access/policy/enable.js'
import AccessPolicyList from '../../../src/commands/access/policy/list.js'
import AccessPolicyUpdate from '../../../src/commands/access/policy/update.js'
import ComplianceCreate from '../../../src/commands/compliance/create.js'
import GroupAdd from '../../../src/commands/group/add.js'
import GroupCreate from '../../../src/commands/group/create.js'
import Init from '../../../src/commands/init.js'
import IntegrationEnable from '../../../src/commands/integration/enable.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand, runJson} from '../../helpers/command.js'
import {seedDevices} from '../compliance/seed.js'

describe('access policy and access check commands (IN3, IN8)', () => {
  const {home, cleanup} = tempHome()
  const saved = process.env.ATPCTL_HOME
  const check = (args: string[]) => runCommand(AccessCheck, ['--user', 'alice@contoso.com', '--device', 'OLD-LT-1', '--app', 'sharepoint', ...args])
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await runCommand(Init, ['--location', 'us', '--json'])
    await runCommand(IntegrationEnable, ['intune', '--windows', '--json'])
    await seedDevices(home, [
      {name: 'GOOD-LT-1', os: 'Windows 11', version: '10.0.22631', managedBy: 'intune', user: 'alice@contoso.com'},
      {name: 'OLD-LT-1', os: 'Windows 10', version: '1607', managedBy: 'intune', user: 'alice@contoso.com'},
    ])
    await runCommand(GroupCreate, ['Staff'])
    await runCommand(GroupCreate, ['Break glass'])
    await runCommand(GroupAdd, ['Staff', '--user', 'alice@contoso.com'])
    await runCommand(ComplianceCreate, ['--name', 'Windows baseline', '--platform', 'windows', '--max-risk', 'clear'])
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved
    cleanup()
  })
  afterEach(() => {
    process.exitCode = undefined
  })

  it('IN3: lists the classic policy as protected and refuses to delete or disable it (exit 4)', async () => {
    const list = await runJson(AccessPolicyList, ['--json'])
    const classic = list.result!.policies[0]
    expect(classic).toMatchObject({kind: 'classic', protected: true, enabled: true})
    const human = await runCommand(AccessPolicyList, [])
    expect(human.stdout).toMatch(/\(protected\)\s+classic\s+enabled\s+Intune connector/)
    const del = await runCommand(AccessPolicyDelete, [classic.name, '--yes'])
    expect(del.error?.oclif?.exit).toBe(4)
    expect(del.stderr).toContain('turn the connection off and on again')
    const dis = await runCommand(AccessPolicyDisable, [classic.id, '--json'])
    expect(dis.error?.oclif?.exit).toBe(4)
    expect(dis.stdout).toContain('"code": "REFUSED_IN3"')
  })

  it('IN8: no custom policy applies → granted (exit 0)', async () => {
    const r = await check(['--json'])
    expect(r.result?.decision).toBe('grant')
    expect(process.exitCode).toBeUndefined()
  })

  it('IN8: a device without compliance state is blocked with exit 4, and the decision is still printed', async () => {
    const created = await runCommand(AccessPolicyCreate, ['--name', 'Require compliant device', '--include-group', 'Staff', '--exclude-group', 'Break glass', '--app', 'SharePoint', '--client', 'browser', '--json'])
    expect(created.result?.policy).toMatchObject({kind: 'custom', protected: false, includeGroups: ['Staff'], excludeGroups: ['Break glass'], apps: ['sharepoint'], clients: ['browser']})
    const blocked = await check([])
    expect(process.exitCode).toBe(4)
    expect(blocked.stdout).toContain("BLOCKED: blocked by 'Require compliant device': device OLD-LT-1 has no compliance state: Windows 10.0.14393 is below the minimum 10.0.15063")
    process.exitCode = undefined
    const good = await runCommand(AccessCheck, ['--user', 'alice@contoso.com', '--device', 'GOOD-LT-1', '--app', 'sharepoint', '--json'])
    expect(good.result).toMatchObject({decision: 'grant', decidedBy: ['Require compliant device']})
    expect(process.exitCode).toBeUndefined()
  })

  it('IN8: other client apps, exclusions and disabled policies do not block', async () => {
    expect((await check(['--client', 'mobile-desktop', '--json'])).result?.decision).toBe('grant')
    await runCommand(GroupAdd, ['Break glass', '--user', 'alice@contoso.com'])
    const excluded = await check(['--json'])
    expect(excluded.result?.decision).toBe('grant')
    expect(excluded.result?.policies.find((p) => p.policy === 'Require compliant device')?.reason).toBe("user alice@contoso.com is excluded through group 'Break glass'")
  })

  it('IN8: disable/enable a custom policy; delete needs --yes without a terminal', async () => {
    const dis = await runCommand(AccessPolicyDisable, ['Require compliant device', '--json'])
    expect(dis.result).toMatchObject({changed: true, policy: {enabled: false}})
    const en = await runCommand(AccessPolicyEnable, ['require compliant device', '--json'])
    expect(en.result?.policy.enabled).toBe(true)
    const noYes = await runCommand(AccessPolicyDelete, ['Require compliant device'])
    expect(noYes.error?.oclif?.exit).toBe(2)
    const del = await runCommand(AccessPolicyDelete, ['Require compliant device', '--yes', '--json'])
    expect(del.result?.policy.name).toBe('Require compliant device')
  })

  it('IN8 report-only: created and shown as report-only; access check grants (exit 0) and says it would have blocked; update --no-report-only enforces it', async () => {
    const created = await runCommand(AccessPolicyCreate, ['--name', 'Pilot', '--include-group', 'Staff', '--app', 'sharepoint', '--report-only', '--json'])
    expect(created.result?.policy).toMatchObject({enabled: false, reportOnly: true})
    const listed = await runCommand(AccessPolicyList, [])
    expect(listed.stdout).toMatch(/Pilot\s+custom\s+report-only/)
    const both = await runCommand(AccessPolicyCreate, ['--name', 'X', '--include-group', 'Staff', '--app', 'all', '--report-only', '--disabled'])
    expect(both.error?.oclif?.exit).toBe(2)
    process.exitCode = undefined
    const r = await check([])
    expect(process.exitCode).toBeUndefined()
    expect(r.stdout).toContain("GRANTED: granted: no enforced conditional access policy applies to user alice@contoso.com, app 'sharepoint', client 'browser'; report-only 'Pilot' would have blocked it (not enforced)")
    expect(r.stdout).toMatch(/Pilot\s+report-only: would block/)
    const json = await check(['--json'])
    expect(json.result).toMatchObject({decision: 'grant', decidedBy: [], wouldHaveBlocked: ['Pilot']})
    const enforced = await runCommand(AccessPolicyUpdate, ['Pilot', '--no-report-only', '--json'])
    expect(enforced.result).toMatchObject({changed: true, policy: {enabled: true, reportOnly: false}})
    await check([])
    expect(process.exitCode).toBe(4)
    process.exitCode = undefined
    await runCommand(AccessPolicyDelete, ['Pilot', '--yes', '--json'])
  })

  it('unknown users, devices and groups exit 3; a policy that includes nobody exits 2', async () => {
    const user = await runCommand(AccessCheck, ['--user', 'nobody@contoso.com', '--device', 'GOOD-LT-1', '--app', 'x'])
    expect(user.error?.oclif?.exit).toBe(3)
    const device = await runCommand(AccessCheck, ['--user', 'alice@contoso.com', '--device', 'NOPE', '--app', 'x'])
    expect(device.error?.oclif?.exit).toBe(3)
    const group = await runCommand(AccessPolicyCreate, ['--name', 'Z', '--include-group', 'Nope', '--app', 'all'])
    expect(group.error?.oclif?.exit).toBe(3)
    const all = await runCommand(AccessPolicyCreate, ['--name', 'Z', '--include-group', 'all', '--exclude-group', 'all', '--app', 'all'])
    expect(all.error?.oclif?.exit).toBe(2)
  })
})
