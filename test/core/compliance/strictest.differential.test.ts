/**
 * IN2/IN7: the set-based compliance evaluation (backends/local/compliance.ts, EVALUATION_CTE:
 * the strictest assigned policy of each device's platform, ranked in SQL) pinned to the core
 * rules (core/compliance/rules.ts, strictestPolicy and judgeCompliance) on seeded random Intune
 * tenants; the one-device path (`--device`, `access check`) runs the core rules themselves and
 * must agree too.
 */
import {tempBackend} from '../../helpers/backend.js'
import {seededRandom, testSeed, withSeed} from '../../helpers/random.js'
import {applyIntuneScenario, expectedCompliance, NOW, randomIntuneScenario} from './intune.fixtures.js'

const SEED = testSeed(15063)
const ROUNDS = 8
const DEVICES = 60
const decided = {withPolicy: 0, ties: 0}

describe(`compliance: SQL evaluation = core strictestPolicy + judgeCompliance (seed ${SEED})`, () => {
  for (let round = 0; round < ROUNDS; round++) {
    it(`round ${round}: every device's verdict, all at once and one by one`, async () => {
      const rng = seededRandom((SEED + round * 32_452_843) >>> 0)
      const scenario = randomIntuneScenario(rng, DEVICES, `i${round}`)
      const clock = {now: NOW}
      const {backend, cleanup} = await tempBackend({withTenant: true, now: () => clock.now})
      try {
        await applyIntuneScenario(backend, scenario, clock)
        const policies = (await backend.compliance.list()).items
        const connection = (await backend.integrations.state()).intune
        const all = await backend.compliance.evaluate()
        const ids = new Map(all.map((d) => [d.deviceName, d.deviceId]))
        const expected = expectedCompliance(scenario, policies, connection, ids)
        decided.withPolicy += [...expected.values()].filter((e) => e.policy !== null).length
        decided.ties += new Set(policies.map((p) => p.createdAt)).size < policies.length ? 1 : 0
        await withSeed(rng.seed, `round ${round}: policies ${JSON.stringify(policies)}`, async () => {
          expect(all.length).toBe(expected.size)
          for (const got of all) expect(got).toEqual(expected.get(got.deviceName))
          for (const d of rng.subset(scenario.records, 0.2)) {
            expect(await backend.compliance.evaluate({device: d.name})).toEqual([expected.get(d.name)])
          }
        })
      } finally {
        await cleanup()
      }
    })
  }

  it('the random tenants decided verdicts by a policy and had creation-time ties', () => {
    expect(decided.withPolicy).toBeGreaterThan(ROUNDS * 5)
    expect(decided.ties).toBeGreaterThan(0)
  })
})
