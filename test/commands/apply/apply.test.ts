/**
 * `atpctl apply` in-process (issue 14): it shows the plan, asks on a terminal and needs --yes
 * without one, refuses the plan's blocking predictions, reads secrets only by reference, takes a
 * saved plan of this file only, and a rerun applies nothing.
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {AdminCommand} from '../../../src/base/command.js'
import Apply from '../../../src/commands/apply.js'
import Init from '../../../src/commands/init.js'
import WorkspaceShow from '../../../src/commands/workspace/show.js'
import {computePlan} from '../../../src/core/tenant-file/plan.js'
import {openLocalBackend} from '../../../src/backends/local/index.js'
import type {Prompter} from '../../../src/ui/prompt.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand} from '../../helpers/command.js'
import {onTerminal} from '../../helpers/terminal.js'

describe('apply command', () => {
  const {home, cleanup} = tempHome()
  const saved = {home: process.env.ATPCTL_HOME, prompter: AdminCommand.prompter, key: process.env.APPLY_TEST_KEY}
  const file = (name: string, text: string) => {
    const path = join(home, name)
    writeFileSync(path, text)
    return path
  }
  let workspaceId: string
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await runCommand(Init, ['--location', 'us', '--json'])
    const workspace = (await runCommand(WorkspaceShow, ['--reveal', '--json'])).result!.workspace as {workspaceId: string; workspaceKey: string}
    workspaceId = workspace.workspaceId
    process.env.APPLY_TEST_KEY = workspace.workspaceKey
  })
  afterEach(() => {
    AdminCommand.prompter = saved.prompter
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved.home
    if (saved.key === undefined) delete process.env.APPLY_TEST_KEY
    else process.env.APPLY_TEST_KEY = saved.key
    cleanup()
  })

  const groups = (names: string[]) => `version: atpctl/v1\ngroups:\n${names.map((n) => `  - name: ${n}\n`).join('')}`

  it('needs --yes without a terminal (exit 2), changing nothing', async () => {
    const path = file('no-yes.yaml', groups(['No yes']))
    const {error, stderr} = await runCommand(Apply, ['-f', path])
    expect(error).toMatchObject({oclif: {exit: 2}})
    expect(stderr).toMatch(/Confirmation needed to apply .*no-yes\.yaml.*\n.*--yes/)
    const {result} = await runCommand(Apply, ['-f', path, '--yes', '--json'])
    expect(result!.summary).toMatchObject({created: 1})
  })

  it('shows the plan and asks on a terminal; no cancels (exit 130) and changes nothing; yes applies', async () => {
    const path = file('asked.yaml', groups(['Asked']))
    const asked: string[] = []
    AdminCommand.prompter = {async confirm(message: string) {
      asked.push(message)
      return false
    }} as unknown as Prompter
    const cancelled = await onTerminal(() => runCommand(Apply, ['-f', path]))
    expect(asked).toEqual(["Apply these 1 change(s) to profile 'default'?"])
    expect(cancelled.stdout).toMatch(/\+ create group "Asked"/)
    expect(cancelled.error).toMatchObject({oclif: {exit: 130}})
    AdminCommand.prompter = {confirm: async () => true} as unknown as Prompter
    const applied = await onTerminal(() => runCommand(Apply, ['-f', path]))
    expect(applied.error).toBeUndefined()
    expect(applied.stdout).toMatch(/✓ Created group "Asked"\n\nApplied: 1 created, 0 updated, 0 deleted\./)
    // A rerun applies nothing and does not ask.
    const again = await onTerminal(() => runCommand(Apply, ['-f', path]))
    expect(again.stdout).toMatch(/No changes: profile 'default' already matches .*asked\.yaml\./)
  })

  it('resolves a Workspace key by reference and never prints it; a missing one is exit 7 naming it, before any change', async () => {
    const policy = (ref: string) => `version: atpctl/v1\npolicies:\n  - name: Down-level\n    type: onboarding\n    workspaceId: ${workspaceId}\n    workspaceKey: ${ref}\n`
    const missing = await runCommand(Apply, ['-f', file('missing.yaml', policy('{env: APPLY_TEST_NOPE}')), '--yes'])
    expect(missing.error).toMatchObject({oclif: {exit: 7}})
    expect(missing.stderr).toMatch(/Policy Down-level: workspaceKey refers to the environment variable APPLY_TEST_NOPE, which is not set\./)
    const applied = await runCommand(Apply, ['-f', file('policy.yaml', policy('{env: APPLY_TEST_KEY}')), '--yes', '--json'])
    expect(applied.error).toBeUndefined()
    expect(applied.stdout).not.toContain(process.env.APPLY_TEST_KEY!)
    expect(applied.result!.steps.map((s) => s.id)).toEqual(['create policy Down-level'])
  })

  it('refuses a blocking prediction (the tenant location, T1) with exit 4', async () => {
    const {error} = await runCommand(Apply, ['-f', file('eu.yaml', 'version: atpctl/v1\ntenant:\n  location: eu\n'), '--yes'])
    expect(error).toMatchObject({oclif: {exit: 4}})
  })

  it('takes a saved plan of this file only (exit 7 for another), refused once the tenant changed (exit 4)', async () => {
    const path = file('saved.yaml', groups(['Saved']))
    const backend = await openLocalBackend(join(home, 'profiles', 'default', 'tenant.db'), {profile: 'default', actor: 'test'})
    const {parseTenantFile} = await import('../../../src/core/tenant-file/parse.js')
    const plan = await computePlan(backend, parseTenantFile(groups(['Saved']), path).document, {prune: false, file: path, profile: 'default', now: () => new Date()})
    await backend.close()
    const planFile = file('plan.json', JSON.stringify(plan))
    const other = await runCommand(Apply, ['-f', file('other.yaml', groups(['Other'])), '--plan', planFile, '--yes'])
    expect(other.error).toMatchObject({oclif: {exit: 7}})
    expect(other.stderr).toMatch(/plan was made from another version/)
    // Something changed by hand since the plan.
    await runCommand(Apply, ['-f', file('by-hand.yaml', groups(['By hand'])), '--yes'])
    const stale = await runCommand(Apply, ['-f', path, '--plan', planFile, '--yes'])
    expect(stale.error).toMatchObject({oclif: {exit: 4}})
    expect(stale.stderr).toMatch(/The tenant changed since the plan was made; run atpctl plan again\./)
  })
})
