/**
 * A report-only conditional access policy (IN8, Graph's enabledForReportingButNotEnforced) in
 * atpctl.yaml: exported as `reportOnly: true`, planned field by field, applied, and enforced
 * later by changing the file.
 */
import type {Backend} from '../../../src/core/port/types.js'
import {NO_SECRETS} from '../../../src/core/tenant-file/apply.js'
import type {TenantDocument} from '../../../src/core/tenant-file/document.js'
import {exportTenant} from '../../../src/core/tenant-file/export.js'
import {computePlan} from '../../../src/core/tenant-file/plan.js'
import {tempBackend} from '../../helpers/backend.js'

const NOW = () => new Date('2026-12-02T10:00:00Z')
const policy = {name: 'Pilot CA', includeGroups: ['Pilot'], apps: ['all'], clients: ['browser' as const], grant: 'compliant-device' as const}
const file = (entry: Record<string, unknown>): TenantDocument => ({version: 'atpctl/v1', groups: [{name: 'Pilot'}], accessPolicies: [{...policy, ...entry} as never]})

describe('a report-only access policy in the tenant file', () => {
  let backend: Backend
  let cleanup: () => Promise<void>
  beforeAll(async () => {
    ;({backend, cleanup} = await tempBackend({withTenant: true}))
  })
  afterAll(async () => cleanup())

  const plan = (document: TenantDocument) => computePlan(backend, document, {prune: false, file: 'atpctl.yaml', profile: 'test', now: NOW})
  const apply = (document: TenantDocument) => backend.setup.apply({document, file: 'atpctl.yaml', prune: false, secrets: NO_SECRETS})

  it('is created report-only, exported so, and plans no change afterwards', async () => {
    const reportOnly = file({enabled: false, reportOnly: true})
    await apply(reportOnly)
    expect(await backend.access.getPolicy('Pilot CA')).toMatchObject({enabled: false, reportOnly: true})
    const exported = await exportTenant(backend)
    expect(exported.accessPolicies).toEqual([expect.objectContaining({name: 'Pilot CA', enabled: false, reportOnly: true})])
    expect((await plan(reportOnly)).summary).toMatchObject({create: 0, update: 0})
    expect((await plan(exported)).summary).toMatchObject({create: 0, update: 0})
  })

  it('is enforced when the file drops reportOnly, shown as a field change', async () => {
    const enforced = file({enabled: true})
    const before = await plan(enforced)
    const change = before.resources.find((r) => r.kind === 'access-policy' && r.name === 'Pilot CA')
    expect(change?.action).toBe('update')
    expect(change?.fields).toEqual(expect.arrayContaining([{field: 'reportOnly', current: true, desired: false}, {field: 'enabled', current: false, desired: true}]))
    await apply(enforced)
    expect(await backend.access.getPolicy('Pilot CA')).toMatchObject({enabled: true, reportOnly: false})
    expect((await plan(enforced)).summary).toMatchObject({update: 0})
    // And back to report-only.
    await apply(file({enabled: false, reportOnly: true}))
    expect(await backend.access.getPolicy('Pilot CA')).toMatchObject({enabled: false, reportOnly: true})
  })
})
