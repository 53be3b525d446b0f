import {NotFoundError, UsageError} from '../errors.js'
import {escapeName} from '../names.js'

/** Data locations a tenant can be created in (T1). */
export const LOCATIONS = ['us', 'eu', 'uk'] as const
export type Location = (typeof LOCATIONS)[number]

interface LocationFacts {
  /** Datacenters of this location; the first is the default. */
  datacenters: string[]
  /** `vortexGeoLocation` of the onboarding body (REFERENCE §1.3). */
  vortexGeoLocation: string
}

export const LOCATION_FACTS: Record<Location, LocationFacts> = {
  us: {datacenters: ['EastUs3', 'CentralUs3', 'EastUs', 'EastUs2', 'CentralUs'], vortexGeoLocation: 'US'},
  eu: {datacenters: ['WestEurope', 'NorthEurope'], vortexGeoLocation: 'EU'},
  uk: {datacenters: ['WestUk', 'SouthUk'], vortexGeoLocation: 'UK'},
}

/** The tenant of one profile. Secrets (workspace key, signing key) are not part of this view. */
export interface Tenant {
  orgId: string
  location: Location
  datacenter: string
  vortexGeoLocation: string
  workspaceId: string
  createdAt: string
  /** SHA-256 fingerprint of the tenant signing certificate (DER), lower-case hex. */
  certificateSha256: string
}

/** Tenant secrets, read only by the package generator and `workspace show --reveal`. */
export interface TenantSecrets {
  workspaceKey: string
  /** PKCS#8 PEM of the RSA-2048 key that signs onboarding/offboarding blobs. */
  signingKeyPem: string
  /** DER of the signing (leaf) certificate, base64. */
  signingCertDer: string
  /** DER of the tenant root CA certificate that issued the leaf, base64. */
  caCertDer: string
}

export function parseLocation(value: string): Location {
  const lower = value.toLowerCase()
  if ((LOCATIONS as readonly string[]).includes(lower)) return lower as Location
  throw new UsageError(`Unknown location '${escapeName(value)}'.`, {suggestions: [`Pass --location with one of: ${LOCATIONS.join(', ')}.`]})
}

/** Picks the datacenter: the given one (checked against the location) or the location's default. */
export function resolveDatacenter(location: Location, datacenter?: string): string {
  const known = LOCATION_FACTS[location].datacenters
  if (datacenter === undefined) return known[0]
  const match = known.find((d) => d.toLowerCase() === datacenter.toLowerCase())
  if (!match) {
    throw new UsageError(`Datacenter '${escapeName(datacenter)}' is not in location '${location}'.`, {
      suggestions: [`Pass --datacenter with one of: ${known.join(', ')}.`],
    })
  }

  return match
}

/** The error for a profile whose tenant was never created: what to run next. */
export function noTenantError(profile: string): NotFoundError {
  return new NotFoundError(`Profile '${profile}' has no tenant yet.`, {
    suggestions: [`Create one: atpctl init --location us${profile === 'default' ? '' : ` --profile ${profile}`}`],
  })
}
