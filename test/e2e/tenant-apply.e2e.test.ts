/**
 * Tenant as code end to end (issue 14), through the built CLI without a terminal: a file with
 * every kind applied to a fresh tenant, then plan is empty and a rerun applies nothing; --prune
 * deletes; a saved plan is refused after a change made by hand; and the rehearsal how-to copies
 * one profile's set-up into another (`export | apply -f -`).
 */
import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli, tempHome} from '../helpers/cli.js'

const seen = () => new Date(Date.now() - 3_600_000).toISOString()

function everyKind(workspaceId: string): string {
  return `# every kind an embedded tenant holds
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
    - subscriptionId: sub-e2e
      cloud: commercial
      windows: true
      linux: true
groups:
  - name: Finance
    description: finance team
    devices: [FIN-SRV-01]
    users: [ann@contoso.com]
collections:
  - name: All Windows
    rules: ["family = windows"]
  - name: Old servers
    limitTo: All Windows
    rules: ["os-name ~ 2012"]
    members: [FIN-LT-01]
policies:
  - name: Any OS
    type: onboarding
    configFile: {file: onboarding.zip}
    workspaceId: ${workspaceId}
    workspaceKey: {file: secrets/workspace.key}
    deployments: [Old servers]
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
    apps: [Office 365]
    clients: [browser]
    grant: compliant-device
appConfigurations:
  - name: iOS supervised
    kind: ios-supervised
    assignGroup: Finance
`
}

describe('tenant as code: apply', () => {
  const {home, cleanup} = tempHome('atpctl-apply-e2e-')
  const cli = (...args: string[]) => runCli(args, {home})
  const yaml = join(home, 'atpctl.yaml')
  let applied: Awaited<ReturnType<typeof cli>>
  afterAll(cleanup)

  beforeAll(async () => {
    expect((await cli('init', '--location', 'us')).code).toBe(0)
    expect((await cli('package', 'generate', 'onboarding', '--os', 'windows', '--method', 'configmgr', '--out', join(home, 'onboarding.zip'))).code).toBe(0)
    expect((await cli('workspace', 'show', '--reveal', '--out', join(home, 'workspace.key'))).code).toBe(0)
    mkdirSync(join(home, 'secrets'))
    renameSync(join(home, 'workspace.key'), join(home, 'secrets', 'workspace.key'))
    const csv = join(home, 'devices.csv')
    writeFileSync(csv, `name,os,version,managedBy,lastSeen\nFIN-SRV-01,Windows Server 2012 R2,6.3.9600,configmgr,${seen()}\nFIN-LT-01,Windows 11 Enterprise,10.0.22631,configmgr,${seen()}\n`)
    expect((await cli('device', 'import', csv)).code).toBe(0)
    const workspace = (await cli('workspace', 'show', '--json')).json()
    writeFileSync(yaml, everyKind(workspace.workspace.workspaceId))
    // Without a terminal, --yes is needed (exit 2) and nothing changes.
    const noYes = await cli('apply', '-f', yaml)
    expect(noYes.code).toBe(2)
    expect(noYes.stderr).toMatch(/--yes/)
    applied = await cli('apply', '-f', yaml, '--yes', '--json')
    expect(applied.code).toBe(0)
  })

  it('applies a file with every kind to a fresh tenant; plan is then empty; a rerun applies nothing; one audit record', async () => {
    const result = applied.json()
    expect(result.summary).toMatchObject({created: 10, updated: 2, deleted: 0})
    expect(result.steps.map((s: {kind: string}) => s.kind)).toEqual([
      'third-party',
      'intune',
      'defender-for-cloud',
      'group',
      'collection',
      'collection',
      'policy',
      'deployment',
      'edr-profile',
      'compliance-policy',
      'access-policy',
      'app-config',
    ])
    // A secret never reaches the output.
    expect(applied.stdout).not.toContain(readFileSync(join(home, 'secrets', 'workspace.key'), 'utf8').trim())

    const plan = await cli('plan', '-f', yaml, '--json')
    expect(plan.code).toBe(0)
    expect(plan.json().summary).toMatchObject({create: 0, update: 0, delete: 0})
    const again = await cli('apply', '-f', yaml, '--yes')
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/No changes: profile 'default' already matches/)

    const audit = (await cli('audit', 'list', '--operation', 'setup.apply', '--json')).json()
    expect(audit.records).toHaveLength(1)
    expect(audit.records[0]).toMatchObject({outcome: 'ok', target: `plan document=${result.documentSha256} tenant=${result.tenantSha256}: 10 created, 2 updated, 0 deleted`})
  })

  it('refuses a saved plan after a change made by hand (exit 4), then applies a fresh one', async () => {
    const planFile = join(home, 'plan.json')
    writeFileSync(join(home, 'more.yaml'), readEvery().replace('groups:\n', 'groups:\n  - name: Contractors\n'))
    const planned = await cli('plan', '-f', join(home, 'more.yaml'), '--out', planFile, '--force')
    expect({code: planned.code, stderr: planned.stderr}).toEqual({code: 0, stderr: expect.any(String)})
    expect((await cli('group', 'create', 'By hand')).code).toBe(0)
    const stale = await cli('apply', '-f', join(home, 'more.yaml'), '--plan', planFile, '--yes')
    expect(stale.code).toBe(4)
    expect(stale.stderr).toMatch(/The tenant changed since the plan was made; run atpctl plan again\./)
    expect((await cli('group', 'show', 'Contractors')).code).toBe(3)
    expect((await cli('plan', '-f', join(home, 'more.yaml'), '--out', planFile, '--force')).code).toBe(0)
    const fresh = await cli('apply', '-f', join(home, 'more.yaml'), '--plan', planFile, '--yes', '--json')
    expect(fresh.code).toBe(0)
    expect(fresh.json().steps.map((s: {id: string}) => s.id)).toEqual(['create group Contractors'])
  })

  it('--prune deletes what the file no longer names (a group made by hand, the app configuration)', async () => {
    writeFileSync(join(home, 'pruned.yaml'), readEvery().replace(/appConfigurations:[\s\S]*$/, 'appConfigurations: []\n'))
    expect((await cli('group', 'create', 'Pruned by hand')).code).toBe(0)
    const kept = await cli('apply', '-f', join(home, 'pruned.yaml'), '--yes', '--json')
    // Without --prune nothing is deleted: the extra resources are unmanaged.
    expect(kept.json().summary.deleted).toBe(0)
    const pruned = await cli('apply', '-f', join(home, 'pruned.yaml'), '--prune', '--yes', '--json')
    expect(pruned.code).toBe(0)
    const ids: string[] = pruned.json().steps.map((s: {id: string}) => s.id)
    // (The groups the saved-plan case made go too, when it ran first.)
    expect(ids).toEqual(expect.arrayContaining(['delete app-config iOS supervised', 'delete group Pruned by hand']))
    expect(ids.filter((id) => !id.startsWith('delete group') && id !== 'delete app-config iOS supervised')).toEqual([])
    expect((await cli('group', 'show', 'Pruned by hand')).code).toBe(3)
    expect((await cli('plan', '-f', join(home, 'pruned.yaml'), '--prune', '--json')).json().summary).toMatchObject({create: 0, update: 0, delete: 0})
  })

  it('rehearses: export of one profile applied to another (export | apply -f - --yes)', async () => {
    expect((await cli('init', '--profile', 'lab', '--location', 'us')).code).toBe(0)
    // The inventory is not in the file: the lab gets it first, then the set-up that names its devices.
    expect((await cli('device', 'import', join(home, 'devices.csv'), '--profile', 'lab')).code).toBe(0)
    const exported = await cli('export', '--only', 'group', '--only', 'edr-profile', '--only', 'compliance-policy', '--only', 'access-policy', '--only', 'third-party', '--only', 'intune')
    expect(exported.code).toBe(0)
    const rehearsal = await runCli(['apply', '-f', '-', '--profile', 'lab', '--yes', '--json'], {home, input: exported.stdout})
    expect({code: rehearsal.code, stderr: rehearsal.stderr}).toEqual({code: 0, stderr: ''})
    expect(rehearsal.json().summary.created).toBeGreaterThan(3)
    const check = await runCli(['plan', '-f', '-', '--profile', 'lab', '--json'], {home, input: exported.stdout})
    expect(check.json().summary).toMatchObject({create: 0, update: 0, delete: 0})
    expect((await cli('edr-profile', 'show', 'EDR Finance', '--profile', 'lab')).code).toBe(0)
  })

  function readEvery(): string {
    return readFileSync(yaml, 'utf8')
  }
})
