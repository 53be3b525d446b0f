import type {Backend} from '../port/types.js'
import {listAll, listPages, type PagedList} from '../port/page.js'
import {NotFoundError} from '../errors.js'
import {requireTenant} from '../tenant/service.js'
import type {Deleted} from '../port/intune-api.js'
import {type AccessDecision, type AccessPolicy, type AccessPolicyCreateRequest, type AccessPolicyUpdateRequest, checkAccessPolicyRequest, type ClientApp, decideAccess} from './rules.js'

export async function createAccessPolicy(backend: Backend, options: AccessPolicyCreateRequest & {profile: string}): Promise<{policy: AccessPolicy; changed: boolean}> {
  const {profile, ...request} = options
  const clean = {...request, name: request.name.trim()}
  checkAccessPolicyRequest(clean)
  await requireTenant(backend, profile)
  return backend.access.createPolicy(clean)
}

export async function showAccessPolicy(backend: Backend, options: {policy: string; profile: string}): Promise<{policy: AccessPolicy}> {
  await requireTenant(backend, options.profile)
  return {policy: await backend.access.getPolicy(options.policy)}
}

export async function updateAccessPolicy(backend: Backend, options: AccessPolicyUpdateRequest & {policy: string; profile: string}): Promise<{policy: AccessPolicy; changed: boolean}> {
  const {profile, policy, ...patch} = options
  await requireTenant(backend, profile)
  return backend.access.updatePolicy(policy, patch)
}

export async function listAccessPolicies(backend: Backend, options: {profile: string; limit?: number}): Promise<{policies: PagedList<AccessPolicy>}> {
  await requireTenant(backend, options.profile)
  return {policies: await listPages((page) => backend.access.listPolicies(page), {limit: options.limit})}
}

export async function setAccessPolicyEnabled(backend: Backend, options: {policy: string; enabled: boolean; profile: string}): Promise<{policy: AccessPolicy; changed: boolean}> {
  await requireTenant(backend, options.profile)
  return backend.access.setPolicyEnabled(options.policy, options.enabled)
}

export async function deleteAccessPolicy(backend: Backend, options: {policy: string; force: boolean; profile: string}): Promise<Deleted<'policy', AccessPolicy>> {
  await requireTenant(backend, options.profile)
  return backend.access.deletePolicy(options.policy, {force: options.force})
}

/**
 * IN8: would this sign-in be granted? Gathers the user's groups, the device's compliance
 * (IN7, same evaluation as `compliance evaluate`) and the policies, then decides.
 */
export async function checkAccess(
  backend: Backend,
  options: {user: string; device: string; app: string; client: ClientApp; profile: string; now?: () => Date},
): Promise<AccessDecision> {
  await requireTenant(backend, options.profile)
  const user = options.user.trim()
  const {known, groups} = await backend.intune.userGroups(user)
  if (!known) {
    throw new NotFoundError(`User '${user}' is unknown: no device inventory row names them and they are in no group.`, {
      suggestions: [`Add them to a group: atpctl group add GROUP --user ${user}`, 'Or import devices with a user column: atpctl device import FILE'],
    })
  }

  const [device] = await backend.compliance.evaluate({device: options.device})
  const policies = await listAll((page) => backend.access.listPolicies(page))
  const readAt = (options.now ?? (() => new Date()))().toISOString()
  const decision = decideAccess(policies, {user, userGroups: groups, app: options.app, client: options.client, device})
  // On a real tenant Microsoft Entra ID decides each sign-in; this answer is atpctl's reading of what it read (IN8).
  if (backend.kind !== 'microsoft') return decision
  return {...decision, basis: `decided by atpctl from ${policies.length} conditional access ${policies.length === 1 ? 'policy' : 'policies'} requiring a compliant device, read at ${readAt}; Microsoft Entra ID makes the real decision at sign-in (its sign-in logs show it)`}
}
