import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli, tempHome} from '../helpers/cli.js'

/** A file with every kind the format holds (the devices it names come from the inventory). */
const EVERY_KIND = `# yaml-language-server: $schema=atpctl.schema.json
version: atpctl/v1
tenant:
  location: us
integrations:
  thirdParty:
    - provider: sentinelone
      enabled: true
  intune:
    enabled: true
    windows: true
  defenderForCloud:
    - subscriptionId: 00000000-0000-0000-0000-0000000000aa
      cloud: commercial
      windows: true
      linux: true
groups:
  - name: Finance
    description: Finance team
    devices: [FIN-LT-001]
    users: [alice@contoso.com]
collections:
  - name: Workstations
    rules: ["os ~ 'Windows'"]
    members: [FIN-LT-001]
policies:
  - name: Down-level
    type: onboarding
    workspaceId: 00000000-0000-0000-0000-000000000001
    workspaceKey: {env: ATPCTL_WORKSPACE_KEY}
    deployments: [Workstations]
edrProfiles:
  - name: EDR Finance
    sampleSharing: all
    expediteTelemetry: true
    deviceGroups: [Finance]
compliancePolicies:
  - name: Windows medium
    platform: windows
    maxRisk: medium
    assignGroup: Finance
accessPolicies:
  - name: Require compliant
    enabled: true
    includeGroups: [Finance]
    apps: [sharepoint]
    clients: [browser]
    grant: compliant-device
appConfigurations:
  - name: iOS supervised
    kind: ios-supervised
    assignGroup: Finance
`

// Tenant as code (issue 14) through the built CLI, without a terminal, as a CI job runs it.
describe('tenant as code: schema, export, plan, validate', () => {
  const {home, cleanup} = tempHome()
  const cli = (args: string[], input?: string) => runCli(args, {home, input})
  const file = (name: string) => join(home, name)
  afterAll(cleanup)

  beforeAll(async () => {
    expect((await cli(['init', '--location', 'us'])).code).toBe(0)
    writeFileSync(file('devices.csv'), `name,os,version,managedBy,user,lastSeen\nFIN-LT-001,Windows 11 Enterprise,10.0.22631,intune,alice@contoso.com,${new Date().toISOString()}\n`)
    expect((await cli(['device', 'import', file('devices.csv')])).code).toBe(0)
  })

  it('a file with every kind: plan shows a create for each (an update for the integrations the tenant lists off), and changes nothing', async () => {
    writeFileSync(file('every.yaml'), EVERY_KIND)
    const before = (await cli(['export', '--json'])).json<{document: unknown}>().document
    const plan = await cli(['plan', '-f', file('every.yaml')])
    expect(plan.code).toBe(0)
    for (const line of [
      '~ update third-party provider "sentinelone"',
      '~ update Intune connection "intune"',
      '+ create Defender for Cloud subscription "00000000-0000-0000-0000-0000000000aa"',
      '+ create group "Finance"',
      '+ create collection "Workstations"',
      '+ create policy "Down-level"',
      '+ create deployment "Down-level -> Workstations"',
      '+ create EDR profile "EDR Finance"',
      '+ create compliance policy "Windows medium"',
      '+ create access policy "Require compliant"',
      '+ create app configuration "iOS supervised"',
    ]) {
      expect(plan.stdout).toContain(line)
    }

    expect(plan.stdout).toContain('      deviceGroups: ["Finance"]')
    // The file's Workspace ID is not this tenant's (CM7): the plan says so before any apply.
    expect(plan.stdout).toMatch(/✗ blocks apply {2}policy "Down-level" \[WORKSPACE_MISMATCH\]: Workspace ID '00000000-0000-0000-0000-000000000001' is not this tenant's\./)
    expect(plan.stdout).toMatch(/^Plan: 9 to create, 2 to change, 0 to delete; 1 unchanged, 0 unmanaged\./m)
    const json = (await cli(['plan', '-f', file('every.yaml'), '--json'])).json<{summary: Record<string, number>; resources: {kind: string; at?: {line: number}}[]}>()
    expect(json.summary).toEqual({create: 9, update: 2, delete: 0, unchanged: 1, unmanaged: 0})
    expect(json.resources.find((r) => r.kind === 'group')?.at?.line).toBe(18)
    // The plan only reads.
    expect((await cli(['export', '--json'])).json<{document: unknown}>().document).toEqual(before)
  })

  it('a schema error points at the line and column, with what was expected (exit 7)', async () => {
    writeFileSync(file('bad.yaml'), EVERY_KIND.replace('maxRisk: medium', 'maxRisk: severe').replace('    expediteTelemetry: true\n', '    expediteTelemetry: yes please\n'))
    const result = await cli(['validate', '-f', file('bad.yaml')])
    expect(result.code).toBe(7)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain(`${file('bad.yaml')}:35:24: edrProfiles[0].expediteTelemetry is 'yes please'; expected true or false`)
    expect(result.stderr).toContain(`${file('bad.yaml')}:40:14: compliancePolicies[0].maxRisk is 'severe'; expected one of: clear, low, medium, high`)
    const json = (await cli(['plan', '-f', file('bad.yaml'), '--json'])).json<{error: {code: string; exitCode: number}}>()
    expect(json.error).toMatchObject({code: 'INVALID_TENANT_FILE', exitCode: 7})
  })

  it('export then validate is in sync (0); a change by hand is drift (14); --prune makes an unmanaged resource drift', async () => {
    expect((await cli(['group', 'create', 'Sales', '--description', 'sales'])).code).toBe(0)
    const exported = await cli(['export', '--out', file('atpctl.yaml')])
    expect(exported.code).toBe(0)
    expect(readFileSync(file('atpctl.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=atpctl\.schema\.json\n/)
    expect((await cli(['schema', '--out', file('atpctl.schema.json')])).code).toBe(0)
    expect((await cli(['export', '--out', file('atpctl.yaml')])).code).toBe(4)
    const inSync = await cli(['validate', '-f', file('atpctl.yaml')])
    expect({code: inSync.code, stderr: inSync.stderr}).toEqual({code: 0, stderr: ''})
    expect(inSync.stdout).toContain('No changes')

    expect((await cli(['group', 'update', 'Sales', '--description', 'changed by hand'])).code).toBe(0)
    const drift = await cli(['validate', '-f', file('atpctl.yaml')])
    expect(drift.code).toBe(14)
    expect(drift.stdout).toContain('~ update group "Sales"')
    expect(drift.stdout).toContain('description: "changed by hand" -> "sales"')
    expect(drift.stderr).toMatch(/^Error: Profile 'default' differs from .*atpctl\.yaml: 0 to create, 1 to change, 0 to delete\./)
    const json = (await cli(['validate', '-f', file('atpctl.yaml'), '--json'])).json<{drift: boolean; error: {code: string}}>()
    expect(json).toMatchObject({drift: true, error: {code: 'DRIFT'}})

    expect((await cli(['export', '--out', file('atpctl.yaml'), '--force'])).code).toBe(0)
    expect((await cli(['validate', '-f', file('atpctl.yaml'), '--prune'])).code).toBe(0)
    expect((await cli(['collection', 'create', 'By hand', '--rule', "os ~ 'Linux'"])).code).toBe(0)
    expect((await cli(['validate', '-f', file('atpctl.yaml')])).code).toBe(0)
    const pruned = await cli(['validate', '-f', file('atpctl.yaml'), '--prune'])
    expect(pruned.code).toBe(14)
    expect(pruned.stdout).toContain('- delete collection "By hand"')
  })

  it('reads the file from stdin with -f -', async () => {
    const yaml = (await cli(['export'])).stdout
    const plan = await cli(['plan', '-f', '-', '--json'], yaml)
    expect(plan.code).toBe(0)
    expect(plan.json<{file: string; summary: {create: number; update: number}}>()).toMatchObject({file: '-', summary: {create: 0, update: 0}})
  })
})
