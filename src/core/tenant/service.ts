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

/** The tenant, or a not-found error telling the user to run `init`. */
export async function requireTenant(backend: Backend, profile: string): Promise<Tenant> {
  const tenant = await backend.tenant.get()
  if (tenant) return tenant
  throw noTenantError(profile)
}
