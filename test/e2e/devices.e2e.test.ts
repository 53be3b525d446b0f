import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {type CliResult, PROJECT_ROOT, runCli, tempHome} from '../helpers/cli.js'

const DAY = 86_400_000

/** The sample inventory with its dates moved next to now (recent = 1 h ago, old = 20 days ago). */
function sampleInventory(): string {
  const now = Date.now()
  return readFileSync(join(PROJECT_ROOT, 'fixtures', 'inventory', 'sample.csv'), 'utf8')
    .replaceAll('2026-11-20T08:00:00Z', new Date(now - 3_600_000).toISOString())
    .replaceAll('2026-11-01T08:00:00Z', new Date(now - 20 * DAY).toISOString())
}

describe('devices, collections, policies, deployment and monitoring (e2e, CM1–CM8)', () => {
  const {home, cleanup} = tempHome('atpctl-e2e-devices-')
  const cli = (args: string[], input?: string): Promise<CliResult> => runCli(args, {home, input})
  const reasons = (plan: {missed: {name: string; reason: string}[]}) => Object.fromEntries(plan.missed.map((m) => [m.name, m.reason]))
  let workspaceId: string

  beforeAll(async () => {
    expect((await cli(['init', '--location', 'eu'])).code).toBe(0)
    writeFileSync(join(home, 'inventory.csv'), sampleInventory())
    expect((await cli(['package', 'generate', 'onboarding', '--os', 'windows', '--method', 'configmgr', '--out', 'onboarding.zip'])).code).toBe(0)
    expect((await cli(['package', 'generate', 'offboarding', '--os', 'windows', '--method', 'configmgr', '--out', 'offboarding.zip'])).code).toBe(0)
    const ws = (await cli(['workspace', 'show', '--reveal', '--json'])).json().workspace
    workspaceId = ws.workspaceId
    writeFileSync(join(home, 'key.txt'), ws.workspaceKey + '\n', {mode: 0o600})
  })
  afterAll(() => cleanup())

  // Each test is a step of one story; a step runs the steps it builds on first (once), so any
  // test also passes when run alone (jest -t).
  const once = <T>(fn: () => Promise<T>) => {
    let done: Promise<T> | undefined
    return () => (done ??= fn())
  }

  const partialImport = once(async () => {
    writeFileSync(join(home, 'bad.csv'), 'name,os,version\nok-1,Windows 10 Enterprise,1803\nbad-1,Windows 10 Enterprise,1805\nbad-2,Plan 9,\n')
    const bad = await cli(['device', 'import', 'bad.csv', '--json'])
    const listedAfterBad = (await cli(['device', 'list', '--json'])).json().devices
    const skipped = await cli(['device', 'import', 'bad.csv', '--skip-invalid', '--json'])
    return {bad, listedAfterBad, skipped}
  })
  const importInventory = once(async () => {
    await partialImport()
    return cli(['device', 'import', 'inventory.csv', '--json'])
  })
  const buildCollection = once(async () => {
    await importInventory()
    return cli(['collection', 'create', 'Build 14393+', '--rule', 'build>=14393', '--json'])
  })
  const createPolicies = once(async () => {
    await importInventory()
    const keyArgs = ['--workspace-id', workspaceId, '--workspace-key-file', 'key.txt']
    const file = await cli(['policy', 'create', '--name', 'File only', '--type', 'onboarding', '--config-file', 'onboarding.zip'])
    const key = await cli(['policy', 'create', '--name', 'Key only', '--type', 'onboarding', ...keyArgs])
    const any = await cli(['policy', 'create', '--name', 'Any OS', '--type', 'onboarding', '--config-file', 'onboarding.zip', ...keyArgs, '--json'])
    return {file, key, any}
  })
  const collections = ['--collection', 'Servers', '--collection', 'Clients']
  const forcedDeploy = once(async () => {
    await createPolicies()
    const refused = await cli(['policy', 'deploy', 'Any OS', ...collections])
    const deploymentsAfterRefusal = (await cli(['policy', 'show', 'Any OS', '--json'])).json().policy.deployments
    const forced = await cli(['policy', 'deploy', 'Any OS', ...collections, '--force', '--json'])
    return {refused, deploymentsAfterRefusal, forced}
  })

  it('refuses a bad inventory with the line number and imports nothing (exit 7); --skip-invalid imports the rest', async () => {
    const {bad, listedAfterBad, skipped} = await partialImport()
    expect(bad.code).toBe(7)
    expect(bad.json().error.message).toMatch(/2 invalid rows.*line 3: .*1805.*line 4: .*Plan 9/)
    expect(listedAfterBad).toEqual([])
    expect(skipped.code).toBe(0)
    expect(skipped.json()).toMatchObject({summary: {total: 1, created: 1, skipped: 2}, invalid: [{line: 3}, {line: 4}]})
  })

  it('imports the mixed inventory and classifies every row (CM1, CM2)', async () => {
    const result = await importInventory()
    expect(result.code).toBe(0)
    expect(result.json().summary).toMatchObject({total: 19, created: 19, collectionsCreated: ['Clients', 'Servers']})
    const levels = Object.fromEntries((await cli(['device', 'list', '--collection', 'Servers', '--json'])).json().devices.map((d: any) => [d.name, d.level]))
    expect(levels).toEqual({
      'SRV-1709': 'down-level',
      'SRV-1803': 'up-level',
      'SRV-2012R2': 'down-level',
      'SRV-2016': 'down-level',
      'SRV-2019': 'up-level',
      'SRV-2022': 'up-level',
    })
    expect((await cli(['device', 'show', 'pc-w81'])).stdout).toMatch(/Level:\s+down-level/)
    const human = await cli(['device', 'show', 'pc-w10-1803'])
    expect(human.stdout).toMatch(/Groups:\s+Finance, VIP/)
    expect(human.stdout).toMatch(/Build:\s+17134 \(release 1803\)/)
    expect((await cli(['device', 'show', 'nope'])).code).toBe(3)
  })

  it('creates query-rule collections and shows the level mix', async () => {
    const created = await buildCollection()
    expect(created.code).toBe(0)
    // Windows 10 1607+, 11, Server 2016 and later, Azure VMs, and ok-1 from the partial import.
    expect(created.json().collection).toMatchObject({members: 12, levels: {upLevel: 10, downLevel: 2, unsupported: 0}})
    expect((await cli(['collection', 'create', 'Bad', '--rule', 'colour=red'])).code).toBe(2)
    const show = await cli(['collection', 'show', 'Servers'])
    expect(show.stdout).toMatch(/Levels:\s+3 up \/ 3 down \/ 0 unsupported \(mixed: needs an any-OS policy\)/)
  })

  it('creates the three policy shapes; CM4 refuses ConfigMgr 2002 without both parts; the file is inspected', async () => {
    const {file, key, any} = await createPolicies()
    expect([file.code, key.code, any.code]).toEqual([0, 0, 0])
    expect(any.json().policy).toMatchObject({shape: 'any-os', workspaceKey: true, configMgrVersion: 2103})
    expect(any.stdout).not.toContain(readFileSync(join(home, 'key.txt'), 'utf8').trim())
    const cm4 = await cli(['policy', 'create', '--name', 'Old', '--type', 'onboarding', '--config-file', 'onboarding.zip', '--configmgr-version', '2002', '--json'])
    expect(cm4.code).toBe(4)
    expect(cm4.json().error.code).toBe('REFUSED_CM4')
    expect((await cli(['policy', 'create', '--name', 'Wrong kind', '--type', 'offboarding', '--config-file', 'onboarding.zip'])).code).toBe(7)
    expect((await cli(['policy', 'create', '--name', 'No input'])).code).toBe(2)
  })

  it('plans every outcome, refuses (exit 4) when devices would be missed, and --force deploys (CM3)', async () => {
    await createPolicies()
    const file = (await cli(['policy', 'deploy', 'File only', ...collections, '--dry-run', '--json'])).json().plan
    expect(reasons(file)).toEqual({
      'PC-W10-1511': 'unsupported-os',
      'PC-W81': 'down-level-without-workspace',
      'SRV-1709': 'down-level-without-workspace',
      'SRV-2012R2': 'down-level-without-workspace',
      'SRV-2016': 'down-level-without-workspace',
    })
    const key = (await cli(['policy', 'deploy', 'Key only', ...collections, '--dry-run', '--json'])).json().plan
    expect(Object.keys(reasons(key)).sort()).toEqual(['PC-W10-1511', 'PC-W10-1803', 'PC-W10-22H2', 'PC-W11', 'SRV-1803', 'SRV-2019', 'SRV-2022'])
    expect(new Set(Object.values(reasons(key)))).toEqual(new Set(['unsupported-os', 'up-level-without-file']))

    const {refused, deploymentsAfterRefusal, forced} = await forcedDeploy()
    expect(refused.code).toBe(4)
    expect(refused.stdout).toMatch(/PC-W10-1511\s+Windows 10 1511\s+unsupported/)
    expect(refused.stderr).toMatch(/would miss 1 of 11 device\(s\).*Nothing was deployed/)
    expect(deploymentsAfterRefusal).toEqual([])

    expect(forced.code).toBe(0)
    expect(forced.json().plan).toMatchObject({applied: true, forced: true, summary: {targeted: 11, reached: 10, missed: 1}})
    // Issue 11 item 5: the deployment is an operation, finished when the command returns.
    expect(forced.json().operation).toMatchObject({kind: 'policy.deploy', status: 'succeeded', target: 'Any OS -> Servers, Clients', result: {applied: true}})
  })

  it('the agents report: device show says how or why not, and monitor has the CM6 figures', async () => {
    await buildCollection()
    await forcedDeploy()
    const shown = (name: string) => cli(['device', 'show', name, '--json']).then((r) => r.json().device)
    expect(await shown('SRV-2016')).toMatchObject({onboarded: true, health: 'healthy', onboarding: {path: 'configmgr', policy: 'Any OS'}})
    expect(await shown('SRV-1803')).toMatchObject({onboarded: true, health: 'inactive'})
    expect(await shown('PC-W11')).toMatchObject({onboarded: true, health: 'agent-state'})
    expect(await shown('SRV-2022')).toMatchObject({onboarded: false, health: 'not-onboarded', onboarding: {reasonCode: 'cm-never-seen'}})

    const monitor = await cli(['monitor', '--json'])
    expect(monitor.code).toBe(0)
    const report = monitor.json()
    expect(report.deployment).toEqual({eligible: 10, onboarded: 9, percent: 90})
    expect(report.health).toEqual({healthy: 7, inactive: 1, agentState: 1, notOnboarded: 1})
    expect(report.collections.map((c: any) => [c.name, c.deployment.eligible, c.deployment.onboarded])).toEqual([
      ['Build 14393+', 8, 7],
      ['Clients', 4, 4],
      ['Servers', 6, 5],
    ])
    const human = await cli(['monitor', '--collection', 'Servers'])
    expect(human.stdout).toMatch(/83.3%\s+5 of 6 eligible client\(s\) onboarded/)
  })

  it('Defender for Cloud and third-party paths follow the integrations (DC1, DC2, DC5, TP1, TP3)', async () => {
    await importInventory()
    const code = (name: string) => cli(['device', 'show', name, '--json']).then((r) => r.json().device.onboarding.reasonCode)
    expect(await code('AZ-SRV-2019')).toBe('dfc-integration-off')
    expect((await cli(['integration', 'enable', 'defender-for-cloud', '--subscription', 'sub-prod', '--windows-only'])).code).toBe(0)
    expect(await code('AZ-SRV-2019')).toBe('dfc-onboarded')
    expect(await code('AZ-W10')).toBe('dfc-windows-client-azure-vm')
    expect(await code('AZ-W10-AVD')).toBe('dfc-onboarded')
    expect(await code('ARC-UBU')).toBe('dfc-linux-off')
    expect((await cli(['integration', 'enable', 'defender-for-cloud', '--subscription', 'sub-prod', '--linux'])).code).toBe(0)
    expect(await code('ARC-UBU')).toBe('dfc-reconfigured')
    expect(await code('ARC-RHEL-FAN')).toBe('dfc-fanotify')
    expect(await code('MAC-01')).toBe('tp-integration-off')
    expect((await cli(['integration', 'enable', 'third-party', '--provider', 'sentinelone'])).code).toBe(0)
    expect(await code('MAC-01')).toBe('tp-onboarded')
  })

  it('offboarding conflicts with onboarding on the same devices; deleting a deployed policy needs --yes', async () => {
    await forcedDeploy()
    expect((await cli(['policy', 'create', '--name', 'Offboard', '--type', 'offboarding', '--config-file', 'offboarding.zip'])).code).toBe(0)
    const plan = (await cli(['policy', 'deploy', 'Offboard', '--collection', 'Servers', '--dry-run', '--json'])).json().plan
    expect(plan.summary.byReason).toEqual({'onboarding-and-offboarding': 6})
    const noTty = await cli(['policy', 'delete', 'Any OS'])
    expect(noTty.code).toBe(2)
    expect(noTty.stderr).toMatch(/--yes/)
    expect((await cli(['policy', 'delete', 'Any OS', '--yes', '--json'])).json()).toMatchObject({changed: true, policy: {name: 'Any OS'}})
    expect((await cli(['device', 'show', 'SRV-2016', '--json'])).json().device.onboarding.reasonCode).toBe('cm-not-targeted')
  })
})
