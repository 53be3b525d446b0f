/**
 * A microsoft profile: its settings (tenant, app, cloud, sign-in kind, endpoint overrides) live
 * in config.json; no secret does. A client secret given to `init` from stdin is kept in the
 * profile's own owner-only file (as a remote profile's API key is), never in config.json; a
 * secret file given by path stays where the user keeps it. `logout` removes both the kept secret
 * and the device-code token cache.
 */
import {chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {UsageError} from '../../core/errors.js'
import type {EffectiveProfile, ProfileConfig} from '../../core/profile.js'
import {profileDir} from '../../lib/paths.js'
import {clearTokenCache, tokenCacheDir} from './credential.js'
import {httpDebugEnabled} from './http.js'
import {type MicrosoftBackend, type MicrosoftBackendOptions, openMicrosoftBackend} from './index.js'
import {checkMicrosoftSettings, MICROSOFT_SETTING_KEYS, type MicrosoftSettings, microsoftSettingsFromProfile} from './settings.js'

/** The owner-only file of a secret read from stdin at init. */
export function keptSecretPath(home: string, profile: string): string {
  return join(profileDir(home, profile), 'client-secret')
}

/** Writes the secret owner-only (0600) through a temp file and rename: never a partial file. */
export function keepSecret(home: string, profile: string, secret: string): string {
  const path = keptSecretPath(home, profile)
  mkdirSync(profileDir(home, profile), {recursive: true, mode: 0o700})
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, secret + '\n', {mode: 0o600})
  chmodSync(temp, 0o600)
  renameSync(temp, path)
  return path
}

/**
 * The settings of a stored profile; a profile made only of the environment (ATPCTL_BACKEND=microsoft
 * in CI) takes the tenant and client ids from AZURE_TENANT_ID and AZURE_CLIENT_ID.
 */
export function settingsOf(profileName: string, profile: ProfileConfig | EffectiveProfile, env: Record<string, string | undefined>): MicrosoftSettings {
  const stored = {...profile.settings}
  stored[MICROSOFT_SETTING_KEYS.tenantId] ??= env.AZURE_TENANT_ID ?? ''
  stored[MICROSOFT_SETTING_KEYS.clientId] ??= env.AZURE_CLIENT_ID ?? ''
  try {
    return microsoftSettingsFromProfile(stored)
  } catch (error) {
    if (error instanceof UsageError && !profile.settings[MICROSOFT_SETTING_KEYS.tenantId]) {
      throw new UsageError(`Profile '${profileName}' uses the microsoft backend but ${error.message.replace(/^A microsoft profile needs /, 'has no ')}`, {
        suggestions: [`Set it up: atpctl init --backend microsoft --tenant-id GUID --client-id GUID --profile ${profileName}`, 'Or set AZURE_TENANT_ID and AZURE_CLIENT_ID.'],
      })
    }

    throw error
  }
}

export interface OpenProfileOptions {
  home: string
  profileName: string
  profile: ProfileConfig | EffectiveProfile
  actor: string
  env?: Record<string, string | undefined>
  /** --verbose: one line per request on stderr. */
  verbose?: boolean
  /** Whether a device-code prompt may appear (a terminal). */
  interactive?: boolean
  log?: (line: string) => void
}

/** Opens the microsoft backend a profile names. */
export function openMicrosoftProfile(options: OpenProfileOptions): MicrosoftBackend {
  const env = options.env ?? process.env
  const settings = settingsOf(options.profileName, options.profile, env)
  return openMicrosoftBackend(backendOptions(options, settings, env))
}

export function backendOptions(options: OpenProfileOptions, settings: MicrosoftSettings, env: Record<string, string | undefined>): MicrosoftBackendOptions {
  const verbose = options.verbose || httpDebugEnabled(env)
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  return {
    settings,
    context: {profile: options.profileName, actor: options.actor},
    env,
    cacheDir: tokenCacheDir(profileDir(options.home, options.profileName)),
    journalDir: join(profileDir(options.home, options.profileName), 'journals'),
    log: verbose ? log : undefined,
    interactive: options.interactive,
    prompt: (message) => process.stderr.write(`${message}\n`),
  }
}

/** `init --backend microsoft`: the settings from flags, checked (no secret among them). */
export function settingsFromFlags(input: Parameters<typeof checkMicrosoftSettings>[0]): MicrosoftSettings {
  return checkMicrosoftSettings(input)
}

/** `atpctl logout`: removes the kept secret and the device-code token cache; says what was removed. */
export function logoutProfile(home: string, profile: string): {removed: string[]} {
  const removed: string[] = []
  const secret = keptSecretPath(home, profile)
  if (existsSync(secret)) {
    rmSync(secret, {force: true})
    removed.push('client secret')
  }

  if (clearTokenCache(profileDir(home, profile))) removed.push('device code sign-in (token cache)')
  return {removed}
}

export interface ConnectOptions {
  /** Settings from init's flags, not yet checked. */
  input: Parameters<typeof checkMicrosoftSettings>[0]
  /** A client secret read from stdin (`--client-secret-file -`): kept owner-only with the profile. */
  secret?: string
  /** Device code sign-in: prompt now, at this terminal. */
  deviceCode?: boolean
  env?: Record<string, string | undefined>
  verbose?: boolean
}

/**
 * `init --backend microsoft`: checks the settings, signs in (device code prompts here), asks the
 * tenant for a token of each API, and only then stores the profile (and a secret from stdin in
 * its owner-only file). A sign-in that fails stores nothing. Returns the opened backend.
 */
export async function connectMicrosoftProfile(home: string, profileName: string, options: ConnectOptions, actor: string): Promise<MicrosoftBackend> {
  const env = options.env ?? process.env
  const stdinSecret = options.secret !== undefined
  const input = {...options.input}
  if (stdinSecret) {
    input.secretFile = undefined
    input.credential = 'secret'
  }

  const settings = checkMicrosoftSettings(input)
  const open: OpenProfileOptions = {home, profileName, profile: {backend: 'microsoft', settings: {}}, actor, env, verbose: options.verbose, interactive: options.deviceCode}
  if (options.deviceCode) {
    const {endpointsFor} = await import('./cloud.js')
    const {signInWithDeviceCode} = await import('./credential.js')
    mkdirSync(profileDir(home, profileName), {recursive: true, mode: 0o700})
    await signInWithDeviceCode(settings, [endpointsFor(settings.cloud, settings).scopes.defender], {
      cacheDir: tokenCacheDir(profileDir(home, profileName)),
      env,
      prompt: (message) => process.stderr.write(`${message}\n`),
    })
  }

  const backend = openMicrosoftBackend({...backendOptions(open, settings, env), secret: options.secret})
  try {
    // The Defender token proves the sign-in; its roles are what status reports.
    await (await backend.client('defender')).roles()
  } catch (error) {
    await backend.close()
    if (options.deviceCode) clearTokenCache(profileDir(home, profileName))
    throw error
  }

  const stored = {...settings}
  if (stdinSecret) stored.secretFile = keepSecret(home, profileName, options.secret!)
  else if (existsSync(keptSecretPath(home, profileName))) rmSync(keptSecretPath(home, profileName), {force: true})
  const {updateConfig} = await import('../../lib/config.js')
  const {microsoftSettingsToProfile} = await import('./settings.js')
  await updateConfig(home, (config) => {
    config.profiles[profileName] = {backend: 'microsoft', settings: microsoftSettingsToProfile(stored)}
  })
  return backend
}
