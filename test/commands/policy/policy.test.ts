import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {AdminCommand} from '../../../src/base/command.js'
import DeviceImport from '../../../src/commands/device/import.js'
import Init from '../../../src/commands/init.js'
import Monitor from '../../../src/commands/monitor.js'
import PackageGenerate from '../../../src/commands/package/generate.js'
import PolicyCreate from '../../../src/commands/policy/create.js'
import PolicyDelete from '../../../src/commands/policy/delete.js'
import PolicyDeploy from '../../../src/commands/policy/deploy.js'
import PolicyList from '../../../src/commands/policy/list.js'
import PolicyUndeploy from '../../../src/commands/policy/undeploy.js'
import PolicyUpdate from '../../../src/commands/policy/update.js'
import WorkspaceShow from '../../../src/commands/workspace/show.js'
import type {Prompter} from '../../../src/ui/prompt.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand, runJson} from '../../helpers/command.js'
import {onTerminal} from '../../helpers/terminal.js'

describe('policy and monitor commands', () => {
  const {home, cleanup} = tempHome()
  const saved = {home: process.env.ATPCTL_HOME, prompter: AdminCommand.prompter}
  const pkg = () => join(home, 'onboarding.zip')
  let workspace: {workspaceId: string; workspaceKey: string}
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await runCommand(Init, ['--location', 'uk', '--json'])
    await runCommand(PackageGenerate, ['onboarding', '--os', 'windows', '--method', 'configmgr', '--out', pkg(), '--json'])
    workspace = (await runCommand(WorkspaceShow, ['--reveal', '--json'])).result!.workspace as typeof workspace
    writeFileSync(join(home, 'key.txt'), workspace.workspaceKey, {mode: 0o600})
    const seen = new Date(Date.now() - 3_600_000).toISOString()
    writeFileSync(
      join(home, 'inv.csv'),
      `name,os,version,managedBy,collections,lastSeen\nw10,Windows 10 Enterprise,1809,configmgr,Fleet,${seen}\nw81,Windows 8.1 Pro,,configmgr,Fleet,${seen}\n`,
    )
    await runCommand(DeviceImport, [join(home, 'inv.csv')])
  })
  afterEach(() => {
    AdminCommand.prompter = saved.prompter
  })

  // Later tests build on the wizard's policy and its deployment; made here (with flags) when a
  // test runs alone, so every test also passes on its own.
  async function ensurePolicy(name: string, args: string[]): Promise<void> {
    const {result} = await runJson(PolicyList, ['--json'])
    if (!result!.policies.some((p: {name: string}) => p.name === name)) {
      const {error} = await runCommand(PolicyCreate, ['--name', name, '--type', 'onboarding', ...args])
      expect(error).toBeUndefined()
    }
  }
  const anyOsArgs = () => ['--config-file', pkg(), '--workspace-id', workspace.workspaceId, '--workspace-key-file', join(home, 'key.txt')]
  async function ensureAnyOsDeployed(): Promise<void> {
    await ensurePolicy('Wizard any OS', anyOsArgs())
    const {error} = await runCommand(PolicyDeploy, ['Wizard any OS', '--collection', 'Fleet', '--json'])
    expect(error).toBeUndefined()
  }
  afterAll(() => {
    process.env.ATPCTL_HOME = saved.home
    cleanup()
  })

  it('runs the seed 001 wizard on a terminal: any-OS shape asks for file, ID and key (CM2, CM3)', async () => {
    const asked: string[] = []
    AdminCommand.prompter = {
      async input(message: string, options?: {defaultValue?: string}) {
        asked.push(message)
        if (message === 'Policy name') return 'Wizard any OS'
        if (message.startsWith('Onboarding configuration file')) return pkg()
        return options?.defaultValue ?? ''
      },
      async select(message: string, _choices: unknown, defaultValue?: string) {
        asked.push(message)
        return defaultValue
      },
      async password(message: string) {
        asked.push(message)
        return workspace.workspaceKey
      },
    } as unknown as Prompter
    const {result, error} = await onTerminal(() => runCommand(PolicyCreate, []))
    expect(error).toBeUndefined()
    expect(asked).toEqual([
      'Policy name',
      'Description',
      'Type',
      'Which devices will it onboard?',
      'Onboarding configuration file',
      'Workspace ID',
      'Workspace key',
      'File samples shared for analysis',
    ])
    expect(result!.policy).toMatchObject({name: 'Wizard any OS', shape: 'any-os', workspaceId: workspace.workspaceId, sampleSharing: 'none'})
  })

  it('without a terminal names the missing flag (exit 2); the profile sets the ConfigMgr version (CM4)', async () => {
    const {error} = await runCommand(PolicyCreate, ['--type', 'onboarding'])
    expect(error?.oclif?.exit).toBe(2)
    expect(error?.message).toBeDefined()
    const {error: cm4} = await runCommand(PolicyCreate, ['--name', 'p2002', '--type', 'onboarding', '--config-file', pkg(), '--configmgr-version', '2002'])
    expect(cm4?.oclif?.exit).toBe(4)
    const {error: badVersion} = await runCommand(PolicyCreate, ['--name', 'x', '--type', 'onboarding', '--config-file', pkg(), '--configmgr-version', '2099x'])
    expect(badVersion?.oclif?.exit).toBe(2)
  })

  it('deploy: a file-only policy would miss the down-level device: refused with the plan on stdout (exit 4)', async () => {
    await ensurePolicy('Wizard any OS', anyOsArgs())
    await ensurePolicy('File only', ['--config-file', pkg()])
    const {stdout, error} = await runCommand(PolicyDeploy, ['File only', '--collection', 'Fleet'])
    expect(error?.oclif?.exit).toBe(4)
    expect(stdout).toMatch(/Refused: deploying 'File only' would miss devices/)
    expect(stdout).toMatch(/w81\s+Windows 8\.1\s+down-level\s+Windows 8\.1 is down-level and the policy has no Workspace key\/ID\./)
    const {result} = await runCommand(PolicyDeploy, ['Wizard any OS', '--collection', 'Fleet', '--json'])
    expect(result!.plan).toMatchObject({applied: true, summary: {targeted: 2, reached: 2, missed: 0}})
    const {stdout: list} = await runCommand(PolicyList, [])
    expect(list).toMatch(/Wizard any OS\s+onboarding\s+any-os\s+2103\s+Fleet/)
  })

  it('monitor prints bars and percentages; --json has the documented shape (CM6)', async () => {
    await ensureAnyOsDeployed()
    const {result, stdout} = await runCommand(Monitor, [])
    expect(stdout).toMatch(/Agent deployment status\n\s+█+ 100%\s+2 of 2 eligible client\(s\) onboarded/)
    expect(stdout).toMatch(/Healthy\s+█+\s+2\s+100%/)
    expect(Object.keys(result!)).toEqual(expect.arrayContaining(['deployment', 'health', 'collections']))
    expect(result!.health).toEqual({healthy: 2, inactive: 0, agentState: 0, notOnboarded: 0})
  })

  it('delete asks on a terminal when deployed', async () => {
    await ensureAnyOsDeployed()
    await ensurePolicy('File only', ['--config-file', pkg()])
    const asked: string[] = []
    AdminCommand.prompter = {
      async confirm(message: string) {
        asked.push(message)
        return true
      },
    } as unknown as Prompter
    const {result} = await onTerminal(() => runCommand(PolicyDelete, ['Wizard any OS']))
    expect(asked).toEqual(["Policy 'Wizard any OS' is in use. It is deployed to 1 collection ('Fleet'); 2 devices targeted there will no longer get it. Delete it and its deployments?"])
    expect(result).toMatchObject({changed: true, impact: {inUse: true, devices: 2}})
    const {result: none} = await runCommand(PolicyDelete, ['File only', '--json'])
    expect(none).toMatchObject({changed: true, impact: {inUse: false}})
  })

  it('creates the same policy again as a no-op, and another content as a conflict (issue 11 item 4)', async () => {
    await ensurePolicy('Twice', ['--config-file', pkg()])
    const again = await runCommand(PolicyCreate, ['--name', 'Twice', '--type', 'onboarding', '--config-file', pkg(), '--json'])
    expect(again.error).toBeUndefined()
    expect(again.result).toMatchObject({policy: {name: 'Twice'}, changed: false})
    const human = await runCommand(PolicyCreate, ['--name', 'Twice', '--type', 'onboarding', '--config-file', pkg()])
    expect(human.stdout).toMatch(/^Policy 'Twice' already exists; unchanged\./)
    const other = await runCommand(PolicyCreate, ['--name', 'Twice', '--type', 'onboarding', '--config-file', pkg(), '--sample-sharing', 'all'])
    expect(other.error?.oclif?.exit).toBe(4)
    expect(other.stderr).toMatch(/Error: Policy 'Twice' already exists with different content: sample sharing is none, the request says all\.\nTry this: Change it: atpctl policy update "Twice"/)
  })

  it('updates a policy: unchanged values are changed: false, removing what deployed devices need is refused unless --force (CM3)', async () => {
    await ensureAnyOsDeployed()
    const same = await runCommand(PolicyUpdate, ['Wizard any OS', '--sample-sharing', 'none', '--json'])
    expect(same.result).toMatchObject({changed: false})
    const described = await runCommand(PolicyUpdate, ['Wizard any OS', '--description', 'Fleet onboarding'])
    expect(described.stdout).toMatch(/^✓ Policy 'Wizard any OS' updated\./)
    // w81 is down-level: without the Workspace key and ID the deployed policy would stop reaching it.
    const lost = await runCommand(PolicyUpdate, ['Wizard any OS', '--clear-workspace'])
    expect(lost.error?.oclif?.exit).toBe(4)
    expect(lost.stderr).toMatch(/would stop it reaching 1 device\(s\) of its deployments: w81/)
    expect((await runCommand(PolicyUpdate, ['Wizard any OS'])).error?.oclif?.exit).toBe(2)
    const forced = await runCommand(PolicyUpdate, ['Wizard any OS', '--clear-workspace', '--force', '--json'])
    expect(forced.result).toMatchObject({changed: true, policy: {shape: 'up-level', workspaceKey: false}})
    const back = await runCommand(PolicyUpdate, ['Wizard any OS', '--workspace-id', workspace.workspaceId, '--workspace-key-file', join(home, 'key.txt'), '--json'])
    expect(back.result).toMatchObject({changed: true, policy: {shape: 'any-os'}})
  })

  it('undeploys only with a confirmation: exit 2 naming --yes without a terminal, then the devices are no longer onboarded', async () => {
    await ensureAnyOsDeployed()
    const refused = await runCommand(PolicyUndeploy, ['Wizard any OS', '--collection', 'Fleet'])
    expect(refused.error?.oclif?.exit).toBe(2)
    expect(refused.stderr).toMatch(/Try this: Pass --yes to undeploy the policy 'Wizard any OS' without a prompt\./)
    const done = await runCommand(PolicyUndeploy, ['Wizard any OS', '--collection', 'Fleet', '--yes', '--json'])
    expect(done.result).toMatchObject({changed: true, removed: ['Fleet'], impact: {devices: 2}, policy: {deployments: []}})
    const again = await runCommand(PolicyUndeploy, ['Wizard any OS', '--collection', 'Fleet'])
    expect(again.stdout).toMatch(/not deployed to Fleet; unchanged/)
    expect((await runCommand(PolicyUndeploy, ['Wizard any OS', '--collection', 'Nowhere'])).error?.oclif?.exit).toBe(3)
  })
})
