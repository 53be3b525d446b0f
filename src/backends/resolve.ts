import {type Capabilities, guardCapabilities} from '../core/capabilities.js'
import type {EffectiveProfile, ProfileConfig} from '../core/profile.js'
import {databasePath} from '../lib/paths.js'
import type {Backend} from '../core/port/types.js'

export interface OpenBackendOptions {
  home: string
  profileName: string
  profile: ProfileConfig | EffectiveProfile
  actor: string
}

/**
 * Picks and opens the backend a profile names, guarded by its declared capabilities: a call into
 * one it lacks fails with UnsupportedError, whatever the backend.
 */
export async function openBackend(options: OpenBackendOptions): Promise<Backend> {
  const backend =
    options.profile.backend === 'remote'
      ? (await import('./remote/profile.js')).openRemoteProfile(options.home, options.profileName, options.profile, options.actor)
      : await (await import('./local/index.js')).openLocalBackend(databasePath(options.home, options.profileName), {profile: options.profileName, actor: options.actor})
  return guardCapabilities(backend)
}

/** What a profile's backend can do, without opening it (serve checks before it opens the database). */
export async function capabilitiesOf(profile: ProfileConfig | EffectiveProfile): Promise<{kind: string; capabilities: Capabilities}> {
  if (profile.backend === 'remote') return {kind: 'remote', capabilities: (await import('./remote/index.js')).REMOTE_CAPABILITIES}
  return {kind: 'local', capabilities: (await import('./local/index.js')).LOCAL_CAPABILITIES}
}
