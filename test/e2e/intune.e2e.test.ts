import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli, tempHome} from '../helpers/cli.js'

// Seed 003's story end to end through the built CLI, without a terminal (as CI runs it).
describe('Intune story: compliance by machine risk gates access (IN2-IN4, IN7, IN8)', () => {
  const {home, cleanup} = tempHome()
  const cli = (...args: string[]) => runCli(args, {home})
  const access = (device: string, ...extra: string[]) => cli('access', 'check', '--user', 'alice@contoso.com', '--device', device, '--app', 'sharepoint', '--client', 'browser', ...extra)
  afterAll(cleanup)

  beforeAll(async () => {
    expect((await cli('init', '--location', 'us')).code).toBe(0)
    expect((await cli('integration', 'enable', 'intune', '--windows', '--android', '--no-ios')).code).toBe(0)
    const now = new Date().toISOString()
    const csv = join(home, 'devices.csv')
    writeFileSync(
      csv,
      [
        'name,os,version,managedBy,user,groups,lastSeen',
        `FIN-LT-001,Windows 11 Enterprise,10.0.22631,intune,alice@contoso.com,Finance,${now}`,
        `FIN-LT-OLD,Windows 10 Pro,10.0.14393,intune,alice@contoso.com,Finance,${now}`,
        `IPAD-01,iPadOS,17.1,intune,alice@contoso.com,,${now}`,
        '',
      ].join('\n'),
    )
    expect((await cli('device', 'import', csv)).code).toBe(0)
  })

  it('IN4: an EDR profile onboards the reached Windows device; the old build stays off (IN2)', async () => {
    const created = await cli('edr-profile', 'create', '--name', 'EDR Finance', '--sample-sharing', 'all', '--assign-device-group', 'Finance', '--json')
    expect(created.code).toBe(0)
    const states = Object.fromEntries(created.json().devices.map((d: {deviceName: string; onboarded: boolean}) => [d.deviceName, d.onboarded]))
    expect(states).toEqual({'FIN-LT-001': true, 'FIN-LT-OLD': false})
    const device = await cli('device', 'show', 'FIN-LT-001', '--json')
    expect(device.json().device.onboarded).toBe(true)
  })

  it('IN7/IN8: compliant → EICAR alert → noncompliant under clear → blocked (exit 4) → resolved → granted (exit 0)', async () => {
    expect((await cli('compliance', 'create', '--name', 'Windows clear', '--platform', 'windows', '--max-risk', 'clear')).code).toBe(0)
    expect((await cli('access', 'policy', 'create', '--name', 'Require compliant device', '--include-group', 'all', '--app', 'sharepoint', '--client', 'browser')).code).toBe(0)

    const before = await access('FIN-LT-001', '--json')
    expect(before.code).toBe(0)
    expect(before.json()).toMatchObject({decision: 'grant', compliance: {status: 'compliant', risk: 'None'}})

    const eicar = await cli('detect', 'eicar', '--device', 'FIN-LT-001', '--timeout', '30s', '--json')
    expect(eicar.code).toBe(0)
    const alertId = eicar.json().alert.id as string

    const evaluation = await cli('compliance', 'evaluate', '--device', 'FIN-LT-001', '--json')
    const verdict = evaluation.json().devices[0]
    expect(verdict).toMatchObject({status: 'noncompliant', policy: 'Windows clear', maxRisk: 'clear'})

    const blocked = await access('FIN-LT-001')
    expect(blocked.code).toBe(4)
    expect(blocked.stdout).toContain(`BLOCKED: blocked by 'Require compliant device': device risk ${verdict.risk} is above the maximum Clear of policy 'Windows clear'`)
    const blockedJson = await access('FIN-LT-001', '--json')
    expect(blockedJson.code).toBe(4)
    expect(blockedJson.json()).toMatchObject({decision: 'block', decidedBy: ['Require compliant device']})

    expect((await cli('alert', 'resolve', alertId)).code).toBe(0)
    const after = await access('FIN-LT-001', '--json')
    expect(after.code).toBe(0)
    expect(after.json().decision).toBe('grant')
  })

  it('IN2/IN8: the platform toggle and minimum version leave devices without compliance, which blocks them', async () => {
    const ipad = await access('IPAD-01')
    expect(ipad.code).toBe(4)
    expect(ipad.stdout).toContain("device IPAD-01 has no compliance state: the Intune connection's iOS toggle is off")
    const old = await access('FIN-LT-OLD')
    expect(old.code).toBe(4)
    expect(old.stdout).toContain('Windows 10.0.14393 is below the minimum 10.0.15063')
  })

  it('IN8: exclude groups and disabled policies grant; IN3: the classic policy cannot be deleted', async () => {
    expect((await cli('group', 'create', 'Break glass')).code).toBe(0)
    expect((await cli('group', 'add', 'Break glass', '--user', 'alice@contoso.com')).code).toBe(0)
    expect((await cli('access', 'policy', 'create', '--name', 'All apps', '--include-group', 'all', '--exclude-group', 'Break glass', '--app', 'all')).code).toBe(0)
    expect((await cli('access', 'policy', 'disable', 'Require compliant device')).code).toBe(0)
    const granted = await access('IPAD-01', '--json')
    expect(granted.code).toBe(0)
    expect(granted.json().policies.find((p: {policy: string}) => p.policy === 'All apps').reason).toBe("user alice@contoso.com is excluded through group 'Break glass'")

    const list = await cli('access', 'policy', 'list', '--json')
    const classic = list.json().policies.find((p: {kind: string}) => p.kind === 'classic')
    expect(classic.protected).toBe(true)
    const del = await cli('access', 'policy', 'delete', classic.name, '--yes', '--json')
    expect(del.code).toBe(4)
    expect(del.json().error.code).toBe('REFUSED_IN3')
  })
})
