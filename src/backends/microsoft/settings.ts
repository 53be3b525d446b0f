/**
 * A microsoft profile's settings: which tenant and app registration, which cloud, how to sign
 * in, and optional endpoint overrides. Checked once here (GUIDs, https URLs, a known cloud and
 * credential kind, the file a kind needs) so every later step can trust them. No secret is ever
 * part of the settings: a client secret comes from a file or the environment when it is needed.
 */
import {UsageError} from '../../core/errors.js'
import {isMicrosoftCloud, MICROSOFT_CLOUDS, type MicrosoftCloud} from './cloud.js'

export const CREDENTIAL_KINDS = ['secret', 'certificate', 'managed-identity', 'workload-identity', 'azure-cli', 'device-code', 'environment'] as const
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number]

export interface MicrosoftSettings {
  tenantId: string
  clientId: string
  cloud: MicrosoftCloud
  credential: CredentialKind
  /** PEM with the certificate and its private key (credential `certificate`). */
  certificateFile?: string
  /** File holding the client secret (credential `secret`); else AZURE_CLIENT_SECRET. */
  secretFile?: string
  /** Federated token file (credential `workload-identity`); else AZURE_FEDERATED_TOKEN_FILE. */
  federatedTokenFile?: string
  authorityHost?: string
  defenderUrl?: string
  graphUrl?: string
  armUrl?: string
  /** Extra CA (PEM) trusted for sign-in and every API call. */
  caFile?: string
}

/** Each setting's key in a profile's settings (the `--flag` names of `atpctl init`). */
export const MICROSOFT_SETTING_KEYS = {
  tenantId: 'tenant-id',
  clientId: 'client-id',
  cloud: 'cloud',
  credential: 'credential',
  certificateFile: 'certificate-file',
  secretFile: 'client-secret-file',
  federatedTokenFile: 'federated-token-file',
  authorityHost: 'authority-host',
  defenderUrl: 'defender-url',
  graphUrl: 'graph-url',
  armUrl: 'arm-url',
  caFile: 'ca-file',
} as const satisfies Record<keyof MicrosoftSettings, string>

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function checkGuid(value: string | undefined, what: string, flag: string): string {
  if (value === undefined || value.trim() === '') {
    throw new UsageError(`A microsoft profile needs the ${what}.`, {suggestions: [`Pass ${flag} with the GUID from the app registration's Overview page (Microsoft Entra admin center > App registrations).`]})
  }

  const v = value.trim()
  if (!GUID.test(v)) throw new UsageError(`'${v}' is not a ${what}: expected a GUID like 00000000-0000-0000-0000-000000000000.`, {suggestions: [`Copy the ${what} from the app registration's Overview page and pass it with ${flag}.`]})
  return v.toLowerCase()
}

/** An https URL without credentials, query or fragment, trailing slashes removed. */
export function checkHttpsUrl(value: string, flag: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new UsageError(`'${value}' (${flag}) is not a URL.`, {suggestions: [`Pass ${flag} like https://host.example.net`]})
  }

  if (url.protocol !== 'https:') throw new UsageError(`${flag} must be an https:// URL; '${value}' is not.`, {suggestions: ['Microsoft sign-in and APIs are reached over TLS only; use https:// (add --ca-file for a private CA).']})
  if (url.username || url.password || url.search || url.hash) throw new UsageError(`${flag} must not carry credentials, a query or a fragment.`, {suggestions: [`Pass ${flag} like https://host.example.net`]})
  return url.href.replace(/\/+$/, '')
}

/**
 * Checks raw settings (flags or a stored profile) into MicrosoftSettings. Defaults: cloud
 * `commercial`; credential `certificate` with a certificate file, `secret` with a secret file,
 * else `environment` (the environment credential chain, as CI uses).
 */
export function checkMicrosoftSettings(input: Partial<Record<keyof MicrosoftSettings, string | undefined>>): MicrosoftSettings {
  const tenantId = checkGuid(input.tenantId, 'tenant ID', '--tenant-id')
  const clientId = checkGuid(input.clientId, 'client (application) ID', '--client-id')
  const cloud = input.cloud?.trim() || 'commercial'
  if (!isMicrosoftCloud(cloud)) throw new UsageError(`'${cloud}' is not a Microsoft cloud atpctl knows.`, {suggestions: [`Pass --cloud with one of: ${MICROSOFT_CLOUDS.join(', ')}.`]})
  const present = (v: string | undefined) => (v !== undefined && v.trim() !== '' ? v.trim() : undefined)
  const certificateFile = present(input.certificateFile)
  const secretFile = present(input.secretFile)
  const credential = present(input.credential) ?? (certificateFile ? 'certificate' : secretFile ? 'secret' : 'environment')
  if (!(CREDENTIAL_KINDS as readonly string[]).includes(credential)) {
    throw new UsageError(`'${credential}' is not a sign-in kind.`, {suggestions: [`Use one of: ${CREDENTIAL_KINDS.join(', ')}.`]})
  }

  if (certificateFile && credential !== 'certificate') throw new UsageError(`A certificate file is used only to sign in with a certificate, not with ${credential}.`, {suggestions: ['Pass one way to sign in.']})
  if (secretFile && credential !== 'secret') throw new UsageError(`A client secret file is used only to sign in with a client secret, not with ${credential}.`, {suggestions: ['Pass one way to sign in.']})
  const settings: MicrosoftSettings = {tenantId, clientId, cloud, credential: credential as CredentialKind}
  if (certificateFile) settings.certificateFile = certificateFile
  if (secretFile) {
    if (secretFile === '-') throw new UsageError('A client secret read from stdin cannot be kept in a profile.', {suggestions: ['Keep the secret in a file only you can read and pass --client-secret-file FILE, or set AZURE_CLIENT_SECRET where atpctl runs.']})
    settings.secretFile = secretFile
  }

  const federatedTokenFile = present(input.federatedTokenFile)
  if (federatedTokenFile) {
    if (credential !== 'workload-identity') throw new UsageError('A federated token file is used only with workload identity sign-in.', {suggestions: ['Pass --workload-identity with it, or leave it out.']})
    settings.federatedTokenFile = federatedTokenFile
  }

  const urls = [
    ['authorityHost', '--authority-host'],
    ['defenderUrl', '--defender-url'],
    ['graphUrl', '--graph-url'],
    ['armUrl', '--arm-url'],
  ] as const
  for (const [key, flag] of urls) {
    const value = present(input[key])
    if (value) settings[key] = checkHttpsUrl(value, flag)
  }

  const caFile = present(input.caFile)
  if (caFile) settings.caFile = caFile
  return settings
}

/** Settings as a profile stores them (string values under MICROSOFT_SETTING_KEYS). */
export function microsoftSettingsToProfile(settings: MicrosoftSettings): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [field, key] of Object.entries(MICROSOFT_SETTING_KEYS) as [keyof MicrosoftSettings, string][]) {
    const value = settings[field]
    if (value !== undefined) out[key] = value
  }

  return out
}

/** A stored profile's settings, checked again (a hand-edited config file is input too). */
export function microsoftSettingsFromProfile(stored: Record<string, string | undefined>): MicrosoftSettings {
  const input: Partial<Record<keyof MicrosoftSettings, string | undefined>> = {}
  for (const [field, key] of Object.entries(MICROSOFT_SETTING_KEYS) as [keyof MicrosoftSettings, string][]) input[field] = stored[key]
  return checkMicrosoftSettings(input)
}
