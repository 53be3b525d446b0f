/**
 * The executor of `atpctl apply` (issue 14): the order of the steps, prune, the steps through a
 * real embedded backend, and the secrets resolved before any change. Plans are built by hand
 * here (the plan itself is plan.ts's, tested with it).
 */
import {normaliseRow} from '../../../src/core/device/inventory.js'
import {
  applyAuditTarget,
  assertNoBlockingPredictions,
  assertPlanFresh,
  assertPlanOfDocument,
  assertStepsSupported,
  executeSteps,
  NO_SECRETS,
  parseSavedPlan,
  resolveSetupSecrets,
  type SecretReader,
  setupSteps,
  summariseApply,
} from '../../../src/core/tenant-file/apply.js'
import type {TenantDocument} from '../../../src/core/tenant-file/document.js'
import type {ResourceAction, ResourceDifference, SetupKind, SetupPlan} from '../../../src/core/tenant-file/plan-types.js'
import {ALL_SUPPORTED, type Capabilities} from '../../../src/core/capabilities.js'
import {tempBackend} from '../../helpers/backend.js'

function planOf(resources: [SetupKind, string, ResourceAction][], options: {prune?: boolean} = {}): SetupPlan {
  const list: ResourceDifference[] = resources.map(([kind, name, action]) => ({kind, name, action, fields: []}))
  const count = (a: ResourceAction) => list.filter((r) => r.action === a).length
  return {
    format: 'atpctl-plan/1',
    createdAt: '2026-01-01T00:00:00.000Z',
    profile: 'test',
    backend: 'local',
    file: 'atpctl.yaml',
    prune: options.prune ?? false,
    documentSha256: 'd'.repeat(64),
    tenantSha256: 't'.repeat(64),
    resources: list,
    predictions: [],
    summary: {create: count('create'), update: count('update'), delete: count('delete'), unchanged: count('unchanged'), unmanaged: count('unmanaged')},
  }
}

const DOCUMENT: TenantDocument = {
  version: 'atpctl/v1',
  tenant: {location: 'us'},
  integrations: {
    thirdParty: [{provider: 'bitdefender', enabled: true}],
    intune: {enabled: true, windows: true},
    defenderForCloud: [{subscriptionId: 'sub-1', cloud: 'commercial', windows: true, linux: true}],
  },
  groups: [{name: 'Finance', description: 'finance team', devices: ['ws-01'], users: ['ann@contoso.com']}],
  // The limited one first in the file: apply still creates its limit first.
  collections: [
    {name: 'Win11', limitTo: 'All Windows', rules: ['os-name ~ 2012']},
    {name: 'All Windows', rules: ['family = windows'], members: ['ws-02']},
  ],
  policies: [{name: 'Onboard', type: 'onboarding', workspaceId: 'ws', workspaceKey: {env: 'TEST_WORKSPACE_KEY'}, deployments: ['Win11']}],
  edrProfiles: [{name: 'EDR', sampleSharing: 'all', expediteTelemetry: true, deviceGroups: ['Finance']}],
  compliancePolicies: [{name: 'Win risk', platform: 'windows', maxRisk: 'medium', assignGroup: 'Finance'}],
  accessPolicies: [{name: 'Require compliant', enabled: true, includeGroups: ['Finance'], apps: ['Office 365'], clients: ['browser'], grant: 'compliant-device'}],
  appConfigurations: [{name: 'iOS supervised', kind: 'ios-supervised', assignGroup: 'Finance'}],
}

const EVERY_CREATE: [SetupKind, string, ResourceAction][] = [
  ['app-config', 'iOS supervised', 'create'],
  ['access-policy', 'Require compliant', 'create'],
  ['compliance-policy', 'Win risk', 'create'],
  ['edr-profile', 'EDR', 'create'],
  ['deployment', 'Onboard -> Win11', 'create'],
  ['policy', 'Onboard', 'create'],
  ['collection', 'All Windows', 'create'],
  ['collection', 'Win11', 'create'],
  ['group', 'Finance', 'create'],
  ['defender-for-cloud', 'sub-1', 'create'],
  ['intune', 'intune', 'update'],
  ['third-party', 'bitdefender', 'update'],
  ['tenant', 'us', 'unchanged'],
]

/** A backend without collections, as the microsoft backend declares it. */
const NO_COLLECTIONS: Capabilities = {...ALL_SUPPORTED, collections: {supported: false, instead: 'On a real tenant collections are machine tags.'}}

const reader = (env: Record<string, string>, files: Record<string, string> = {}): SecretReader => ({
  env: (name) => env[name],
  path: (file) => `/tenant-files/${file}`,
  read: async (path) => (path in files ? Buffer.from(files[path]) : null),
})

describe('setupSteps', () => {
  it('orders creates and updates by kind (a limiting collection before the one it limits), and leaves unchanged ones out', () => {
    const steps = setupSteps(planOf(EVERY_CREATE), DOCUMENT)
    expect(steps.map((s) => `${s.kind} ${s.name}`)).toEqual([
      'third-party bitdefender',
      'intune intune',
      'defender-for-cloud sub-1',
      'group Finance',
      'collection All Windows',
      'collection Win11',
      'policy Onboard',
      'deployment Onboard -> Win11',
      'edr-profile EDR',
      'compliance-policy Win risk',
      'access-policy Require compliant',
      'app-config iOS supervised',
    ])
    expect(steps[0]).toEqual({id: 'update third-party bitdefender', kind: 'third-party', name: 'bitdefender', action: 'update'})
  })

  it('deletes only in a pruning plan, after every create, in reverse kind order', () => {
    const resources: [SetupKind, string, ResourceAction][] = [
      ['group', 'Old group', 'delete'],
      ['collection', 'Old', 'delete'],
      ['deployment', 'P -> Old', 'delete'],
      ['policy', 'P', 'delete'],
      ['group', 'Finance', 'create'],
      ['app-config', 'Old config', 'delete'],
    ]
    expect(setupSteps(planOf(resources, {prune: true}), DOCUMENT).map((s) => s.id)).toEqual([
      'create group Finance',
      'delete app-config Old config',
      'delete deployment P -> Old',
      'delete policy P',
      'delete collection Old',
      'delete group Old group',
    ])
    expect(setupSteps(planOf(resources), DOCUMENT).map((s) => s.id)).toEqual(['create group Finance'])
  })
})

describe('plan checks', () => {
  it('refuses a blocking prediction with its rule and message, warnings pass', () => {
    const plan = planOf([])
    plan.predictions = [{kind: 'deployment', name: 'P -> C', code: 'DEVICES_MISSED', message: '2 devices would be missed', blocking: false}]
    expect(() => assertNoBlockingPredictions(plan)).not.toThrow()
    plan.predictions.push({kind: 'tenant', name: 'us', code: 'T1', message: 'The tenant is in us; the file asks for eu.', blocking: true})
    expect(() => assertNoBlockingPredictions(plan)).toThrow(expect.objectContaining({code: 'REFUSED_T1', exitCode: 4, message: 'tenant us: The tenant is in us; the file asks for eu.'}))
  })

  it('refuses a stale plan (exit 4, PLAN_STALE) and a plan of another file (exit 7)', () => {
    expect(() => assertPlanFresh('a', 'a')).not.toThrow()
    expect(() => assertPlanFresh('a', 'b')).toThrow(expect.objectContaining({code: 'PLAN_STALE', exitCode: 4, message: 'The tenant changed since the plan was made; run atpctl plan again.'}))
    expect(() => assertPlanOfDocument(planOf([]), 'e'.repeat(64), 'atpctl.yaml')).toThrow(expect.objectContaining({code: 'PLAN_MISMATCH', exitCode: 7}))
    expect(() => assertPlanOfDocument(planOf([]), 'd'.repeat(64), 'atpctl.yaml')).not.toThrow()
  })

  it('reads a saved plan back, and refuses what is not one (exit 7)', () => {
    const plan = planOf([['group', 'G', 'create']])
    expect(parseSavedPlan(JSON.stringify(plan), 'p.json')).toEqual(plan)
    expect(() => parseSavedPlan('{', 'p.json')).toThrow(expect.objectContaining({code: 'PLAN_INVALID', exitCode: 7}))
    expect(() => parseSavedPlan(JSON.stringify({...plan, format: 'other'}), 'p.json')).toThrow(expect.objectContaining({code: 'PLAN_INVALID', exitCode: 7}))
  })

  it("refuses a kind the backend cannot do with the capability's instead, before any step", () => {
    const steps = setupSteps(planOf([['group', 'Finance', 'create'], ['collection', 'All Windows', 'create']]), DOCUMENT)
    expect(() => assertStepsSupported({kind: 'microsoft', capabilities: NO_COLLECTIONS}, steps)).toThrow(
      expect.objectContaining({code: 'UNSUPPORTED', exitCode: 4, suggestions: [expect.stringMatching(/machine tags/)]}),
    )
    expect(() => assertStepsSupported({kind: 'microsoft', capabilities: NO_COLLECTIONS}, steps.slice(0, 1))).not.toThrow()
  })

  it('writes one audit target with both hashes and the counts', () => {
    expect(applyAuditTarget({documentSha256: 'd1', tenantSha256: 't1', prune: true, summary: {created: 2, updated: 1, deleted: 3, alreadyDone: 0, unchanged: 4, unmanaged: 0}})).toBe(
      'plan document=d1 tenant=t1 prune: 2 created, 1 updated, 3 deleted',
    )
  })
})

describe('resolveSetupSecrets', () => {
  const policyPlan = planOf([['policy', 'Onboard', 'create']])

  it('reads a workspace key from the environment or a file beside the tenant file', async () => {
    const {backend, cleanup} = await tempBackend({withTenant: true})
    try {
      expect(await resolveSetupSecrets(backend, DOCUMENT, policyPlan, reader({TEST_WORKSPACE_KEY: ' key-1\n'}), 'test')).toEqual({workspaceKeys: {Onboard: 'key-1'}, configFiles: {}})
      const fromFile: TenantDocument = {...DOCUMENT, policies: [{...DOCUMENT.policies![0], workspaceKey: {file: 'secrets/key'}}]}
      expect(await resolveSetupSecrets(backend, fromFile, policyPlan, reader({}, {'/tenant-files/secrets/key': 'key-2\n'}), 'test')).toEqual({workspaceKeys: {Onboard: 'key-2'}, configFiles: {}})
      // An unchanged policy needs no secret.
      expect(await resolveSetupSecrets(backend, DOCUMENT, planOf([['policy', 'Onboard', 'unchanged']]), reader({}), 'test')).toEqual(NO_SECRETS)
    } finally {
      await cleanup()
    }
  })

  it('names the missing reference and the policy (exit 7)', async () => {
    const {backend, cleanup} = await tempBackend({withTenant: true})
    try {
      await expect(resolveSetupSecrets(backend, DOCUMENT, policyPlan, reader({}), 'test')).rejects.toMatchObject({
        code: 'SECRET_MISSING',
        exitCode: 7,
        message: 'Policy Onboard: workspaceKey refers to the environment variable TEST_WORKSPACE_KEY, which is not set.',
      })
      const fromFile: TenantDocument = {...DOCUMENT, policies: [{...DOCUMENT.policies![0], workspaceKey: {file: 'nope'}, configFile: undefined}]}
      await expect(resolveSetupSecrets(backend, fromFile, policyPlan, reader({}), 'test')).rejects.toMatchObject({code: 'SECRET_MISSING', exitCode: 7, message: /file nope, which does not exist/})
      const config: TenantDocument = {...DOCUMENT, policies: [{name: 'Onboard', type: 'onboarding', configFile: {file: 'onboard.zip'}}]}
      await expect(resolveSetupSecrets(backend, config, policyPlan, reader({}), 'test')).rejects.toMatchObject({code: 'SECRET_MISSING', exitCode: 7, message: /configFile refers to the file onboard.zip/})
    } finally {
      await cleanup()
    }
  })
})

describe('executeSteps on the embedded backend', () => {
  it('creates every kind in order; the same steps again change nothing; prune deletes them', async () => {
    const {backend, cleanup} = await tempBackend({withTenant: true})
    try {
      await backend.devices.import({
        records: [
          normaliseRow({name: 'ws-01', os: 'Windows Server 2012 R2', version: '6.3.9600', managedBy: 'configmgr'}, 2),
          normaliseRow({name: 'ws-02', os: 'Windows 10 Enterprise', version: '10.0.19045', managedBy: 'configmgr'}, 3),
        ],
      })
      const tenant = (await backend.tenant.get())!
      const {workspaceKey} = await backend.tenant.secrets()
      const document: TenantDocument = {...DOCUMENT, policies: [{...DOCUMENT.policies![0], workspaceId: tenant.workspaceId}]}
      const plan = planOf(EVERY_CREATE)
      const steps = setupSteps(plan, document)
      const secrets = {workspaceKeys: {Onboard: workspaceKey}, configFiles: {}}
      const progress: string[] = []
      const results = await executeSteps(backend, document, steps, {secrets, onStep: (r, i, n) => progress.push(`${i + 1}/${n} ${r.id}`)})
      expect(results.map((r) => [r.id, r.changed])).toEqual(steps.map((s) => [s.id, true]))
      expect(progress[0]).toBe('1/12 update third-party bitdefender')
      expect(summariseApply(plan, results)).toEqual({created: 10, updated: 2, deleted: 0, alreadyDone: 0, unchanged: 1, unmanaged: 0})

      expect((await backend.collections.get('Win11')).limitTo).toBe('All Windows')
      expect((await backend.collections.get('All Windows')).memberList.find((m) => m.name === 'ws-02')?.via).toContain('manual')
      expect((await backend.policies.get('Onboard')).deployments.map((d) => d.collection)).toEqual(['Win11'])
      expect((await backend.intune.showGroup('Finance')).members.map((m) => `${m.kind}:${m.member}`).sort()).toEqual(['device:ws-01', 'user:ann@contoso.com'])
      expect((await backend.integrations.state()).defenderForCloud).toEqual([expect.objectContaining({subscriptionId: 'sub-1', windows: true, linux: true})])
      expect((await backend.access.getPolicy('Require compliant')).enabled).toBe(true)

      // Idempotent: the same steps again (an interrupted run's rerun) change nothing.
      const again = await executeSteps(backend, document, steps, {secrets})
      expect(again.filter((r) => r.changed).map((r) => r.id)).toEqual([])

      // Updates: lists replace, members follow the file.
      const changed: TenantDocument = {
        ...document,
        groups: [{name: 'Finance', description: null, users: ['bob@contoso.com']}],
        collections: [{name: 'Win11', limitTo: null, rules: ['family = windows', 'os-name ~ 2012']}, {name: 'All Windows', rules: ['family = windows']}],
        edrProfiles: [{name: 'EDR', sampleSharing: 'none', expediteTelemetry: false}],
        accessPolicies: [{...document.accessPolicies![0], enabled: false, clients: ['browser', 'mobile-desktop']}],
      }
      const updates = setupSteps(planOf([['group', 'Finance', 'update'], ['collection', 'Win11', 'update'], ['collection', 'All Windows', 'update'], ['edr-profile', 'EDR', 'update'], ['access-policy', 'Require compliant', 'update']]), changed)
      expect((await executeSteps(backend, changed, updates, {secrets: NO_SECRETS})).every((r) => r.changed)).toBe(true)
      expect((await backend.intune.showGroup('Finance')).members.filter((m) => m.source === 'explicit').map((m) => m.member)).toEqual(['bob@contoso.com'])
      expect(await backend.collections.get('Win11')).toMatchObject({limitTo: null, rules: ['family = windows', 'os-name ~ 2012']})
      expect((await backend.collections.get('All Windows')).memberList.some((m) => m.via.includes('manual'))).toBe(false)
      expect(await backend.intune.showEdrProfile('EDR')).toMatchObject({profile: {sampleSharing: 'none', expediteTelemetry: false, deviceGroups: []}})
      expect(await backend.access.getPolicy('Require compliant')).toMatchObject({enabled: false, clients: ['browser', 'mobile-desktop']})

      // Prune: everything the file no longer names goes, forced (the plan was confirmed), dependants first.
      const prune = planOf(
        [
          ['group', 'Finance', 'delete'],
          ['collection', 'All Windows', 'delete'],
          ['collection', 'Win11', 'delete'],
          ['policy', 'Onboard', 'delete'],
          ['deployment', 'Onboard -> Win11', 'delete'],
          ['edr-profile', 'EDR', 'delete'],
          ['compliance-policy', 'Win risk', 'delete'],
          ['access-policy', 'Require compliant', 'delete'],
          ['app-config', 'iOS supervised', 'delete'],
          ['defender-for-cloud', 'sub-1', 'delete'],
        ],
        {prune: true},
      )
      const empty: TenantDocument = {version: 'atpctl/v1'}
      const deleted = await executeSteps(backend, empty, setupSteps(prune, empty), {secrets: NO_SECRETS})
      expect(deleted.map((r) => [r.id, r.changed])).toEqual(setupSteps(prune, empty).map((s) => [s.id, true]))
      expect((await backend.collections.list()).items).toEqual([])
      expect((await backend.policies.list()).items).toEqual([])
      expect((await backend.intune.listGroups()).items.filter((g) => g.createdAt !== null)).toEqual([])
      expect((await backend.integrations.state()).defenderForCloud.filter((d) => d.windows || d.linux)).toEqual([])
    } finally {
      await cleanup()
    }
  })

  it('stops at the first refusal and reports it with the rule (a journal would keep what finished)', async () => {
    const {backend, cleanup} = await tempBackend({withTenant: true})
    try {
      const document: TenantDocument = {version: 'atpctl/v1', groups: [{name: 'A'}], collections: [{name: 'Bad', limitTo: 'Nowhere'}]}
      const recorded: string[] = []
      const journal = {done: () => false, record: async (id: string) => void recorded.push(id)}
      await expect(executeSteps(backend, document, setupSteps(planOf([['group', 'A', 'create'], ['collection', 'Bad', 'create']]), document), {secrets: NO_SECRETS, journal})).rejects.toMatchObject({exitCode: 3})
      expect(recorded).toEqual(['create group A'])
      // A journal's finished step is not sent again.
      const skip = {done: (id: string) => id === 'create group A', record: async () => {}}
      await backend.intune.deleteGroup('A', {force: true})
      const results = await executeSteps(backend, {version: 'atpctl/v1', groups: [{name: 'A'}]}, setupSteps(planOf([['group', 'A', 'create']]), document), {secrets: NO_SECRETS, journal: skip})
      expect(results).toEqual([{id: 'create group A', kind: 'group', name: 'A', action: 'create', changed: true, resumed: true}])
      expect((await backend.intune.listGroups()).items.map((g) => g.name)).toEqual([])
    } finally {
      await cleanup()
    }
  })
})
