import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli, tempHome} from '../helpers/cli.js'

/** The whole admin path through the CLI only: inventory, ConfigMgr policy, deployment, then the checks. */
describe('detect on devices onboarded by a ConfigMgr policy deployment (CM6 → DT1–DT3)', () => {
  const {home, cleanup} = tempHome('atpctl-detect-policy-')
  afterAll(cleanup)

  beforeAll(async () => {
    const ok = async (args: string[]) => {
      const r = await runCli(args, {home})
      if (r.code !== 0) throw new Error(`atpctl ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
    }

    const now = new Date().toISOString()
    writeFileSync(
      join(home, 'inventory.csv'),
      [
        'name,os,version,managedBy,collections,lastSeen,sensorService',
        `ws-01,Windows 10 Enterprise,1809,configmgr,Workstations,${now},running`,
        `ws-02,Windows 10 Enterprise,21H2,configmgr,Workstations,${now},stopped`,
        `ws-03,Windows 10 Enterprise,1809,configmgr,Unmanaged,${now},running`,
      ].join('\n') + '\n',
    )
    await ok(['init', '--location', 'eu'])
    await ok(['package', 'generate', 'onboarding', '--os', 'windows', '--method', 'configmgr', '--out', join(home, 'onboarding.zip')])
    await ok(['device', 'import', join(home, 'inventory.csv')])
    await ok(['policy', 'create', '--name', 'ATP onboarding', '--type', 'onboarding', '--config-file', join(home, 'onboarding.zip'), '--sample-sharing', 'none'])
    await ok(['policy', 'deploy', 'ATP onboarding', '--collection', 'Workstations'])
  })

  it('DT1: an onboarded, healthy workstation passes and the alert is on it', async () => {
    const result = await runCli(['detect', 'eicar', '--device', 'ws-01', '--json'], {home})
    expect(result.code).toBe(0)
    const verdict = result.json()
    expect(verdict.preflight.find((c: {name: string}) => c.name === 'onboarded').detail).toMatch(/ATP onboarding/)
    const alerts = (await runCli(['alert', 'list', '--device', 'ws-01', '--json'], {home})).json().alerts
    expect(alerts.map((a: {id: string}) => a.id)).toEqual([verdict.alert.id])
  })

  it('DT3: sensor service stopped is agent state (12); outside the deployment is not onboarded (11)', async () => {
    expect((await runCli(['detect', 'eicar', '--device', 'ws-02'], {home})).code).toBe(12)
    const outside = await runCli(['detect', 'test-alert', '--os', 'windows', '--device', 'ws-03', '--run'], {home})
    expect(outside.code).toBe(11)
    expect(outside.stderr).toMatch(/not onboarded/)
  })

  it('DC8: the Windows test alert on a deployed workstation', async () => {
    const result = await runCli(['detect', 'test-alert', '--os', 'windows', '--device', 'ws-01', '--run', '--json'], {home})
    expect(result.code).toBe(0)
    expect(result.json().verdict.alert).toMatchObject({title: '[TestAlert] Suspicious PowerShell CommandLine', severity: 'Informational', category: 'Execution'})
  })
})
