import {chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {looksLikeApiKey} from '../../core/apikey/rules.js'
import {AuthError, NotFoundError, UsageError} from '../../core/errors.js'
import type {Location} from '../../core/tenant/model.js'
import {type InitResult, initTenant} from '../../core/tenant/service.js'
import type {EffectiveProfile, ProfileConfig} from '../../core/profile.js'
import {parseServerUrl} from '../../lib/http-client.js'
import {profileDir} from '../../lib/paths.js'
import {openRemoteBackend, type RemoteBackend, type WhoAmI} from './index.js'

/** The API key of a remote profile lives in its own owner-only file, never in config.json. */
export function apiKeyPath(home: string, profile: string): string {
  return join(profileDir(home, profile), 'api-key')
}

/** Reads an API key file given by the user: one key, nothing else. */
export function readApiKeyFile(path: string): string {
  let text: string
  try {
    text = readFileSync(path, 'utf8').trim()
  } catch (error) {
    throw new UsageError(`Cannot read the API key file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, {
      suggestions: ['Pass --api-key-file with the file `atpctl apikey create` wrote (or you saved its key into).'],
    })
  }

  if (!looksLikeApiKey(text) || /\s/.test(text)) {
    throw new UsageError(`${path} does not hold an atpctl API key (atpk_…).`, {suggestions: ['Create one on the server host: atpctl apikey create --name <who> --role <role>']})
  }

  return text
}

/** Stores the key owner-only (0600), via a temp file and rename so no partial file exists. */
export function saveApiKey(home: string, profile: string, key: string): string {
  const path = apiKeyPath(home, profile)
  mkdirSync(profileDir(home, profile), {recursive: true, mode: 0o700})
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, key + '\n', {mode: 0o600})
  chmodSync(temp, 0o600)
  renameSync(temp, path)
  return path
}

/** Opens the remote backend a profile names. */
export function openRemoteProfile(home: string, profile: string, config: ProfileConfig | EffectiveProfile, actor: string): RemoteBackend {
  const url = config.settings.url
  if (!url) {
    throw new UsageError(`Profile '${profile}' uses the remote backend but has no server URL.`, {
      suggestions: [`Set it up: atpctl init --remote <url> --api-key-file <file> --profile ${profile}`, 'Or set ATPCTL_URL and ATPCTL_API_KEY_FILE.'],
    })
  }

  // ATPCTL_API_KEY_FILE (a CI secret file) wins over the key stored with the profile.
  const fromEnv = 'apiKeyFile' in config ? config.apiKeyFile : null
  if (fromEnv) return openRemoteBackend({url, apiKey: readApiKeyFile(fromEnv), caFile: config.settings['ca-file'], actor})

  const keyFile = apiKeyPath(home, profile)
  if (!existsSync(keyFile)) {
    throw new AuthError(`Profile '${profile}' has no API key.`, {
      suggestions: [`Give it one: atpctl init --remote ${url} --api-key-file <file> --profile ${profile}`, 'Or point ATPCTL_API_KEY_FILE at the key file.'],
    })
  }

  return openRemoteBackend({url, apiKey: readFileSync(keyFile, 'utf8').trim(), caFile: config.settings['ca-file'], actor})
}

export interface RemoteConnection {
  url: string
  caFile: string | null
  whoami: WhoAmI
}

/**
 * Checks a server URL and key before a profile is switched to them: the server must answer and
 * accept the key. Nothing is stored when it does not.
 */
export async function checkRemote(options: {url: string; apiKey: string; caFile?: string}): Promise<RemoteConnection> {
  const url = parseServerUrl(options.url).toString().replace(/\/$/, '')
  const caFile = options.caFile ? resolve(options.caFile) : undefined
  const backend = openRemoteBackend({url, apiKey: options.apiKey, caFile})
  try {
    return {url, caFile: caFile ?? null, whoami: await backend.whoami()}
  } finally {
    await backend.close()
  }
}

export interface ConnectOptions {
  url: string
  apiKeyFile: string
  caFile?: string
}

/**
 * Points a profile at a server: checks URL and key against it first, then stores the key
 * (owner-only file) and the profile's backend, url and ca-file. Returns the opened backend.
 */
export async function connectRemoteProfile(home: string, profile: string, options: ConnectOptions, actor: string): Promise<{backend: RemoteBackend; connection: RemoteConnection}> {
  const apiKey = readApiKeyFile(options.apiKeyFile)
  const connection = await checkRemote({url: options.url, apiKey, caFile: options.caFile})
  saveApiKey(home, profile, apiKey)
  const {updateConfig} = await import('../../lib/config.js')
  await updateConfig(home, (config) => {
    const settings: Record<string, string> = {...config.profiles[profile]?.settings, url: connection.url}
    if (connection.caFile) settings['ca-file'] = connection.caFile
    else delete settings['ca-file']
    config.profiles[profile] = {backend: 'remote', settings}
  })
  return {backend: openRemoteBackend({url: connection.url, apiKey, caFile: connection.caFile ?? undefined, actor}), connection}
}

/** After `init --remote`: create the server's tenant when --location is given, else show it. */
export async function initRemoteTenant(
  backend: RemoteBackend,
  options: {profile: string; location?: Location; datacenter?: string},
): Promise<InitResult> {
  if (options.location) return initTenant(backend, {location: options.location, datacenter: options.datacenter, profile: options.profile})
  const tenant = await backend.tenant.get()
  if (!tenant) {
    throw new NotFoundError('The server has no tenant yet.', {
      suggestions: [`Create it (role owner): atpctl init --location us --profile ${options.profile}`],
    })
  }

  return {tenant, created: false, profile: options.profile}
}
