import {rmSync} from 'node:fs'
import {
  applyEnvironment,
  checkProfileName,
  checkSettingKey,
  DEFAULT_PROFILE,
  findProfile,
  newProfile,
  type ProfileConfig,
  SETTING_ENV,
  SETTINGS,
  type SettingSource,
} from '../core/profile.js'
import {readConfig, updateConfig} from './config.js'
import {databasePath, profileDir} from './paths.js'

export interface ProfileSummary {
  name: string
  current: boolean
  backend: string
  database: string
}

/** Records a profile in the configuration if it is not there yet. */
export async function ensureProfile(home: string, name: string): Promise<void> {
  if (readConfig(home).profiles[name]) return
  await updateConfig(home, (config) => {
    config.profiles[name] ??= newProfile()
  })
}

export function listProfiles(home: string): {profiles: ProfileSummary[]; current: string} {
  const config = readConfig(home)
  const names = new Set([DEFAULT_PROFILE, ...Object.keys(config.profiles)])
  return {
    current: config.currentProfile,
    profiles: [...names].sort().map((name) => ({
      name,
      current: name === config.currentProfile,
      backend: config.profiles[name]?.backend ?? 'local',
      database: databasePath(home, name),
    })),
  }
}

export async function useProfile(home: string, name: string): Promise<{current: string; created: boolean}> {
  checkProfileName(name)
  let created = false
  await updateConfig(home, (config) => {
    if (!config.profiles[name]) {
      config.profiles[name] = newProfile()
      created = true
    }

    config.currentProfile = name
  })
  return {current: name, created}
}

export function requireProfile(home: string, name: string): ProfileConfig {
  return findProfile(readConfig(home), name)
}

/** Deletes a profile and its data (the tenant database). The current profile falls back to default. */
export async function removeProfile(home: string, name: string): Promise<{removed: string; current: string}> {
  requireProfile(home, name)
  const next = await updateConfig(home, (c) => {
    delete c.profiles[name]
    if (c.currentProfile === name) c.currentProfile = DEFAULT_PROFILE
  })
  rmSync(profileDir(home, name), {recursive: true, force: true})
  return {removed: name, current: next.currentProfile}
}

export function getSetting(home: string, profile: string, key: string, env: Record<string, string | undefined> = {}): {key: string; value: string | null; source: SettingSource; profile: string} {
  checkSettingKey(key)
  const p = applyEnvironment(requireProfile(home, profile), env)
  const value = key === 'backend' ? p.backend : (p.settings[key] ?? null)
  return {key, value, source: p.sources[key] ?? 'default', profile}
}

export async function setSetting(home: string, profile: string, key: string, raw: string): Promise<{key: string; value: string; profile: string}> {
  const value = checkSettingKey(key).validate(raw)
  requireProfile(home, profile)
  await updateConfig(home, (config) => {
    const p = (config.profiles[profile] ??= newProfile())
    if (key === 'backend') p.backend = value as ProfileConfig['backend']
    else p.settings[key] = value
  })
  return {key, value, profile}
}

export function listSettings(
  home: string,
  profile: string,
  env: Record<string, string | undefined> = {},
): {profile: string; settings: {key: string; value: string | null; source: SettingSource; env: string; description: string}[]} {
  const p = applyEnvironment(requireProfile(home, profile), env)
  return {
    profile,
    settings: Object.entries(SETTINGS).map(([key, spec]) => ({
      key,
      value: key === 'backend' ? p.backend : (p.settings[key] ?? null),
      source: p.sources[key] ?? 'default',
      env: SETTING_ENV[key],
      description: spec.description,
    })),
  }
}
