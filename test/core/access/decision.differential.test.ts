/**
 * IN8: the access decision through the embedded backend (access check: the user's groups and
 * the device's compliance read from the database, then core/access/rules.ts decideAccess) pinned
 * to the core rules alone on seeded random tenants: random conditional access policies
 * (include/exclude groups, all users, apps, client apps, disabled and report-only ones, the classic one) and
 * random sign-ins; decision, deciding policies, every policy's outcome and the explanation.
 */
import {type AccessPolicyCreateRequest, CLIENT_APPS, decideAccess} from '../../../src/core/access/rules.js'
import {checkAccess} from '../../../src/core/access/service.js'
import {tempBackend} from '../../helpers/backend.js'
import {seededRandom, testSeed, withSeed} from '../../helpers/random.js'
import {applyIntuneScenario, expectedCompliance, groupsOfUser, MANAGED_GROUPS, NOW, randomIntuneScenario} from '../compliance/intune.fixtures.js'

const SEED = testSeed(8)
const ROUNDS = 6
const SIGN_INS = 40
const APPS = ['sharepoint', 'exchange', 'teams']
const outcomes = {grant: 0, block: 0, byPolicy: 0, wouldHaveBlocked: 0}

describe(`access decision: backend = core decideAccess on the core compliance (seed ${SEED})`, () => {
  for (let round = 0; round < ROUNDS; round++) {
    it(`round ${round}: ${SIGN_INS} random sign-ins`, async () => {
      const rng = seededRandom((SEED + round * 49_979_687) >>> 0)
      const scenario = randomIntuneScenario(rng, 40, `a${round}`)
      const clock = {now: NOW}
      const {backend, cleanup} = await tempBackend({withTenant: true, now: () => clock.now})
      try {
        await applyIntuneScenario(backend, scenario, clock)
        for (let i = 0; i < rng.int(1, 4); i++) {
          const request: AccessPolicyCreateRequest = {
            name: `ca-${i}`,
            includeGroups: rng.chance(0.3) ? ['all'] : rng.subset(MANAGED_GROUPS, 0.6).concat(rng.chance(0.2) ? ['all'] : []),
            excludeGroups: rng.subset(MANAGED_GROUPS, 0.2),
            apps: rng.chance(0.3) ? ['all'] : rng.subset(APPS, 0.5),
            clients: rng.subset(CLIENT_APPS, 0.7),
            grant: 'compliant-device',
            enabled: rng.chance(0.8),
            // Report-only (Graph's enabledForReportingButNotEnforced): evaluated, never enforced.
            reportOnly: rng.chance(0.25),
          }
          if (request.includeGroups.length === 0) request.includeGroups.push('all')
          if (request.apps.length === 0) request.apps.push(rng.pick(APPS))
          if (request.clients.length === 0) request.clients.push(rng.pick(CLIENT_APPS))
          await backend.access.createPolicy(request)
        }

        const policies = (await backend.access.listPolicies()).items
        const connection = (await backend.integrations.state()).intune
        const ids = new Map((await backend.compliance.evaluate()).map((d) => [d.deviceName, d.deviceId]))
        const compliance = expectedCompliance(scenario, (await backend.compliance.list()).items, connection, ids)
        // Users the tenant knows: signed in somewhere or members of a group.
        const users = [...new Set([...scenario.records.map((d) => d.user), ...Object.values(scenario.members).flatMap((m) => m.users)])].filter((u): u is string => u !== null)
        for (let i = 0; i < SIGN_INS && users.length > 0; i++) {
          const user = rng.pick(users)
          const device = rng.pick(scenario.records)
          const app = rng.pick(APPS)
          const client = rng.pick(CLIENT_APPS)
          const actual = await checkAccess(backend, {user, device: device.name, app, client, profile: 'test'})
          const expected = decideAccess(policies, {user, userGroups: groupsOfUser(scenario, user), app, client, device: compliance.get(device.name)!})
          outcomes[expected.decision]++
          if (expected.decidedBy.length > 0) outcomes.byPolicy++
          if (expected.wouldHaveBlocked.length > 0) outcomes.wouldHaveBlocked++
          await withSeed(rng.seed, `round ${round}, sign-in ${i}: ${user} on ${device.name}, ${app}, ${client}; policies ${JSON.stringify(policies)}`, () => expect(actual).toEqual(expected))
        }
      } finally {
        await cleanup()
      }
    })
  }

  it('the random sign-ins were granted and blocked, mostly by a policy', () => {
    expect(outcomes.grant).toBeGreaterThan(0)
    expect(outcomes.block).toBeGreaterThan(0)
    expect(outcomes.byPolicy).toBeGreaterThan(ROUNDS * 5)
    expect(outcomes.wouldHaveBlocked).toBeGreaterThan(0)
  })
})
