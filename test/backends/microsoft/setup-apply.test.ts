/**
 * `apply` on a real tenant (issue 14), against the stub: ordered, idempotent and resumable. A
 * failure half-way (a 5xx) leaves a journal of the finished steps, owner-only, in the profile's
 * folder; the rerun continues where it stopped and sends no finished step again.
 */
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {type MicrosoftBackend, openMicrosoftBackend} from '../../../src/backends/microsoft/index.js'
import {checkMicrosoftSettings} from '../../../src/backends/microsoft/settings.js'
import {guardCapabilities} from '../../../src/core/capabilities.js'
import {NO_SECRETS} from '../../../src/core/tenant-file/apply.js'
import type {TenantDocument} from '../../../src/core/tenant-file/document.js'
import {computePlan} from '../../../src/core/tenant-file/plan.js'
import {expectAtpError} from '../contract/expect.js'
import {INTUNE_RESOURCE_ROLES, type MicrosoftStub, sampleIntuneResources, startMicrosoftStub, STUB_CLIENT_SECRET} from '../../stub/microsoft/index.js'

/** The plan reads the Intune connection and conditional access too. */
const CONNECTION_ROLES = ['DeviceManagementServiceConfig.ReadWrite.All', 'DeviceManagementManagedDevices.Read.All', 'Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess']

let stub: MicrosoftStub
let backend: MicrosoftBackend
let dir: string
let journals: string

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atpctl-ms-apply-'))
  journals = join(dir, 'profiles', 't', 'journals')
  const secretFile = join(dir, 'secret')
  writeFileSync(secretFile, STUB_CLIENT_SECRET, {mode: 0o600})
  stub = await startMicrosoftStub({graph: sampleIntuneResources(), roles: {graph: [...INTUNE_RESOURCE_ROLES, ...CONNECTION_ROLES]}})
  const settings = checkMicrosoftSettings({tenantId: stub.tenantId, clientId: stub.clientId, secretFile, authorityHost: stub.authorityHost, defenderUrl: stub.defenderUrl, graphUrl: stub.graphUrl, armUrl: stub.armUrl, caFile: stub.caFile})
  backend = guardCapabilities(openMicrosoftBackend({settings, context: {profile: 't', actor: 'test'}, env: {}, journalDir: journals}))
})

afterEach(async () => {
  await backend.close()
  await stub.close()
  rmSync(dir, {recursive: true, force: true})
})

const DOCUMENT: TenantDocument = {
  version: 'atpctl/v1',
  groups: [
    {name: 'Apply A', description: 'first', devices: ['ws-001']},
    {name: 'Apply B', description: 'second'},
  ],
  edrProfiles: [{name: 'Apply EDR', sampleSharing: 'all', expediteTelemetry: true, deviceGroups: ['Apply A']}],
  appConfigurations: [{name: 'Apply iOS', kind: 'ios-supervised', assignGroup: 'Apply B'}],
}

const posts = (suffix: RegExp) => stub.requests.filter((r) => r.api === 'graph' && r.method === 'POST' && suffix.test(r.path)).length
const plan = async (document: TenantDocument) => computePlan(backend, document, {prune: false, file: 'atpctl.yaml', profile: 't', now: () => new Date()})

describe('apply on the microsoft backend', () => {
  it('after a 5xx half-way, the rerun continues from the journal and sends no finished step twice', async () => {
    const planned = await plan(DOCUMENT)
    expect(planned.summary.create).toBe(4)
    stub.inject({api: 'graph', method: 'POST', route: /configurationPolicies$/, status: 503})
    await expectAtpError(backend.setup.apply({document: DOCUMENT, file: 'atpctl.yaml', prune: false, secrets: NO_SECRETS, expectedTenantSha256: planned.tenantSha256}), {exitCode: 6})
    expect(posts(/\/groups$/)).toBe(2)

    // The journal: owner-only, the two groups done, no secret.
    const [name] = readdirSync(journals)
    const file = join(journals, name)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(journals).mode & 0o777).toBe(0o700)
    const journal = JSON.parse(readFileSync(file, 'utf8')) as {done: string[]; finished: boolean; tenantSha256: string}
    expect(journal).toMatchObject({done: ['create group Apply A', 'create group Apply B'], finished: false, tenantSha256: planned.tenantSha256})

    // The same saved plan again: the tenant changed only by the journal's own steps, so it is not stale.
    const result = await backend.setup.apply({document: DOCUMENT, file: 'atpctl.yaml', prune: false, secrets: NO_SECRETS, expectedTenantSha256: planned.tenantSha256})
    expect(result.steps.map((s) => [s.id, Boolean(s.resumed)])).toEqual([
      ['create group Apply A', true],
      ['create group Apply B', true],
      ['create edr-profile Apply EDR', false],
      ['create app-config Apply iOS', false],
    ])
    expect(result.journal).toBe(file)
    expect(posts(/\/groups$/)).toBe(2)
    expect(posts(/\/members\/\$ref$/)).toBe(1)
    expect(stub.graph.groups.filter((g) => g.displayName.startsWith('Apply'))).toHaveLength(2)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({finished: true})

    // Done: the plan is empty and a rerun sends nothing.
    expect((await plan(DOCUMENT)).resources.filter((r) => r.action !== 'unchanged' && r.action !== 'unmanaged')).toEqual([])
    // (Reads may go as a $batch POST; writes are the other non-GET Graph requests.)
    const writes = () => stub.requests.filter((r) => r.api === 'graph' && r.method !== 'GET' && !r.path.endsWith('/$batch')).length
    const before = writes()
    expect((await backend.setup.apply({document: DOCUMENT, file: 'atpctl.yaml', prune: false, secrets: NO_SECRETS})).steps).toEqual([])
    expect(writes()).toBe(before)
  })

  it('throttled half-way (exit 8): the rerun continues after the journal, within the budget', async () => {
    const settings = checkMicrosoftSettings({tenantId: stub.tenantId, clientId: stub.clientId, secretFile: join(dir, 'secret'), authorityHost: stub.authorityHost, defenderUrl: stub.defenderUrl, graphUrl: stub.graphUrl, armUrl: stub.armUrl, caFile: stub.caFile})
    const impatient = guardCapabilities(openMicrosoftBackend({settings, context: {profile: 't', actor: 'test'}, env: {}, journalDir: journals, maxWaitMs: 50}))
    try {
      stub.inject({api: 'graph', method: 'POST', route: /mobileAppConfigurations$/, status: 429, retryAfterSec: 1})
      await expectAtpError(impatient.setup.apply({document: DOCUMENT, file: 'atpctl.yaml', prune: false, secrets: NO_SECRETS}), {code: 'THROTTLED', exitCode: 8})
      expect(posts(/configurationPolicies$/)).toBe(1)
      // Rerun once the Retry-After has passed (the scheduler keeps it for the app, as Graph does).
      await new Promise((resolve) => setTimeout(resolve, 1100))
      const result = await impatient.setup.apply({document: DOCUMENT, file: 'atpctl.yaml', prune: false, secrets: NO_SECRETS})
      expect(result.steps.filter((s) => !s.resumed).map((s) => s.id)).toEqual(['create app-config Apply iOS'])
      expect(posts(/\/groups$/)).toBe(2)
      expect(posts(/configurationPolicies$/)).toBe(1)
      expect(stub.overBudget()).toBe(0)
    } finally {
      await impatient.close()
    }
  })

  it("refuses kinds the backend cannot hold, with the capability's instead, before any change", async () => {
    const document: TenantDocument = {version: 'atpctl/v1', groups: [{name: 'Apply C'}], collections: [{name: 'Servers', rules: ['family = windows']}]}
    await expectAtpError(backend.setup.apply({document, file: 'atpctl.yaml', prune: false, secrets: NO_SECRETS}), {code: 'UNSUPPORTED', exitCode: 4, message: /cannot device collections/})
    expect(posts(/\/groups$/)).toBe(0)
  })

  it('refuses a saved plan once the tenant changed by other hands (exit 4, PLAN_STALE)', async () => {
    const planned = await plan(DOCUMENT)
    await backend.intune.createGroup({name: 'By hand'})
    await expectAtpError(backend.setup.apply({document: DOCUMENT, file: 'atpctl.yaml', prune: false, secrets: NO_SECRETS, expectedTenantSha256: planned.tenantSha256}), {code: 'PLAN_STALE', exitCode: 4})
    expect(posts(/\/groups$/)).toBe(1)
  })
})
