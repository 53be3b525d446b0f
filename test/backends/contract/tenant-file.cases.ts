import {exportTenant, readTenantState, tenantSha256} from '../../../src/core/tenant-file/export.js'
import {formatTenantFile} from '../../../src/core/tenant-file/format.js'
import {parseTenantFile} from '../../../src/core/tenant-file/parse.js'
import {computePlan} from '../../../src/core/tenant-file/plan.js'
import {openRemoteBackend} from '../../../src/backends/remote/index.js'
import {seedEveryKind} from '../../helpers/tenant-file.js'
import type {ContractSuite} from './harness.js'

const now = () => new Date('2026-12-01T10:00:00Z')

/**
 * Tenant as code (issue 14) on every backend: a tenant with every kind, exported, written and
 * read back as YAML, then planned against itself shows no changes; a change by hand shows up.
 */
export const tenantFileSuite: ContractSuite = {
  name: 'tenant as code: export then plan',
  withTenant: true,
  define(get) {
    beforeAll(async () => {
      await seedEveryKind(get().admin)
    })

    it('round trip: export, YAML text, parse, plan shows no changes, even with prune', async () => {
      const {backend} = get()
      const state = await readTenantState(backend)
      expect(state.omitted).toEqual([])
      const text = formatTenantFile(state.document)
      const parsed = parseTenantFile(text, 'atpctl.yaml')
      expect(parsed.document).toEqual(state.document)
      const plan = await computePlan(backend, parsed.document, {prune: true, file: 'atpctl.yaml', profile: 'contract', now, positionOf: parsed.positionOf})
      expect(plan.resources.filter((r) => r.action !== 'unchanged')).toEqual([])
      expect(plan.predictions.filter((p) => p.blocking)).toEqual([])
      expect(plan.resources.map((r) => r.kind)).toEqual(expect.arrayContaining(['tenant', 'third-party', 'intune', 'defender-for-cloud', 'group', 'collection', 'policy', 'deployment', 'edr-profile', 'compliance-policy', 'access-policy', 'app-config']))
      expect(plan.tenantSha256).toBe(tenantSha256(state.document))
    })

    it('plans with read-only rights: a served backend and a reader key predicts what the owner predicts', async () => {
      const {backend, admin, server} = get()
      const document = await exportTenant(backend)
      document.policies = document.policies!.map((p) => ({...p, deployments: [...(p.deployments ?? []), 'All Windows']}))
      const reader = server ? openRemoteBackend({url: server.url, apiKey: (await admin.apiKeys.create({name: 'tac-reader', role: 'reader'})).secret!, actor: 'contract:reader'}) : backend
      try {
        const plan = await computePlan(reader, document, {prune: true, file: 'atpctl.yaml', profile: 'contract', now})
        expect(plan.resources.filter((r) => r.action !== 'unchanged')).toEqual([{kind: 'deployment', name: 'Any OS -> All Windows', action: 'create', fields: []}])
        // A dry run only reads, so the reader key gets the CM3 prediction the owner gets (DC6).
        const notes = (p: typeof plan) => p.predictions.map((n) => `${n.kind}:${n.name}:${n.code}:${n.blocking}`)
        expect(notes(plan)).toEqual(notes(await computePlan(backend, document, {prune: true, file: 'atpctl.yaml', profile: 'contract', now})))
      } finally {
        if (reader !== backend) await reader.close()
      }
    })

    it('a change made by hand is an update; the plan itself changes nothing', async () => {
      const {backend, admin} = get()
      const before = await exportTenant(backend)
      await admin.intune.updateGroup('Sales', {description: 'changed by hand'})
      const plan = await computePlan(backend, before, {prune: false, file: 'atpctl.yaml', profile: 'contract', now})
      expect(plan.resources.filter((r) => r.action !== 'unchanged')).toEqual([{kind: 'group', name: 'Sales', action: 'update', fields: [{field: 'description', current: 'changed by hand', desired: null}]}])
      const after = await exportTenant(backend)
      expect(tenantSha256(after)).not.toBe(tenantSha256(before))
      expect(tenantSha256(await exportTenant(backend))).toBe(tenantSha256(after))
    })
  },
}
