/**
 * The CM3 deployment plan's SQL fast path (backends/local/policies.ts, PLAN_SQL) pinned to its
 * core rule (core/policy/rules.ts, missReason and planOutcome) on seeded random tenants: for
 * random policies and collection sets, every targeted device's miss reason, the counts and the
 * refusal (CM1–CM4, CM7).
 */
import {nameKey} from '../../../src/core/names.js'
import {missReason, planOutcome} from '../../../src/core/policy/rules.js'
import {MISS_REASONS, type MissReason} from '../../../src/core/policy/types.js'
import {tempBackend} from '../../helpers/backend.js'
import {seededRandom, testSeed, withSeed} from '../../helpers/random.js'
import {applyScenario, COLLECTIONS, NOW, randomScenario, type ScenarioPolicy, scenarioDevices} from '../device/agent-model.fixtures.js'

const SEED = testSeed(2002)
const ROUNDS = 6
const PLANS = 20
const produced = new Set<string>()

describe(`CM3 deployment plan: SQL fast path = core missReason (seed ${SEED})`, () => {
  for (let round = 0; round < ROUNDS; round++) {
    it(`round ${round}: ${PLANS} dry-run plans match the core rule device by device`, async () => {
      const rng = seededRandom((SEED + round * 104_729) >>> 0)
      const scenario = randomScenario(rng, 60, `p${round}`)
      // An offboarding policy that expires once the clock moves on (CM7), undeployed.
      const expiring: ScenarioPolicy = {name: 'expiring', type: 'offboarding', hasFile: true, hasKey: false, configMgrVersion: 2103, collections: []}
      let now = NOW
      const {backend, cleanup} = await tempBackend({withTenant: true, now: () => now})
      try {
        await applyScenario(backend, scenario)
        const tenant = (await backend.tenant.get())!
        await backend.policies.create({
          name: expiring.name,
          description: '',
          type: 'offboarding',
          configFile: {name: 'off.zip', sha256: 'b'.repeat(64), orgId: tenant.orgId, expiresAt: new Date(NOW.getTime() + 86_400_000).toISOString()},
          workspaceId: null,
          workspaceKey: null,
          sampleSharing: 'none',
          configMgrVersion: 2103,
        })
        // One of each single-part shape, undeployed, so every round can plan both CM3 misses.
        const single: ScenarioPolicy[] = [
          {name: 'file-only', type: 'onboarding', hasFile: true, hasKey: false, configMgrVersion: 2103, collections: []},
          {name: 'key-only', type: 'onboarding', hasFile: false, hasKey: true, configMgrVersion: 2103, collections: []},
        ]
        for (const p of single) {
          await backend.policies.create({
            name: p.name,
            description: '',
            type: 'onboarding',
            configFile: p.hasFile ? {name: 'cfg.zip', sha256: 'a'.repeat(64), orgId: tenant.orgId, expiresAt: null} : null,
            workspaceId: p.hasKey ? tenant.workspaceId : null,
            workspaceKey: p.hasKey ? (await backend.tenant.secrets()).workspaceKey : null,
            sampleSharing: 'none',
            configMgrVersion: 2103,
          })
        }

        now = new Date(NOW.getTime() + 2 * 86_400_000)
        const policies = [...scenario.policies, expiring, ...single]
        const devices = scenarioDevices(scenario)
        const member = (d: (typeof devices)[number], c: string) => d.collections.some((x) => nameKey(x) === nameKey(c))
        for (let plan = 0; plan < PLANS; plan++) {
          const policy = rng.pick(policies)
          const collections = rng.subset(COLLECTIONS, 0.5)
          if (collections.length === 0) collections.push(rng.pick(COLLECTIONS))
          const force = rng.chance(0.5)
          const {plan: actual} = await backend.policies.deploy({name: policy.name, collections, dryRun: true, force})
          // The core rule on the scenario's own data.
          const targeted = devices.filter((d) => collections.some((c) => member(d, c)))
          const misses: {name: string; osName: string; level: string; reason: MissReason}[] = []
          for (const d of targeted) {
            const otherTypeDeployed = scenario.policies.some((p) => p.name !== policy.name && p.type !== policy.type && p.collections.some((c) => member(d, c)))
            const reason = missReason(
              {configMgrClient: d.managedBy.includes('configmgr'), level: d.level, minConfigMgr: d.minConfigMgr, otherTypeDeployed},
              {type: policy.type, configMgrVersion: policy.configMgrVersion, hasFile: policy.hasFile, hasKey: policy.hasKey, expired: policy === expiring},
            )
            if (reason !== null) misses.push({name: d.name, osName: d.osName, level: d.level, reason})
          }

          misses.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
          const expected = planOutcome(targeted.length, misses, policy, force)
          for (const m of misses) produced.add(m.reason)
          await withSeed(rng.seed, `round ${round}, plan ${plan}: ${policy.name} -> ${collections.join(', ')}${force ? ' --force' : ''}`, () => {
            expect({summary: actual.summary, missed: actual.missed, refused: actual.refused, applied: actual.applied}).toEqual({...expected, applied: false})
          })
        }
      } finally {
        await cleanup()
      }
    })
  }

  it('the random plans produce every miss reason', () => {
    expect([...produced].sort()).toEqual([...MISS_REASONS].sort())
  })
})
