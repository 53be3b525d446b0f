import {type Capabilities, guardCapabilities} from '../core/capabilities.js'
import type {EffectiveProfile, ProfileConfig} from '../core/profile.js'
import {databasePath} from '../lib/paths.js'
import type {Backend} from '../core/port/types.js'

export interface OpenBackendOptions {
  home: string
  profileName: string
  profile: ProfileConfig | EffectiveProfile
  actor: string
  /** --verbose: a real tenant's backend prints each request on stderr. */
  verbose?: boolean
  /** Whether a sign-in prompt (device code) may appear now. */
  interactive?: boolean
}

/**
 * Picks and opens the backend a profile names, guarded by its declared capabilities: a call into
 * one it lacks fails with UnsupportedError, whatever the backend.
 */
export async function openBackend(options: OpenBackendOptions): Promise<Backend> {
  let backend: Backend
  switch (options.profile.backend) {
    case 'remote': {
      backend = (await import('./remote/profile.js')).openRemoteProfile(options.home, options.profileName, options.profile, options.actor)
      break
    }

    case 'microsoft': {
      backend = (await import('./microsoft/profile.js')).openMicrosoftProfile(options)
      break
    }

    default: {
      backend = await (await import('./local/index.js')).openLocalBackend(databasePath(options.home, options.profileName), {profile: options.profileName, actor: options.actor})
    }
  }

  return guardCapabilities(backend)
}

/** What a profile's backend can do, without opening it (serve checks before it opens the database). */
export async function capabilitiesOf(profile: ProfileConfig | EffectiveProfile): Promise<{kind: string; capabilities: Capabilities}> {
  if (profile.backend === 'remote') return {kind: 'remote', capabilities: (await import('./remote/index.js')).REMOTE_CAPABILITIES}
  if (profile.backend === 'microsoft') return {kind: 'microsoft', capabilities: (await import('./microsoft/index.js')).MICROSOFT_CAPABILITIES}
  return {kind: 'local', capabilities: (await import('./local/index.js')).LOCAL_CAPABILITIES}
}
