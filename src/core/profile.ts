import {NotFoundError, UsageError} from './errors.js'

export type BackendName = 'local' | 'remote' | 'microsoft'

/** One profile: which backend it uses and its settings (all strings, validated by key). */
export interface ProfileConfig {
  backend: BackendName
  settings: Record<string, string>
}

export interface AtpctlConfig {
  currentProfile: string
  profiles: Record<string, ProfileConfig>
}

export const DEFAULT_PROFILE = 'default'

export function emptyConfig(): AtpctlConfig {
  return {currentProfile: DEFAULT_PROFILE, profiles: {}}
}

export function newProfile(): ProfileConfig {
  return {backend: 'local', settings: {}}
}

/**
 * The named profile of a configuration. The default profile exists implicitly, and so does any
 * profile a command is about to create (init, quickstart); any other missing one is not found.
 */
export function findProfile(config: AtpctlConfig, name: string, options: {allowNew?: boolean} = {}): ProfileConfig {
  const stored = config.profiles[name]
  if (stored) return stored
  if (name === DEFAULT_PROFILE || options.allowNew) return newProfile()
  throw new NotFoundError(`Profile '${name}' does not exist.`, {
    suggestions: [`Create it with: atpctl init --profile ${name} --location us`, 'List profiles: atpctl profile list'],
  })
}

/** Profile names become directory names: keep them to a safe alphabet. */
export function checkProfileName(name: string): string {
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/i.test(name)) {
    throw new UsageError(`Invalid profile name '${name}'.`, {
      suggestions: ['Use letters, digits, "-" and "_" (at most 63), starting with a letter or digit.'],
    })
  }

  return name
}

interface SettingSpec {
  description: string
  validate(value: string): string
}

const oneOf = (...values: string[]) => (value: string) => {
  if (!values.includes(value)) throw new UsageError(`'${value}' is not one of: ${values.join(', ')}.`)
  return value
}

function checkUrl(value: string): string {
  if (!/^https?:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/i.test(value)) throw new UsageError(`'${value}' is not an http(s) server URL without credentials or query.`)
  return value.replace(/\/+$/, '')
}

/** Settings `atpctl config set` accepts. Unknown keys are a usage error listing these. */
export const SETTINGS: Record<string, SettingSpec> = {
  backend: {
    description: 'Backend of this profile: local (embedded SQLite), remote (an `atpctl serve` server) or microsoft (a real tenant; set up with atpctl init --backend microsoft).',
    validate: oneOf('local', 'remote', 'microsoft'),
  },
  url: {description: 'Server URL of a remote profile, e.g. https://atp.example.net:8443 (the API key is kept in its own 0600 file).', validate: checkUrl},
  'ca-file': {description: 'PEM certificate (or CA) a remote profile trusts for a self-signed server; TLS verification stays on.', validate: (v) => v},
  'configmgr-version': {
    description: 'Default Configuration Manager version for policies, e.g. 1910, 2002, 2103.',
    validate(value) {
      if (!/^\d{4}$/.test(value)) throw new UsageError(`'${value}' is not a Configuration Manager version like 2002.`)
      return value
    },
  },
}

/**
 * Each setting's environment variable. Precedence: a command's flag, then this variable, then
 * the profile (then the built-in default), so a CI job can configure everything from its
 * environment without writing a profile.
 */
export const SETTING_ENV: Record<string, string> = {
  backend: 'ATPCTL_BACKEND',
  url: 'ATPCTL_URL',
  'ca-file': 'ATPCTL_CA_FILE',
  'configmgr-version': 'ATPCTL_CONFIGMGR_VERSION',
}

/** The API key file of a remote profile, from the environment (the profile keeps its own copy). */
export const API_KEY_FILE_ENV = 'ATPCTL_API_KEY_FILE'

export type SettingSource = 'env' | 'profile' | 'default'

/** A profile as the environment amends it, with where each setting came from. */
export interface EffectiveProfile extends ProfileConfig {
  sources: Record<string, SettingSource>
  /** ATPCTL_API_KEY_FILE, when set: read instead of the profile's stored key. */
  apiKeyFile: string | null
}

/**
 * Overlays the ATPCTL_* variables on a stored profile. Values are checked like `config set`
 * checks them, naming the variable. ATPCTL_URL alone means the remote backend.
 */
export function applyEnvironment(stored: ProfileConfig, env: Record<string, string | undefined>): EffectiveProfile {
  const settings = {...stored.settings}
  const sources: Record<string, SettingSource> = {backend: 'default'}
  for (const key of Object.keys(stored.settings)) sources[key] = 'profile'
  let backend = stored.backend
  if (stored.backend !== 'local') sources.backend = 'profile'
  for (const [key, name] of Object.entries(SETTING_ENV)) {
    const raw = env[name]
    if (raw === undefined || raw === '') continue
    let value: string
    try {
      value = SETTINGS[key].validate(raw)
    } catch (error) {
      throw new UsageError(`${name}: ${(error as Error).message}`, {suggestions: [`Fix or unset ${name} (it overrides the profile's '${key}' setting).`]})
    }

    if (key === 'backend') backend = value as BackendName
    else settings[key] = value
    sources[key] = 'env'
  }

  if (sources.url === 'env' && sources.backend !== 'env') {
    backend = 'remote'
    sources.backend = 'env'
  }

  const apiKeyFile = env[API_KEY_FILE_ENV] ? env[API_KEY_FILE_ENV]! : null
  return {backend, settings, sources, apiKeyFile}
}

export function checkSettingKey(key: string): SettingSpec {
  const spec = SETTINGS[key]
  if (!spec) {
    throw new UsageError(`Unknown setting '${key}'.`, {suggestions: [`Known settings: ${Object.keys(SETTINGS).join(', ')}.`]})
  }

  return spec
}
