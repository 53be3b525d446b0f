import type {EffectiveProfile, ProfileConfig} from '../core/profile.js'
import {databasePath} from '../lib/paths.js'
import type {Backend} from './types.js'

export interface OpenBackendOptions {
  home: string
  profileName: string
  profile: ProfileConfig | EffectiveProfile
  actor: string
}

/** Picks and opens the backend a profile names. */
export async function openBackend(options: OpenBackendOptions): Promise<Backend> {
  if (options.profile.backend === 'remote') return (await import('./remote/profile.js')).openRemoteProfile(options.home, options.profileName, options.profile, options.actor)
  const {openLocalBackend} = await import('./local/index.js')
  return openLocalBackend(databasePath(options.home, options.profileName), {profile: options.profileName, actor: options.actor})
}
