import {NotFoundError, UsageError} from '../errors.js'

/** A third-party (non-Windows) sensor provider of seed 000 (TP1). */
export interface ProviderInfo {
  id: string
  name: string
  platforms: string[]
}

/** The built-in catalogue of non-Windows providers, listed whether enabled or not (TP1). */
export const PROVIDERS: readonly ProviderInfo[] = [
  {id: 'bitdefender', name: 'Bitdefender GravityZone', platforms: ['macos', 'linux']},
  {id: 'lookout', name: 'Lookout Mobile Endpoint Security', platforms: ['android', 'ios']},
  {id: 'sentinelone', name: 'SentinelOne', platforms: ['macos', 'linux']},
  {id: 'ziften', name: 'Ziften Zenith', platforms: ['macos', 'linux']},
]

export function findProvider(id: string): ProviderInfo {
  const provider = PROVIDERS.find((p) => p.id === id.toLowerCase())
  if (!provider) {
    throw new NotFoundError(`Unknown third-party provider '${id}'.`, {
      suggestions: [`Known providers: ${PROVIDERS.map((p) => p.id).join(', ')}.`],
    })
  }

  return provider
}

/** The integration kinds of SPEC §3. */
export const INTEGRATION_KINDS = ['third-party', 'intune', 'defender-for-cloud'] as const
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number]

export function parseIntegrationKind(kind: string): IntegrationKind {
  if ((INTEGRATION_KINDS as readonly string[]).includes(kind)) return kind as IntegrationKind
  throw new UsageError(`Unknown integration kind '${kind}'.`, {suggestions: [`Use one of: ${INTEGRATION_KINDS.join(', ')}.`]})
}

/** Intune connector platform toggles and their minimum OS versions (IN2). */
export const INTUNE_PLATFORMS = {
  android: {minimumVersion: '6.0.0', label: 'Android'},
  ios: {minimumVersion: '8.0', label: 'iOS'},
  windows: {minimumVersion: '10.0.15063', label: 'Windows'},
} as const
export type IntunePlatform = keyof typeof INTUNE_PLATFORMS

/** The Defender for Endpoint connector id in Intune (REFERENCE §4.1). */
export const INTUNE_CONNECTOR_ID = 'fc780465-2017-40d4-a0c5-307022471b92'

/** Clouds a Defender for Cloud subscription can live in (DC5). */
export const CLOUDS = ['commercial', 'government', 'aws', 'china'] as const
export type Cloud = (typeof CLOUDS)[number]
