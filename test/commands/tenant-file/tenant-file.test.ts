import {existsSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import Export from '../../../src/commands/export.js'
import GroupCreate from '../../../src/commands/group/create.js'
import Init from '../../../src/commands/init.js'
import PackageGenerate from '../../../src/commands/package/generate.js'
import Plan from '../../../src/commands/plan.js'
import PolicyCreate from '../../../src/commands/policy/create.js'
import Schema from '../../../src/commands/schema.js'
import Validate from '../../../src/commands/validate.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand} from '../../helpers/command.js'

describe('tenant as code commands: schema, export, plan, validate', () => {
  const {home, cleanup} = tempHome()
  const saved = {home: process.env.ATPCTL_HOME, key: process.env.ATPCTL_WORKSPACE_KEY}
  const at = (name: string) => join(home, name)
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    delete process.env.ATPCTL_WORKSPACE_KEY
    await runCommand(Init, ['--location', 'eu', '--json'])
    await runCommand(PackageGenerate, ['onboarding', '--os', 'windows', '--method', 'configmgr', '--out', at('onboarding.zip'), '--json'])
    await runCommand(PolicyCreate, ['--name', 'Up-level', '--type', 'onboarding', '--config-file', at('onboarding.zip'), '--json'])
    await runCommand(GroupCreate, ['Finance', '--description', 'Money', '--json'])
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved.home
    if (saved.key !== undefined) process.env.ATPCTL_WORKSPACE_KEY = saved.key
    cleanup()
  })

  it('schema prints the JSON Schema, writes it with --out, and keeps an existing file without --force', async () => {
    const printed = await runCommand(Schema, [])
    expect(JSON.parse(printed.stdout)).toMatchObject({$id: 'urn:atpctl:tenant-file:v1', title: 'atpctl.yaml'})
    expect((await runCommand(Schema, ['--json'])).result).toMatchObject({$schema: 'http://json-schema.org/draft-07/schema#'})
    expect((await runCommand(Schema, ['--out', at('atpctl.schema.json')])).stdout).toBe('')
    expect(JSON.parse(readFileSync(at('atpctl.schema.json'), 'utf8')).properties.version.const).toBe('atpctl/v1')
    const again = await runCommand(Schema, ['--out', at('atpctl.schema.json')])
    expect(again.error?.oclif?.exit).toBe(4)
    expect(again.stderr).toMatch(/exists already.*--force/s)
    expect((await runCommand(Schema, ['--out', at('atpctl.schema.json'), '--force'])).error).toBeUndefined()
  })

  it('export writes YAML with the schema line, secrets as references, atomically, and refuses to overwrite', async () => {
    const out = await runCommand(Export, ['--out', at('atpctl.yaml')])
    expect(out.error).toBeUndefined()
    expect(out.stderr).toContain(`Wrote ${at('atpctl.yaml')}.`)
    const text = readFileSync(at('atpctl.yaml'), 'utf8')
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=atpctl.schema.json')
    expect(text).toContain('location: eu')
    expect(text).toMatch(/configFile:\n\s+file: onboarding\.zip/)
    expect(text).toMatch(/- name: Finance\n\s+description: Money/)
    expect((await runCommand(Export, ['--out', at('atpctl.yaml')])).error?.oclif?.exit).toBe(4)
    expect(readdirTemp(home)).toEqual([])
    const json = await runCommand(Export, ['--only', 'group', '--json'])
    expect(json.result).toEqual({document: {version: 'atpctl/v1', groups: [{name: 'Finance', description: 'Money'}]}, omitted: [], out: null})
    const stdout = await runCommand(Export, ['--schema-ref', 'https://example.test/atpctl.schema.json', '--only', 'tenant'])
    expect(stdout.stdout.split('\n')[0]).toBe('# yaml-language-server: $schema=https://example.test/atpctl.schema.json')
  })

  it('plan of the export shows no changes: the configuration file is compared by its SHA-256, read beside the YAML file', async () => {
    const plan = await runCommand(Plan, ['-f', at('atpctl.yaml'), '--json'])
    expect(plan.result?.summary).toMatchObject({create: 0, update: 0, delete: 0})
    expect(plan.result?.predictions).toEqual([])
    const human = await runCommand(Plan, ['-f', at('atpctl.yaml')])
    expect(human.stdout).toContain("No changes: profile 'default' (local) matches")
    // Another package (streamlined connectivity) is a change of the policy's file.
    await runCommand(PackageGenerate, ['onboarding', '--os', 'windows', '--method', 'configmgr', '--streamlined', '--out', at('other.zip'), '--json'])
    writeFileSync(at('changed.yaml'), readFileSync(at('atpctl.yaml'), 'utf8').replace('file: onboarding.zip', 'file: other.zip'))
    const changed = await runCommand(Plan, ['-f', at('changed.yaml'), '--json'])
    expect(changed.result?.resources.find((r) => r.kind === 'policy')).toMatchObject({action: 'update', fields: [{field: 'configFile', current: expect.stringMatching(/^sha256:/), desired: expect.stringMatching(/^sha256:/)}]})
  })

  it("a configuration file of another tenant blocks apply; one that is not there is only a note while the stored one stays", async () => {
    // Another tenant's package, made in another home.
    const other = tempHome()
    try {
      process.env.ATPCTL_HOME = other.home
      await runCommand(Init, ['--location', 'eu', '--json'])
      await runCommand(PackageGenerate, ['onboarding', '--os', 'windows', '--method', 'configmgr', '--out', at('foreign.zip'), '--json'])
    } finally {
      process.env.ATPCTL_HOME = home
      other.cleanup()
    }

    writeFileSync(at('foreign.yaml'), readFileSync(at('atpctl.yaml'), 'utf8').replace('file: onboarding.zip', 'file: foreign.zip'))
    const foreign = (await runCommand(Plan, ['-f', at('foreign.yaml'), '--json'])).result!
    expect(foreign.predictions).toEqual([expect.objectContaining({kind: 'policy', name: 'Up-level', blocking: true, message: expect.stringMatching(/^The configuration file 'foreign\.zip': /)})])
    writeFileSync(at('gone.yaml'), readFileSync(at('atpctl.yaml'), 'utf8').replace('file: onboarding.zip', 'file: gone.zip'))
    const gone = (await runCommand(Plan, ['-f', at('gone.yaml'), '--json'])).result!
    expect(gone.predictions).toEqual([expect.objectContaining({code: 'NOT_FOUND', blocking: false, message: expect.stringContaining('The stored file is not compared.')})])
    expect(gone.summary.update).toBe(0)
  })

  it('plan shows creates and updates like terraform and writes the plan JSON owner-only with --out', async () => {
    writeFileSync(
      at('more.yaml'),
      ['version: atpctl/v1', 'tenant:', '  location: eu', 'groups:', '  - name: Finance', '    description: Finance team', '  - name: Sales', 'policies:', '  - name: Down-level', '    type: onboarding', '    workspaceId: 00000000-0000-0000-0000-000000000001', '    workspaceKey: {env: ATPCTL_WORKSPACE_KEY}', ''].join('\n'),
    )
    const result = await runCommand(Plan, ['-f', at('more.yaml'), '--prune', '--out', at('plan.json')])
    expect(result.error).toBeUndefined()
    expect(result.stdout).toContain('  + create group "Sales"')
    expect(result.stdout).toContain('  ~ update group "Finance"')
    expect(result.stdout).toContain('      description: "Money" -> "Finance team"')
    expect(result.stdout).toContain('  - delete policy "Up-level"')
    // The key is not set: the plan says apply would fail, and never holds a secret.
    expect(result.stdout).toMatch(/✗ blocks apply {2}policy "Down-level" \[SECRET_UNAVAILABLE\]/)
    expect(result.stdout).toMatch(/^Plan: 2 to create, 1 to change, 1 to delete; 1 unchanged, 0 unmanaged\. \d predictions? blocks? apply\.$/m)
    expect(statSync(at('plan.json')).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(at('plan.json'), 'utf8'))).toMatchObject({format: 'atpctl-plan/1', file: at('more.yaml'), prune: true})
  })

  it('validate exits 0 in sync and 14 (DRIFT) when the tenant differs, with the plan in the --json document', async () => {
    expect((await runCommand(Validate, ['-f', at('atpctl.yaml')])).error).toBeUndefined()
    await runCommand(GroupCreate, ['Sales', '--json'])
    expect((await runCommand(Validate, ['-f', at('atpctl.yaml')])).error).toBeUndefined()
    const pruned = await runCommand(Validate, ['-f', at('atpctl.yaml'), '--prune'])
    expect(pruned.error?.oclif?.exit).toBe(14)
    expect(pruned.stdout).toContain('  - delete group "Sales"')
    expect(pruned.stderr).toMatch(/^Error: Profile 'default' differs from .*: 0 to create, 0 to change, 1 to delete\./)
    const json = await runCommand(Validate, ['-f', at('atpctl.yaml'), '--prune', '--json'])
    expect(json.error?.oclif?.exit).toBe(14)
    const document = JSON.parse(json.stdout) as {drift: boolean; error: {code: string; exitCode: number}; plan: {summary: {delete: number}}}
    expect(document).toMatchObject({drift: true, error: {code: 'DRIFT', exitCode: 14}, plan: {summary: {delete: 1}}})
  })

  it('a file with errors is exit 7 naming line and column; a missing one exit 3', async () => {
    writeFileSync(at('bad.yaml'), 'version: atpctl/v1\ngroups:\n  - name: A\n    colour: red\n')
    const bad = await runCommand(Plan, ['-f', at('bad.yaml')])
    expect(bad.error?.oclif?.exit).toBe(7)
    expect(bad.stderr).toContain(`${at('bad.yaml')}:4:5: unknown property 'colour' in groups[0]`)
    expect((await runCommand(Validate, ['-f', at('missing.yaml')])).error?.oclif?.exit).toBe(3)
    expect(existsSync(at('missing.yaml'))).toBe(false)
  })
})

function readdirTemp(dir: string): string[] {
  // An atomic write leaves no temporary file behind.
  return readdirSync(dir).filter((f) => f.endsWith('.tmp'))
}
