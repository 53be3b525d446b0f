import {runCli, tempHome} from '../helpers/cli.js'

describe('quickstart runs an EICAR check on an onboarded device (DT1, TP5)', () => {
  const {home, cleanup} = tempHome('atpctl-qs-detect-')
  afterAll(cleanup)

  it('shows the alert, and is re-runnable', async () => {
    for (let run = 0; run < 2; run++) {
      const result = await runCli(['quickstart', '--json'], {home})
      expect(result.code).toBe(0)
      const steps = result.json().steps as {id: string; data: any}[]
      const eicar = steps.find((s) => s.id === 'detect-eicar')!
      expect(eicar.data).toMatchObject({outcome: 'alert-seen'})
      const shown = steps.find((s) => s.id === 'alert-show')!
      expect(shown.data).toMatchObject({id: eicar.data.alertId, title: "'EICAR_Test_File' malware was prevented"})
      expect(['Informational', 'Low', 'Medium', 'High']).toContain(shown.data.risk)
    }
  })
})
