import type {Backend, BackendKind} from './port/types.js'
import {listPages} from './port/page.js'
import {CAPABILITIES, type CapabilityId} from './capabilities.js'
import type {IntegrationsState} from './integration/types.js'
import type {Tenant} from './tenant/model.js'
import {requireTenant} from './tenant/service.js'

export interface StatusResult {
  profile: string
  backend: {kind: BackendKind; location: string}
  tenant: Tenant
  integrations: IntegrationsState
  tokens: {active: number; expired: number; revoked: number}
  /** Every capability of the profile's backend: supported, or what to do instead. */
  capabilities: {id: CapabilityId; summary: string; supported: boolean; instead: string | null}[]
}

/** Everything at a glance: tenant, backend, integrations, token counts. */
export async function getStatus(backend: Backend, profile: string): Promise<StatusResult> {
  const tenant = await requireTenant(backend, profile)
  const integrations = await backend.integrations.state()
  // Counted page by page: a tenant may hold many tokens.
  const counts: Record<string, number> = {}
  for await (const t of await listPages((page) => backend.tokens.list(page))) counts[t.status] = (counts[t.status] ?? 0) + 1
  const count = (status: string) => counts[status] ?? 0
  return {
    profile,
    backend: {kind: backend.kind, location: backend.location},
    tenant,
    integrations,
    tokens: {active: count('active'), expired: count('expired'), revoked: count('revoked')},
    capabilities: (Object.keys(CAPABILITIES) as CapabilityId[]).map((id) => {
      const declared = backend.capabilities[id]
      return {id, summary: CAPABILITIES[id].summary, supported: declared.supported, instead: declared.supported ? null : declared.instead}
    }),
  }
}
