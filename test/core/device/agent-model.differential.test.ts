/**
 * The agent model's SQL fast path (backends/local/device-state.ts, deviceStateSql; the monitor's
 * aggregates over it) pinned to its core rule (core/device/onboarding.ts, decideOnboarding) on
 * seeded random tenants: every device's reason code, onboarded flag, path, policy, reason text
 * and health, and the monitor's deployment status and health counts (CM3, CM6, DC1–DC5, TP1/TP3, IN2/IN4).
 */
import type {Backend} from '../../../src/core/port/types.js'
import {tempBackend} from '../../helpers/backend.js'
import {seededRandom, testSeed, withSeed} from '../../helpers/random.js'
import {applyScenario, byName, expectedOnboarding, NOW, PERIOD_MS, randomScenario} from './agent-model.fixtures.js'

const SEED = testSeed(20261120)
const ROUNDS = 10
const DEVICES = 100
/** Reason codes the random tenants produced: the generator must reach most of them to mean anything. */
const produced = new Set<string>()

describe(`agent model: SQL fast path = core decideOnboarding (seed ${SEED})`, () => {
  for (let round = 0; round < ROUNDS; round++) {
    it(`round ${round}: every device's onboarding and health, and the monitor's counts, match the core rule`, async () => {
      const rng = seededRandom((SEED + round * 7919) >>> 0)
      const scenario = randomScenario(rng, DEVICES, `r${round}`)
      const {backend, cleanup} = await tempBackend({withTenant: true, now: () => NOW})
      try {
        await applyScenario(backend, scenario)
        const state = await backend.integrations.state()
        const expected = byName(expectedOnboarding(scenario, state))
        for (const e of expected) produced.add(e.decision.reasonCode)
        const actual = byName((await backend.devices.list({periodMs: PERIOD_MS})).items)
        await withSeed(rng.seed, `round ${round}`, () => {
          expect(actual.map((d) => d.name)).toEqual(expected.map((d) => d.name))
          for (let i = 0; i < expected.length; i++) {
            const want = expected[i]
            const got = actual[i]
            expect({name: got.name, onboarding: got.onboarding, onboarded: got.onboarded, health: got.health}).toEqual({
              name: want.name,
              onboarding: want.onboarding,
              onboarded: want.decision.onboarded,
              health: want.decision.health,
            })
          }
        })
        await checkMonitor(backend, expected, rng.seed)
      } finally {
        await cleanup()
      }
    })
  }

  it('the random tenants reach at least 24 of the reason codes', () => {
    expect(produced.size).toBeGreaterThanOrEqual(24)
  })
})

/** CM6: the dashboard's totals are the core decisions counted. */
async function checkMonitor(backend: Backend, expected: ReturnType<typeof expectedOnboarding>, seed: number): Promise<void> {
  const report = await backend.monitor.report({periodMs: PERIOD_MS})
  const eligible = expected.filter((e) => e.decision.eligible)
  const count = (list: typeof expected, health: string) => list.filter((e) => e.decision.health === health).length
  const codes = (...c: string[]) => expected.filter((e) => c.includes(e.decision.reasonCode)).length
  await withSeed(seed, 'monitor', () => {
    expect(report.devices).toBe(expected.length)
    expect(report.deployment).toMatchObject({eligible: eligible.length, onboarded: eligible.filter((e) => e.decision.onboarded).length})
    expect(report.health).toEqual({
      healthy: count(eligible, 'healthy'),
      inactive: count(eligible, 'inactive'),
      agentState: count(eligible, 'agent-state'),
      notOnboarded: count(eligible, 'not-onboarded'),
    })
    expect(report.onboardedByPath).toEqual({
      configmgr: codes('cm-onboarded'),
      'defender-for-cloud': codes('dfc-onboarded', 'dfc-reconfigured'),
      'third-party': codes('tp-onboarded'),
      sensor: codes('sensor-onboarded'),
    })
  })
}
