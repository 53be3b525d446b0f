import {normaliseRow} from '../../../src/core/device/inventory.js'
import {openRemoteBackend} from '../../../src/backends/remote/index.js'
import {NO_SECRETS} from '../../../src/core/tenant-file/apply.js'
import type {TenantDocument} from '../../../src/core/tenant-file/document.js'
import {exportTenant, tenantSha256} from '../../../src/core/tenant-file/export.js'
import {computePlan} from '../../../src/core/tenant-file/plan.js'
import {expectAtpError} from './expect.js'
import type {ContractSuite} from './harness.js'

const now = () => new Date()

/** A file with every kind the embedded backend holds. */
function everyKind(workspaceId: string): TenantDocument {
  return {
    version: 'atpctl/v1',
    tenant: {location: 'us'},
    integrations: {
      thirdParty: [{provider: 'sentinelone', enabled: true}],
      intune: {enabled: true, windows: true},
      defenderForCloud: [{subscriptionId: 'sub-setup', cloud: 'commercial', windows: true, linux: true}],
    },
    groups: [{name: 'Setup finance', description: 'finance', devices: ['setup-srv'], users: ['ann@contoso.com']}],
    collections: [
      {name: 'Setup servers', limitTo: 'Setup all', rules: ['os-name ~ 2012']},
      {name: 'Setup all', rules: ['family = windows']},
    ],
    policies: [{name: 'Setup down-level', type: 'onboarding', workspaceId, workspaceKey: {env: 'SETUP_KEY'}, deployments: ['Setup servers']}],
    edrProfiles: [{name: 'Setup EDR', sampleSharing: 'all', expediteTelemetry: true, deviceGroups: ['Setup finance']}],
    compliancePolicies: [{name: 'Setup risk', platform: 'windows', maxRisk: 'medium', assignGroup: 'Setup finance'}],
    accessPolicies: [{name: 'Setup compliant', enabled: true, includeGroups: ['Setup finance'], apps: ['Office 365'], clients: ['browser'], grant: 'compliant-device'}],
    appConfigurations: [{name: 'Setup iOS', kind: 'ios-supervised', assignGroup: 'Setup finance'}],
  }
}

/**
 * Tenant as code (issue 14): `setup.apply` on every backend. The backend plans again from the
 * file (the server trusts no client), applies everything in one transaction or nothing, refuses a
 * stale plan, and audits one record with the plan's hashes.
 */
export const setupSuite: ContractSuite = {
  name: 'tenant as code: apply',
  withTenant: true,
  define(get) {
    let document: TenantDocument
    let secrets: typeof NO_SECRETS
    beforeAll(async () => {
      const {admin} = get()
      await admin.devices.import({
        records: [
          normaliseRow({name: 'setup-srv', os: 'Windows Server 2012 R2', version: '6.3.9600', managedBy: 'configmgr'}, 2),
          normaliseRow({name: 'setup-win11', os: 'Windows 11 Enterprise', version: '10.0.22631', managedBy: 'configmgr'}, 3),
        ],
      })
      const tenant = (await admin.tenant.get())!
      document = everyKind(tenant.workspaceId)
      secrets = {workspaceKeys: {'Setup down-level': (await admin.tenant.secrets()).workspaceKey}, configFiles: {}}
    })

    const plan = async (doc: TenantDocument, prune = false) => computePlan(get().backend, doc, {prune, file: 'atpctl.yaml', profile: 'contract', now, secrets: {configFile: async () => Promise.reject(new Error('none')), available: async () => true}})
    const snapshot = async () => JSON.stringify(await exportTenant(get().admin))

    it('refuses a saved plan once the tenant changed (exit 4, PLAN_STALE), changing nothing', async () => {
      const {backend} = get()
      const before = await snapshot()
      await expectAtpError(backend.setup.apply({document, file: 'atpctl.yaml', prune: false, secrets, expectedTenantSha256: '0'.repeat(64)}), {code: 'PLAN_STALE', exitCode: 4, message: /tenant changed since the plan was made; run atpctl plan again/})
      expect(await snapshot()).toBe(before)
    })

    it('rolls the whole apply back when a step fails half-way (a deployment that would miss devices, CM3), and audits the refusal', async () => {
      const {backend} = get()
      const before = await snapshot()
      const missing = {...document, policies: [{...document.policies![0], deployments: ['Setup all']}]}
      await expectAtpError(backend.setup.apply({document: missing, file: 'atpctl.yaml', prune: false, secrets}), {exitCode: 4, message: /Deploying 'Setup down-level' would miss 1 of \d device.*setup-win11/})
      // Every step before the deployment (groups, collections, the policy, …) is undone with it.
      expect(await snapshot()).toBe(before)
      expect((await backend.collections.list()).items).toEqual([])
      const [last] = (await backend.audit.list({operation: 'setup.apply', newestFirst: true, limit: 1})).items
      expect(last.outcome).toMatch(/^refused:REFUSED_/)
    })

    it('applies a file with every kind in one call; the plan is then empty, a rerun changes nothing; one audit record with the hashes', async () => {
      const {backend} = get()
      const planned = await plan(document)
      expect(planned.summary.create).toBeGreaterThan(8)
      const result = await backend.setup.apply({document, file: 'atpctl.yaml', prune: false, secrets, expectedTenantSha256: planned.tenantSha256})
      expect(result).toMatchObject({backend: 'local', documentSha256: planned.documentSha256, tenantSha256: planned.tenantSha256, summary: {created: planned.summary.create, deleted: 0}})
      expect(result.steps.map((s) => s.id)).toContain('create deployment Setup down-level -> Setup servers')
      expect(JSON.stringify(result)).not.toContain(secrets.workspaceKeys['Setup down-level'])
      const after = await plan(document)
      expect(after.resources.filter((r) => r.action !== 'unchanged' && r.action !== 'unmanaged')).toEqual([])

      const again = await backend.setup.apply({document, file: 'atpctl.yaml', prune: false, secrets: NO_SECRETS})
      expect(again.steps).toEqual([])
      const records = (await backend.audit.list({operation: 'setup.apply', newestFirst: true, limit: 2})).items
      expect(records[1]).toMatchObject({outcome: 'ok', target: `plan document=${planned.documentSha256} tenant=${planned.tenantSha256}: ${result.summary.created} created, ${result.summary.updated} updated, 0 deleted`})
      expect(records[0].target).toMatch(/: 0 created, 0 updated, 0 deleted$/)
    })

    it('prunes what the file no longer names, forced (dependants first)', async () => {
      const {backend} = get()
      const smaller: TenantDocument = {...document, collections: [{name: 'Setup all', rules: ['family = windows']}], policies: [], edrProfiles: [], appConfigurations: []}
      const planned = await plan(smaller, true)
      expect(planned.resources.filter((r) => r.action === 'delete').map((r) => `${r.kind} ${r.name}`).sort()).toEqual([
        'app-config Setup iOS',
        'collection Setup servers',
        'deployment Setup down-level -> Setup servers',
        'edr-profile Setup EDR',
        'policy Setup down-level',
      ])
      const result = await backend.setup.apply({document: smaller, file: 'atpctl.yaml', prune: true, secrets: NO_SECRETS, expectedTenantSha256: planned.tenantSha256})
      expect(result.summary.deleted).toBe(5)
      expect((await backend.collections.list()).items.map((c) => c.name)).toEqual(['Setup all'])
      expect((await plan(smaller, true)).summary).toMatchObject({create: 0, update: 0, delete: 0})
      expect(tenantSha256(await exportTenant(backend))).not.toBe(planned.tenantSha256)
    })

    it('is refused to a read-only key of the server (the served route needs an owner)', async () => {
      const {server, admin} = get()
      if (!server) return
      const {secret} = await admin.apiKeys.create({name: 'setup-reader', role: 'reader'})
      const reader = openRemoteBackend({url: server.url, apiKey: secret!, actor: 'contract:reader'})
      try {
        await expectAtpError(reader.setup.apply({document, file: 'atpctl.yaml', prune: false, secrets: NO_SECRETS}), {code: 'FORBIDDEN', exitCode: 5})
      } finally {
        await reader.close()
      }
    })
  },
}
