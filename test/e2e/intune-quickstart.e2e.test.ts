import {runCli, tempHome} from '../helpers/cli.js'

describe('quickstart: the Intune part (seed 003 story), twice', () => {
  const {home, cleanup} = tempHome()
  afterAll(cleanup)

  it('walks connect → EDR onboarding → compliant → EICAR blocks → resolve grants, and can run again', async () => {
    for (let run = 0; run < 2; run++) {
      const result = await runCli(['quickstart', '--json'], {home})
      expect(result.code).toBe(0)
      const steps = Object.fromEntries(result.json().steps.map((s: {id: string; data: unknown}) => [s.id, s.data]))
      expect(steps['edr-profile']).toMatchObject({device: {deviceName: 'qs-intune-lt-01', onboarded: true}})
      expect(steps.compliance).toMatchObject({status: 'compliant', risk: 'None'})
      expect(steps['access-policy']).toMatchObject({decision: 'grant'})
      expect(steps['access-blocked']).toMatchObject({decision: 'block', compliance: {status: 'noncompliant', maxRisk: 'clear'}})
      expect(steps['access-restored']).toMatchObject({decision: 'grant'})
    }

    // The state it leaves behind is usable by hand: the blocked-then-restored device is granted.
    const check = await runCli(['access', 'check', '--user', 'alice@contoso.com', '--device', 'qs-intune-lt-01', '--app', 'sharepoint'], {home})
    expect(check.code).toBe(0)
    expect(check.stdout).toMatch(/^GRANTED: /)
  })
})
