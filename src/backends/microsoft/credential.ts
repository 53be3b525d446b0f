/**
 * Sign-in to Microsoft Entra ID with Microsoft's own library, @azure/identity (msal-node under
 * it): no hand-written OAuth. One TokenCredential per profile, of the kind its settings name:
 *
 * | kind              | credential                        | secret material from                                   |
 * |-------------------|-----------------------------------|--------------------------------------------------------|
 * | secret            | ClientSecretCredential            | the secret file, else AZURE_CLIENT_SECRET               |
 * | certificate       | ClientCertificateCredential       | the PEM file (key + certificate), else AZURE_CLIENT_CERTIFICATE_PATH |
 * | managed-identity  | ManagedIdentityCredential         | the Azure host (IMDS, App Service, Arc); the client ID picks a user-assigned identity |
 * | workload-identity | WorkloadIdentityCredential, or a client assertion from GitHub Actions' or Azure Pipelines' OIDC endpoint | AZURE_FEDERATED_TOKEN_FILE / ACTIONS_ID_TOKEN_REQUEST_* / SYSTEM_OIDCREQUESTURI |
 * | azure-cli         | AzureCliCredential                | `az login`                                              |
 * | device-code       | DeviceCodeCredential              | a person at a terminal; refresh tokens kept in an owner-only cache under ATPCTL_HOME |
 * | environment       | the first of those the environment provides, else Azure CLI then managed identity |
 *
 * Every kind gets the cloud's authority host, instance discovery off when that host is not a
 * public cloud's (§8.2), and the profile's CA file. A secret is read when needed and only
 * handed to the library, never stored or logged.
 */
import {
  type AuthenticationRecord,
  AzureCliCredential,
  AzurePipelinesCredential,
  ChainedTokenCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  deserializeAuthenticationRecord,
  DeviceCodeCredential,
  ManagedIdentityCredential,
  serializeAuthenticationRecord,
  type TokenCredential,
  useIdentityPlugin,
  WorkloadIdentityCredential,
} from '@azure/identity'
import {chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import https from 'node:https'
import {join} from 'node:path'
import {AuthError, UsageError} from '../../core/errors.js'
import {endpointsFor, type MicrosoftEndpoints} from './cloud.js'
import {agentFor, trustedCa} from './http.js'
import type {CredentialKind, MicrosoftSettings} from './settings.js'
import {signInError, type SignInContext} from './sign-in-errors.js'

export type Env = Record<string, string | undefined>

export interface CredentialOptions {
  /** A secret already in memory (read from stdin by `atpctl init`); wins over file and environment. */
  secret?: string
  /** Where device-code sign-in keeps its token cache and account record (owner-only); the profile's folder. */
  cacheDir?: string
  /** Device code: where the "open this page and enter this code" message goes (stderr). */
  prompt?: (message: string) => void
  /** Device code: whether a sign-in prompt may happen now (a terminal); otherwise a saved sign-in is required. */
  interactive?: boolean
}

const KIND_LABEL: Record<Exclude<CredentialKind, 'environment'> | 'chain', string> = {
  secret: 'a client secret',
  certificate: 'a certificate',
  'managed-identity': 'managed identity',
  'workload-identity': 'workload identity federation',
  'azure-cli': 'the Azure CLI',
  'device-code': 'device code sign-in',
  chain: 'the Azure CLI or managed identity',
}

/** The kind a profile's sign-in comes to here: `environment` resolved against the environment. */
export function resolveCredentialKind(settings: Pick<MicrosoftSettings, 'credential' | 'federatedTokenFile'>, env: Env): Exclude<CredentialKind, 'environment'> | 'chain' {
  if (settings.credential !== 'environment') return settings.credential
  if (nonEmpty(env.AZURE_CLIENT_SECRET)) return 'secret'
  if (nonEmpty(env.AZURE_CLIENT_CERTIFICATE_PATH)) return 'certificate'
  if (federationSource(settings, env)) return 'workload-identity'
  if (nonEmpty(env.IDENTITY_ENDPOINT) || nonEmpty(env.MSI_ENDPOINT)) return 'managed-identity'
  return 'chain'
}

/** The sign-in kind in words, for `atpctl status` and messages. */
export function describeCredential(settings: Pick<MicrosoftSettings, 'credential' | 'federatedTokenFile'>, env: Env): string {
  const kind = resolveCredentialKind(settings, env)
  return settings.credential === 'environment' ? `${KIND_LABEL[kind]} (from the environment)` : KIND_LABEL[kind]
}

export function signInContext(settings: MicrosoftSettings, env: Env): SignInContext {
  return {tenantId: settings.tenantId, clientId: settings.clientId, kind: describeCredential(settings, env), authorityHost: endpointsFor(settings.cloud, settings).authorityHost}
}

const nonEmpty = (v: string | undefined): v is string => v !== undefined && v.trim() !== ''

type Federation = {kind: 'file'; path: string} | {kind: 'github'; url: string; token: string} | {kind: 'azure-pipelines'; serviceConnectionId: string; systemAccessToken: string}

function federationSource(settings: Pick<MicrosoftSettings, 'federatedTokenFile'>, env: Env): Federation | undefined {
  const file = settings.federatedTokenFile ?? env.AZURE_FEDERATED_TOKEN_FILE
  if (nonEmpty(file)) return {kind: 'file', path: file}
  if (nonEmpty(env.ACTIONS_ID_TOKEN_REQUEST_URL) && nonEmpty(env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)) return {kind: 'github', url: env.ACTIONS_ID_TOKEN_REQUEST_URL, token: env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}
  const connection = env.AZURESUBSCRIPTION_SERVICE_CONNECTION_ID ?? env.ATPCTL_SERVICE_CONNECTION_ID
  if (nonEmpty(env.SYSTEM_OIDCREQUESTURI) && nonEmpty(env.SYSTEM_ACCESSTOKEN) && nonEmpty(connection)) return {kind: 'azure-pipelines', serviceConnectionId: connection, systemAccessToken: env.SYSTEM_ACCESSTOKEN}
  return undefined
}

function readSecretFile(path: string): string {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new UsageError(`Cannot read the client secret file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, {
      suggestions: ['Pass --client-secret-file with a file only you can read that holds the secret value.'],
    })
  }

  const secret = text.replace(/\r?\n$/, '')
  if (secret.trim() === '') throw new UsageError(`The client secret file ${path} is empty.`, {suggestions: ['Put the secret value (not its ID) in the file, alone on one line.']})
  return secret
}

function checkCertificateFile(path: string, fromEnv: boolean): void {
  const flag = fromEnv ? 'AZURE_CLIENT_CERTIFICATE_PATH' : '--certificate-file'
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new UsageError(`Cannot read the certificate file ${path} (${flag}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, {
      suggestions: ['Pass a readable PEM file holding the certificate and its private key.'],
    })
  }

  if (!/-----BEGIN CERTIFICATE-----/.test(text) || !/-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(text)) {
    throw new UsageError(`The certificate file ${path} (${flag}) must be PEM with both the certificate and its private key.`, {
      suggestions: ['Join them: cat key.pem cert.pem > app.pem (a .pfx converts with: openssl pkcs12 -in app.pfx -nodes -out app.pem).'],
    })
  }

  if (/ENCRYPTED PRIVATE KEY/.test(text)) {
    throw new UsageError(`The private key in ${path} is encrypted; atpctl takes an unencrypted PEM kept owner-only.`, {suggestions: ['Decrypt it: openssl pkey -in app.pem -out app-key.pem, then chmod 600 the result.']})
  }
}

/** GitHub Actions' OIDC token for Entra ID (needs `permissions: id-token: write` in the workflow). */
function githubAssertion(source: {url: string; token: string}, env: Env, ca: string[] | undefined): () => Promise<string> {
  return () =>
    new Promise((resolve, reject) => {
      const url = new URL(source.url)
      url.searchParams.set('audience', 'api://AzureADTokenExchange')
      const req = https.request(url, {method: 'GET', headers: {authorization: `Bearer ${source.token}`, accept: 'application/json'}, agent: agentFor(url, {ca, env}), timeout: 30_000}, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let value: unknown
          try {
            value = (JSON.parse(text) as {value?: unknown}).value
          } catch {}

          if (res.statusCode === 200 && typeof value === 'string' && value !== '') resolve(value)
          else reject(new AuthError(`GitHub Actions did not hand out an OIDC token (HTTP ${res.statusCode}).`, {suggestions: ['Give the workflow job `permissions: id-token: write`.']}))
        })
      })
      req.on('timeout', () => req.destroy(new Error('no answer from the GitHub OIDC endpoint within 30 s')))
      req.on('error', reject)
      req.end()
    })
}

/**
 * A file token cache for msal, owner-only (folder 0700, file 0600, written to a temp file and
 * renamed), registered as @azure/identity's persistence provider. atpctl writes it itself: the
 * persistence plugin's native keychain modules do not build on every Node 20 host.
 */
interface CacheContext {
  cacheHasChanged: boolean
  tokenCache: {serialize(): string; deserialize(text: string): void}
}

let persistenceRegistered = false

function registerFilePersistence(): void {
  if (persistenceRegistered) return
  persistenceRegistered = true
  useIdentityPlugin((context) => {
    const control = (context as unknown as {cachePluginControl: {setPersistence(factory: (options?: Record<string, unknown>) => Promise<unknown>): void}}).cachePluginControl
    control.setPersistence(async (options = {}) => {
      const dir = options.atpctlCacheDir
      if (typeof dir !== 'string') throw new Error('atpctl token cache used without a folder')
      const file = join(dir, `${String(options.name ?? 'msal').replace(/[^a-z0-9._-]/gi, '_')}.json`)
      return {
        async beforeCacheAccess(ctx: CacheContext) {
          let text: string | undefined
          try {
            text = readFileSync(file, 'utf8')
          } catch {
            text = undefined
          }

          if (text) ctx.tokenCache.deserialize(text)
        },
        async afterCacheAccess(ctx: CacheContext) {
          if (!ctx.cacheHasChanged) return
          writeOwnerOnly(dir, file, ctx.tokenCache.serialize())
        },
      }
    })
  })
}

function writeOwnerOnly(dir: string, file: string, text: string): void {
  mkdirSync(dir, {recursive: true, mode: 0o700})
  chmodSync(dir, 0o700)
  const temp = `${file}.${process.pid}.tmp`
  writeFileSync(temp, text, {mode: 0o600})
  renameSync(temp, file)
}

const TOKEN_CACHE_DIR = 'microsoft-token-cache'
const RECORD_FILE = 'account.json'

/** The device-code token cache folder of a profile folder. */
export function tokenCacheDir(profileDir: string): string {
  return join(profileDir, TOKEN_CACHE_DIR)
}

/** `atpctl logout`: removes the saved sign-in; true when there was one. */
export function clearTokenCache(profileDir: string): boolean {
  const dir = tokenCacheDir(profileDir)
  let existed = false
  try {
    existed = statSync(dir).isDirectory()
  } catch {}

  rmSync(dir, {recursive: true, force: true})
  return existed
}

function readRecord(dir: string): AuthenticationRecord | undefined {
  try {
    return deserializeAuthenticationRecord(readFileSync(join(dir, RECORD_FILE), 'utf8'))
  } catch {
    return undefined
  }
}

function commonOptions(endpoints: MicrosoftEndpoints, ca: string[] | undefined) {
  return {
    authorityHost: endpoints.authorityHost,
    disableInstanceDiscovery: !endpoints.publicAuthority,
    // Reaches core-rest-pipeline's tlsPolicy; the typings of 4.13 do not list it.
    ...(ca ? {tlsOptions: {ca}} : {}),
  }
}

/** The TokenCredential of a profile's settings (see the table above). */
export function createCredential(settings: MicrosoftSettings, env: Env = process.env, options: CredentialOptions = {}): TokenCredential {
  const endpoints = endpointsFor(settings.cloud, settings)
  const ca = trustedCa(settings.caFile, env)
  const common = commonOptions(endpoints, ca) as {authorityHost: string; disableInstanceDiscovery: boolean}
  const {tenantId, clientId} = settings
  const kind = options.secret !== undefined && settings.credential === 'secret' ? 'secret' : resolveCredentialKind(settings, env)
  switch (kind) {
    case 'secret': {
      const secret = options.secret ?? (settings.secretFile ? readSecretFile(settings.secretFile) : env.AZURE_CLIENT_SECRET)
      if (!nonEmpty(secret)) {
        throw new UsageError('Signing in with a client secret needs the secret, and none was given.', {
          suggestions: ['Set AZURE_CLIENT_SECRET where atpctl runs, or keep the secret in a file only you can read and run atpctl init … --client-secret-file FILE.'],
        })
      }

      return new ClientSecretCredential(tenantId, clientId, secret, common)
    }

    case 'certificate': {
      const path = settings.certificateFile ?? env.AZURE_CLIENT_CERTIFICATE_PATH
      if (!nonEmpty(path)) throw new UsageError('Signing in with a certificate needs its PEM file.', {suggestions: ['Pass --certificate-file PEM or set AZURE_CLIENT_CERTIFICATE_PATH.']})
      checkCertificateFile(path, settings.certificateFile === undefined)
      const sendCertificateChain = ['1', 'true'].includes((env.AZURE_CLIENT_SEND_CERTIFICATE_CHAIN ?? '').toLowerCase())
      return new ClientCertificateCredential(tenantId, clientId, {certificatePath: path}, {...common, sendCertificateChain})
    }

    case 'managed-identity':
      return new ManagedIdentityCredential({clientId, ...common})

    case 'workload-identity': {
      const source = federationSource(settings, env)
      if (!source) {
        throw new UsageError('Workload identity sign-in needs a federated token, and this environment provides none.', {
          suggestions: [
            'Set AZURE_FEDERATED_TOKEN_FILE (AKS sets it), run in GitHub Actions with `permissions: id-token: write`, or in Azure Pipelines set SYSTEM_ACCESSTOKEN and AZURESUBSCRIPTION_SERVICE_CONNECTION_ID.',
          ],
        })
      }

      if (source.kind === 'file') return new WorkloadIdentityCredential({tenantId, clientId, tokenFilePath: source.path, ...common})
      if (source.kind === 'github') return new ClientAssertionCredential(tenantId, clientId, githubAssertion(source, env, ca), common)
      return new AzurePipelinesCredential(tenantId, clientId, source.serviceConnectionId, source.systemAccessToken, common)
    }

    case 'azure-cli':
      return new AzureCliCredential({tenantId})

    case 'device-code': {
      if (!options.cacheDir) throw new UsageError('Device code sign-in needs the profile folder for its token cache.')
      registerFilePersistence()
      const dir = options.cacheDir
      const record = readRecord(dir)
      return new DeviceCodeCredential({
        tenantId,
        clientId,
        ...common,
        authenticationRecord: record,
        disableAutomaticAuthentication: !options.interactive,
        tokenCachePersistenceOptions: {enabled: true, name: 'atpctl', atpctlCacheDir: dir} as never,
        userPromptCallback: (info) => (options.prompt ?? ((m: string) => process.stderr.write(m + '\n')))(info.message),
      })
    }

    case 'chain':
      return new ChainedTokenCredential(new AzureCliCredential({tenantId}), new ManagedIdentityCredential({clientId, ...common}))
  }
}

/**
 * Device code sign-in at a terminal (`atpctl init … --device-code`): prompts, signs in for the
 * scopes, and saves the account record beside the token cache, so later commands sign in
 * silently until the refresh token ends. Returns the account's user name.
 */
export async function signInWithDeviceCode(settings: MicrosoftSettings, scopes: string[], options: {cacheDir: string; env?: Env; prompt?: (message: string) => void}): Promise<string> {
  const credential = createCredential({...settings, credential: 'device-code'}, options.env ?? process.env, {cacheDir: options.cacheDir, prompt: options.prompt, interactive: true}) as DeviceCodeCredential
  let record: AuthenticationRecord | undefined
  try {
    record = await credential.authenticate(scopes)
  } catch (error) {
    throw signInError(error, signInContext({...settings, credential: 'device-code'}, options.env ?? process.env))
  }

  if (!record) throw new AuthError('The device code sign-in did not complete.', {suggestions: ['Run the command again and finish the sign-in in the browser.']})
  writeOwnerOnly(options.cacheDir, join(options.cacheDir, RECORD_FILE), serializeAuthenticationRecord(record))
  return record.username
}
