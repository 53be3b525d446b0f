import type {Backend, BackendKind} from './port/types.js'
import {listPages} from './port/page.js'
import {CAPABILITIES, type CapabilityId} from './capabilities.js'
import {isAtpError} from './errors.js'
import type {IntegrationsState} from './integration/types.js'
import {type GrantedRoles, operationUsability, type OperationUsability, PERMISSION_API_NAMES, type PermissionApiKey} from './permissions.js'
import type {Tenant} from './tenant/model.js'
import {requireTenant} from './tenant/service.js'

/** Who a backend that signs in to a real tenant is, and what each API's token allows. */
export interface SignInReport {
  tenantId: string
  clientId: string
  cloud: string
  /** How it signs in: secret, certificate, managed-identity, workload-identity, azure-cli, device-code, environment. */
  credential: string
  apis: {api: PermissionApiKey; name: string; url: string; roles: string[] | null; error: string | null}[]
}

/** A backend that can report its sign-in (the microsoft backend). */
export interface SignInReporter {
  signIn(): Promise<Omit<SignInReport, 'apis'> & {granted: GrantedRoles; urls: Record<PermissionApiKey, string>}>
}

function isSignInReporter(backend: unknown): backend is SignInReporter {
  return typeof (backend as Partial<SignInReporter>).signIn === 'function'
}

export interface StatusResult {
  profile: string
  backend: {kind: BackendKind; location: string}
  /** atpctl's own tenant; null on a backend that reaches a real tenant (see signIn). */
  tenant: Tenant | null
  /** The real tenant's sign-in and the roles of each API's token; null on the emulated backends. */
  signIn: SignInReport | null
  /** Per operation on a real tenant: usable, or which permission is missing; null on the emulated backends. */
  permissions: OperationUsability[] | null
  integrations: IntegrationsState | null
  tokens: {active: number; expired: number; revoked: number} | null
  /** Every capability of the profile's backend: supported, or what to do instead. */
  capabilities: {id: CapabilityId; summary: string; supported: boolean; instead: string | null}[]
}

/** Everything at a glance: tenant (or sign-in and permissions), backend, integrations, token counts. */
export async function getStatus(backend: Backend, profile: string): Promise<StatusResult> {
  const tenant = await requireTenant(backend, profile)
  const supported = (id: CapabilityId) => backend.capabilities[id].supported
  let signIn: SignInReport | null = null
  let permissions: OperationUsability[] | null = null
  if (isSignInReporter(backend)) {
    const report = await backend.signIn()
    const apis = (Object.keys(PERMISSION_API_NAMES) as PermissionApiKey[]).map((api) => {
      const g = report.granted[api]
      return {api, name: PERMISSION_API_NAMES[api], url: report.urls[api], roles: g.roles, error: g.roles === null ? g.error : null}
    })
    signIn = {tenantId: report.tenantId, clientId: report.clientId, cloud: report.cloud, credential: report.credential, apis}
    permissions = operationUsability(report.granted).filter((op) => supported(op.capability))
  }

  // On a real tenant a missing permission must not hide the rest: the permissions above say what to grant.
  const integrations = supported('integrations')
    ? await backend.integrations.state().catch((error: unknown) => (signIn && isAtpError(error) && error.exitCode === 5 ? null : Promise.reject(error)))
    : null
  // Counted page by page: a tenant may hold many tokens.
  let tokenList: Record<string, number> | null = null
  if (supported('third-party-tokens')) {
    tokenList = {}
    for await (const t of await listPages((page) => backend.tokens.list(page))) tokenList[t.status] = (tokenList[t.status] ?? 0) + 1
  }

  const count = (status: string) => tokenList![status] ?? 0
  return {
    profile,
    backend: {kind: backend.kind, location: backend.location},
    tenant,
    signIn,
    permissions,
    integrations,
    tokens: tokenList ? {active: count('active'), expired: count('expired'), revoked: count('revoked')} : null,
    capabilities: (Object.keys(CAPABILITIES) as CapabilityId[]).map((id) => {
      const declared = backend.capabilities[id]
      return {id, summary: CAPABILITIES[id].summary, supported: declared.supported, instead: declared.supported ? null : declared.instead}
    }),
  }
}
