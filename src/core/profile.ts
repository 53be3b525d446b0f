import {NotFoundError, UsageError} from './errors.js'

export type BackendName = 'local' | 'remote'

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
  backend: {description: 'Backend of this profile: local (embedded SQLite) or remote (an `atpctl serve` server).', validate: oneOf('local', 'remote')},
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

export function checkSettingKey(key: string): SettingSpec {
  const spec = SETTINGS[key]
  if (!spec) {
    throw new UsageError(`Unknown setting '${key}'.`, {suggestions: [`Known settings: ${Object.keys(SETTINGS).join(', ')}.`]})
  }

  return spec
}
