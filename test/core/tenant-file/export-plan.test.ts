import {guardCapabilities} from '../../../src/core/capabilities.js'
import {AuthError} from '../../../src/core/errors.js'
import type {Backend} from '../../../src/core/port/types.js'
import type {TenantDocument} from '../../../src/core/tenant-file/document.js'
import {canonicalJson, documentSha256, exportTenant, readTenantState, tenantSha256} from '../../../src/core/tenant-file/export.js'
import {parseTenantFile} from '../../../src/core/tenant-file/parse.js'
import {computePlan, planHasChanges, type PlanOptions, type SecretFacts} from '../../../src/core/tenant-file/plan.js'
import type {SetupPlan} from '../../../src/core/tenant-file/plan-types.js'
import {tempBackend} from '../../helpers/backend.js'
import {SEEDED_FILE_SHA, seedEveryKind} from '../../helpers/tenant-file.js'

const NOW = () => new Date('2026-12-01T10:00:00Z')
const options = (extra: Partial<PlanOptions> = {}): PlanOptions => ({prune: false, file: 'atpctl.yaml', profile: 'test', now: NOW, ...extra})
const byKind = (plan: SetupPlan, kind: string, name: string) => plan.resources.find((r) => r.kind === kind && r.name === name)
const codes = (plan: SetupPlan) => plan.predictions.map((p) => `${p.kind}:${p.name}:${p.code}:${p.blocking ? 'blocking' : 'note'}`)

/** A backend whose capabilities say it cannot do `id` (as a microsoft profile says of ConfigMgr policies). */
function without(backend: Backend, id: keyof Backend['capabilities']): Backend {
  const narrowed = Object.create(backend) as Backend
  Object.defineProperty(narrowed, 'capabilities', {value: {...backend.capabilities, [id]: {supported: false, instead: 'Use the console.'}}})
  return guardCapabilities(narrowed)
}

describe('export and plan on the embedded backend', () => {
  let backend: Backend
  let cleanup: () => Promise<void>
  let exported: TenantDocument
  beforeAll(async () => {
    ;({backend, cleanup} = await tempBackend({withTenant: true}))
    await seedEveryKind(backend)
    exported = await exportTenant(backend)
  })
  afterAll(async () => cleanup())

  it('exports every kind in a stable order, secrets as references, without inventory groups or the classic access policy', async () => {
    expect(exported.version).toBe('atpctl/v1')
    expect(exported.tenant).toEqual({location: 'us'})
    expect(exported.integrations?.thirdParty?.map((t) => t.provider)).toEqual(['bitdefender', 'lookout', 'sentinelone', 'ziften'])
    expect(exported.integrations?.intune).toEqual({enabled: true, android: true, ios: false, windows: true})
    expect(exported.integrations?.defenderForCloud).toEqual([{subscriptionId: 'sub-0001', cloud: 'commercial', windows: true, linux: true}])
    expect(exported.groups).toEqual([{name: 'Finance', description: 'Finance team', devices: ['lt-01'], users: ['bob@contoso.com']}, {name: 'Sales'}])
    expect(exported.collections?.map((c) => c.name)).toEqual(['All Windows', 'Servers', 'Workstations'])
    expect(exported.collections?.[1]).toEqual({name: 'Servers', limitTo: 'All Windows', rules: ["os ~ 'Server'"], members: ['w10-01']})
    const [policy] = exported.policies!
    expect(policy).toMatchObject({name: 'Any OS', configFile: {file: 'WindowsDefenderATPOnboardingPackage.zip'}, workspaceKey: {env: 'ATPCTL_WORKSPACE_KEY'}, deployments: ['Servers']})
    const {workspaceKey} = await backend.tenant.secrets()
    expect(JSON.stringify(exported)).not.toContain(workspaceKey)
    expect(exported.accessPolicies?.map((a) => a.name)).toEqual(['Require compliant'])
    expect(exported.appConfigurations).toEqual([{name: 'iOS supervised', kind: 'ios-supervised', assignGroup: 'Sales'}])
    // The same tenant exports the same bytes.
    expect(canonicalJson(await exportTenant(backend))).toBe(canonicalJson(exported))
  })

  it('exports only the kinds asked for; kinds the backend cannot hold are left out and named', async () => {
    const only = await exportTenant(backend, {only: ['group', 'deployment']})
    expect(Object.keys(only).sort()).toEqual(['groups', 'policies', 'version'])
    const state = await readTenantState(without(backend, 'configmgr-policies'))
    expect(state.document.policies).toBeUndefined()
    expect(state.omitted).toEqual([{kind: 'policy', reason: 'Use the console.'}])
    expect(state.document.groups).toHaveLength(2)
  })

  it('hashes canonical JSON: key order does not matter, list order and values do', () => {
    const a = {version: 'atpctl/v1', tenant: {location: 'us'}, groups: [{name: 'A'}, {name: 'B'}]} as TenantDocument
    const b = JSON.parse('{"groups":[{"name":"A"},{"name":"B"}],"tenant":{"location":"us"},"version":"atpctl/v1"}') as TenantDocument
    expect(documentSha256(a)).toBe(documentSha256(b))
    expect(documentSha256(a)).toMatch(/^[0-9a-f]{64}$/)
    expect(documentSha256({...a, groups: [{name: 'B'}, {name: 'A'}]})).not.toBe(documentSha256(a))
    expect(tenantSha256(a)).toBe(documentSha256(a))
  })

  it('export then plan shows no changes (with and without prune), and records the hashes', async () => {
    for (const prune of [false, true]) {
      const plan = await computePlan(backend, exported, options({prune}))
      expect(plan.summary).toEqual({create: 0, update: 0, delete: 0, unchanged: plan.resources.length, unmanaged: 0})
      expect(planHasChanges(plan)).toBe(false)
      expect(plan.predictions.filter((p) => p.blocking)).toEqual([])
      expect(plan).toMatchObject({format: 'atpctl-plan/1', createdAt: '2026-12-01T10:00:00.000Z', backend: 'local', profile: 'test', prune, documentSha256: documentSha256(exported), tenantSha256: tenantSha256(exported)})
    }
  })

  it('plans every action: create, update field by field, unchanged, unmanaged, and delete with prune', async () => {
    const doc = structuredClone(exported)
    doc.groups = [{name: 'Finance', description: 'Money', devices: ['lt-01'], users: ['bob@contoso.com', 'cy@contoso.com']}, {name: 'New group'}]
    doc.collections = doc.collections!.filter((c) => c.name !== 'Workstations').map((c) => (c.name === 'All Windows' ? {...c, rules: ["os ~ 'Windows 1'"]} : c))
    doc.policies![0] = {...doc.policies![0], sampleSharing: 'none', workspaceKey: null}
    doc.integrations!.thirdParty = doc.integrations!.thirdParty!.map((t) => (t.provider === 'ziften' ? {...t, enabled: true} : t))
    doc.edrProfiles![0] = {...doc.edrProfiles![0], expediteTelemetry: false, userGroups: []}
    doc.compliancePolicies![0] = {...doc.compliancePolicies![0], maxRisk: 'low', assignGroup: null}
    doc.accessPolicies![0] = {...doc.accessPolicies![0], enabled: false, clients: ['browser', 'mobile-desktop']}
    doc.appConfigurations![0] = {...doc.appConfigurations![0], assignGroup: null}
    const plan = await computePlan(backend, doc, options())
    expect(byKind(plan, 'group', 'New group')).toMatchObject({action: 'create', fields: []})
    expect(byKind(plan, 'group', 'Finance')).toMatchObject({
      action: 'update',
      fields: [
        {field: 'description', current: 'Finance team', desired: 'Money'},
        {field: 'users', current: ['bob@contoso.com'], desired: ['bob@contoso.com', 'cy@contoso.com']},
      ],
    })
    expect(byKind(plan, 'group', 'Sales')).toMatchObject({action: 'unmanaged'})
    expect(byKind(plan, 'collection', 'All Windows')).toMatchObject({action: 'update', fields: [{field: 'rules', current: ["os ~ 'Windows'"], desired: ["os ~ 'Windows 1'"]}]})
    expect(byKind(plan, 'collection', 'Workstations')).toMatchObject({action: 'unmanaged'})
    expect(byKind(plan, 'collection', 'Servers')).toMatchObject({action: 'unchanged'})
    // A secret is compared by presence only, and shown as (secret).
    expect(byKind(plan, 'policy', 'Any OS')).toMatchObject({
      action: 'update',
      fields: [
        {field: 'workspaceKey', current: '(secret)', desired: null},
        {field: 'sampleSharing', current: 'all', desired: 'none'},
      ],
    })
    expect(byKind(plan, 'third-party', 'ziften')).toMatchObject({action: 'update', fields: [{field: 'enabled', current: false, desired: true}]})
    expect(byKind(plan, 'edr-profile', 'EDR Finance')!.fields).toEqual([
      {field: 'expediteTelemetry', current: true, desired: false},
      {field: 'userGroups', current: ['Sales'], desired: []},
    ])
    expect(byKind(plan, 'compliance-policy', 'Windows medium')!.fields).toEqual([
      {field: 'maxRisk', current: 'medium', desired: 'low'},
      {field: 'assignGroup', current: 'Finance', desired: null},
    ])
    expect(byKind(plan, 'access-policy', 'Require compliant')!.fields).toEqual([
      {field: 'enabled', current: true, desired: false},
      {field: 'clients', current: ['browser'], desired: ['browser', 'mobile-desktop']},
    ])
    expect(byKind(plan, 'app-config', 'iOS supervised')!.fields).toEqual([{field: 'assignGroup', current: 'Sales', desired: null}])
    expect(plan.summary).toMatchObject({create: 1, unmanaged: 2})
    expect(planHasChanges(plan)).toBe(true)
    // In apply order: every group before any collection, policies before their deployments.
    const kinds = plan.resources.map((r) => r.kind)
    expect(kinds.indexOf('collection')).toBeGreaterThan(kinds.lastIndexOf('group'))

    const pruned = await computePlan(backend, doc, options({prune: true}))
    expect(byKind(pruned, 'group', 'Sales')).toMatchObject({action: 'delete'})
    expect(byKind(pruned, 'collection', 'Workstations')).toMatchObject({action: 'delete'})
    expect(pruned.summary.unmanaged).toBe(0)
  })

  it('compares collection rules as the rules themselves (spacing, case, order), and predicts a rule that does not parse', async () => {
    const doc = structuredClone(exported)
    doc.collections![0] = {...doc.collections![0], rules: ["OS~'windows'"]}
    expect(byKind(await computePlan(backend, doc, options()), 'collection', 'All Windows')).toMatchObject({action: 'unchanged'})
    doc.collections![0] = {...doc.collections![0], rules: ['colour = blue']}
    const plan = await computePlan(backend, doc, options())
    expect(byKind(plan, 'collection', 'All Windows')).toMatchObject({action: 'update', fields: [{field: 'rules', current: ["os ~ 'Windows'"], desired: ['colour = blue']}]})
    expect(codes(plan)).toEqual([expect.stringMatching(/^collection:All Windows:\w+:blocking$/)])
  })

  it('a section the file leaves out is not managed: listed as unmanaged, never deleted, even with prune', async () => {
    const plan = await computePlan(backend, {version: 'atpctl/v1', tenant: {location: 'us'}, groups: exported.groups}, options({prune: true}))
    expect(byKind(plan, 'collection', 'Servers')).toMatchObject({action: 'unmanaged'})
    expect(byKind(plan, 'deployment', 'Any OS -> Servers')).toMatchObject({action: 'unmanaged'})
    expect(byKind(plan, 'third-party', 'sentinelone')).toMatchObject({action: 'unmanaged'})
    // Providers that are off are not something the tenant has.
    expect(byKind(plan, 'third-party', 'lookout')).toBeUndefined()
    expect(plan.summary.delete).toBe(0)
  })

  it('resources carry the line and column the file names them at', async () => {
    const parsed = parseTenantFile('version: atpctl/v1\ngroups:\n  - name: Finance\n    description: Money\n', 'g.yaml')
    const plan = await computePlan(backend, parsed.document, options({file: 'g.yaml', positionOf: parsed.positionOf}))
    expect(byKind(plan, 'group', 'Finance')).toMatchObject({action: 'update', at: {file: 'g.yaml', line: 3, column: 5}})
  })

  it('compares the configuration file by the SHA-256 the command layer reads from the reference', async () => {
    const facts = (sha256: string): SecretFacts => ({
      configFile: async (ref) => ({name: 'file' in ref ? ref.file : 'env', sha256, orgId: 'x', expiresAt: null}),
      available: async () => true,
    })
    expect(byKind(await computePlan(backend, exported, options({secrets: facts(SEEDED_FILE_SHA)})), 'policy', 'Any OS')).toMatchObject({action: 'unchanged'})
    const other = await computePlan(backend, exported, options({secrets: facts('b'.repeat(64))}))
    expect(byKind(other, 'policy', 'Any OS')).toMatchObject({action: 'update', fields: [{field: 'configFile', current: `sha256:${SEEDED_FILE_SHA}`, desired: `sha256:${'b'.repeat(64)}`}]})
    // A file that cannot be read: not compared against the stored one, and said.
    const unreadable: SecretFacts = {
      configFile: async () => Promise.reject(Object.assign(new Error('No such file.'), {isAtpError: true, code: 'NOT_FOUND', exitCode: 3, suggestions: []})),
      available: async () => false,
    }
    const plan = await computePlan(backend, exported, options({secrets: unreadable}))
    expect(byKind(plan, 'policy', 'Any OS')).toMatchObject({action: 'unchanged'})
    expect(codes(plan)).toEqual(['policy:Any OS:NOT_FOUND:note'])
  })

  it('predicts T1 (another location), DC3 (Linux off alone), CM4, another tenant\'s Workspace ID (CM7) and the values a create would refuse', async () => {
    const doc = structuredClone(exported)
    doc.tenant = {location: 'eu'}
    doc.integrations!.defenderForCloud = [{subscriptionId: 'sub-0001', cloud: 'commercial', windows: true, linux: false}, {subscriptionId: 'sub-0002', cloud: 'china', windows: true, linux: true}]
    doc.policies!.push({name: 'Old ConfigMgr', type: 'onboarding', configFile: {file: 'x.zip'}, configMgrVersion: 2002})
    doc.policies!.push({name: 'Other workspace', type: 'onboarding', workspaceId: '00000000-0000-4000-8000-000000000000', workspaceKey: {env: 'ATPCTL_WORKSPACE_KEY'}})
    doc.accessPolicies!.push({name: 'Nobody', enabled: true, includeGroups: [], apps: ['all'], clients: ['browser'], grant: 'compliant-device'})
    const plan = await computePlan(backend, doc, options())
    expect(codes(plan)).toEqual([
      'tenant:tenant:REFUSED_T1:blocking',
      'defender-for-cloud:sub-0001:REFUSED_DC3:blocking',
      'defender-for-cloud:sub-0002:REFUSED_DC5:blocking',
      'policy:Old ConfigMgr:REFUSED_CM4:blocking',
      'policy:Other workspace:WORKSPACE_MISMATCH:blocking',
      'access-policy:Nobody:USAGE:blocking',
    ])
    expect(plan.predictions[0].message).toMatch(/'us' and can never be changed; the file asks for 'eu'/)
    expect(byKind(plan, 'tenant', 'tenant')).toMatchObject({action: 'update', fields: [{field: 'location', current: 'us', desired: 'eu'}]})
  })

  it('predicts CM3 with a dry-run deployment, and references the file and the tenant both lack', async () => {
    const doc = structuredClone(exported)
    // A file-only policy misses the down-level w81-01 in Workstations (CM3).
    doc.policies!.push({name: 'File only', type: 'onboarding', configFile: {file: 'x.zip'}, deployments: ['Workstations', 'Nowhere']})
    doc.collections!.push({name: 'Limited', limitTo: 'Gone', members: ['ghost-pc']})
    doc.edrProfiles![0].deviceGroups = ['Finance', 'Inventory group', 'Missing group']
    // Stored first, so the dry run has a policy to plan with.
    await backend.policies.create({name: 'File only', description: '', type: 'onboarding', configFile: {name: 'x.zip', sha256: 'c'.repeat(64), orgId: (await backend.tenant.get())!.orgId, expiresAt: null}, workspaceId: null, workspaceKey: null, sampleSharing: 'none', configMgrVersion: 2103})
    try {
      const plan = await computePlan(backend, doc, options())
      expect(codes(plan)).toEqual([
        'collection:Limited:UNKNOWN_COLLECTION:blocking',
        'deployment:File only -> Nowhere:UNKNOWN_COLLECTION:blocking',
        'edr-profile:EDR Finance:UNKNOWN_GROUP:blocking',
        'collection:Limited:UNKNOWN_DEVICE:blocking',
        'deployment:File only -> Workstations:DEVICES_MISSED:blocking',
      ])
      expect(plan.predictions.at(-1)!.message).toMatch(/^1 of 2 devices would not get the policy \(1 down-level-without-workspace\)/)
      expect(byKind(plan, 'deployment', 'File only -> Workstations')).toMatchObject({action: 'create'})
      // Nothing was deployed: the plan only reads.
      expect((await backend.policies.get('File only')).deployments).toEqual([])
    } finally {
      await backend.policies.delete('File only', {force: true})
    }
  })

  it('says when the credential may not run the dry run (exit 5): a note, not a refusal', async () => {
    const doc = structuredClone(exported)
    doc.policies![0].deployments = [...(doc.policies![0].deployments ?? []), 'Workstations']
    const denied = Object.create(backend) as Backend
    const policies = Object.create(backend.policies) as Backend['policies']
    policies.deploy = async () => {
      throw new AuthError('The credential may not plan deployments.', {code: 'FORBIDDEN'})
    }
    Object.defineProperty(denied, 'policies', {value: policies})
    const plan = await computePlan(denied, doc, options())
    expect(codes(plan)).toEqual(['deployment:Any OS -> Workstations:NOT_PREDICTED:note'])
    expect(plan.predictions[0].message).toBe('The devices it would miss were not checked: The credential may not plan deployments.')
  })

  it('a kind the backend cannot hold is a create that blocks apply, with what to do instead', async () => {
    const plan = await computePlan(without(backend, 'configmgr-policies'), exported, options())
    expect(byKind(plan, 'policy', 'Any OS')).toMatchObject({action: 'create'})
    expect(codes(plan)).toEqual(['policy:Any OS:UNSUPPORTED:blocking', 'deployment:Any OS -> Servers:UNSUPPORTED:blocking'])
  })
})

describe('plan against a profile without a tenant', () => {
  it('creates the tenant the file locates, or blocks when it names no location', async () => {
    const {backend, cleanup} = await tempBackend()
    try {
      const plan = await computePlan(backend, {version: 'atpctl/v1', tenant: {location: 'eu'}, groups: [{name: 'G'}]}, options())
      expect(plan.resources.map((r) => `${r.kind}:${r.name}:${r.action}`)).toEqual(['tenant:tenant:create', 'group:G:create'])
      expect(plan.resources[0].fields).toEqual([{field: 'location', current: undefined, desired: 'eu'}])
      const none = await computePlan(backend, {version: 'atpctl/v1', groups: [{name: 'G'}]}, options())
      expect(codes(none)).toEqual(['tenant:tenant:NO_TENANT:blocking'])
    } finally {
      await cleanup()
    }
  })
})
