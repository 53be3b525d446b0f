import {type CapabilityId, requireCapability} from '../capabilities.js'
import type {Backend} from '../port/types.js'
import {type Location, noTenantError, resolveDatacenter, type Tenant} from './model.js'

export interface InitResult {
  tenant: Tenant
  created: boolean
  profile: string
}

/** Creates the profile's tenant (T1: same location again is a no-op, another is refused). */
export async function initTenant(backend: Backend, options: {location: Location; datacenter?: string; profile: string}): Promise<InitResult> {
  const datacenter = resolveDatacenter(options.location, options.datacenter)
  const {tenant, created} = await backend.tenant.create({location: options.location, datacenter})
  return {tenant, created, profile: options.profile}
}

/**
 * The tenant, or a not-found error telling the user to run `init`. A backend that creates no
 * tenant of its own (a real Microsoft tenant exists before atpctl; `init` only signs in) has
 * nothing to require: null.
 */
export async function requireTenant(backend: Backend, profile: string): Promise<Tenant | null> {
  if (backend.capabilities?.tenant.supported === false) return null
  const tenant = await backend.tenant.get()
  if (tenant) return tenant
  throw noTenantError(profile)
}

/**
 * The tenant atpctl itself keeps (its org id, workspace, signing identity), for what is built
 * from it: refused (exit 4, with what to do instead) by a backend without one, under the
 * capability the caller needs.
 */
export async function requireOwnTenant(backend: Backend, profile: string, capability: CapabilityId = 'tenant'): Promise<Tenant> {
  requireCapability(backend, capability)
  requireCapability(backend, 'tenant')
  const tenant = await backend.tenant.get()
  if (tenant) return tenant
  throw noTenantError(profile)
}
