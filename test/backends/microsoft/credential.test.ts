/**
 * Every sign-in kind through createCredential with the real @azure/identity against the stub:
 * certificate (made with openssl here), client secret from file, stdin or environment, workload
 * identity from a federated token file and from GitHub Actions' OIDC endpoint, the Azure CLI (a
 * stand-in `az` on PATH), and how `environment` picks a kind.
 */
import {mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import https from 'node:https'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execFileSync} from 'node:child_process'
import {endpointsFor} from '../../../src/backends/microsoft/cloud.js'
import {clearTokenCache, createCredential, describeCredential, resolveCredentialKind, tokenCacheDir} from '../../../src/backends/microsoft/credential.js'
import {checkMicrosoftSettings, type MicrosoftSettings} from '../../../src/backends/microsoft/settings.js'
import {requireTool} from '../../helpers/tools.js'
import {type MicrosoftStub, startMicrosoftStub, STUB_CLIENT_SECRET, stubTls} from '../../stub/microsoft/index.js'

const openssl = requireTool('openssl')
const SCOPE = 'https://api.securitycenter.microsoft.com/.default'
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'))

let dir: string
let stub: MicrosoftStub
let bundle: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atpctl-mscred-'))
  let certPem = ''
  bundle = join(dir, 'app.pem')
  if (openssl.available) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'app.key'), '-out', join(dir, 'app.crt'), '-days', '2', '-subj', '/CN=atpctl app'], {stdio: 'ignore'})
    certPem = readFileSync(join(dir, 'app.crt'), 'utf8')
    writeFileSync(bundle, readFileSync(join(dir, 'app.key'), 'utf8') + certPem, {mode: 0o600})
  }

  stub = await startMicrosoftStub({...(certPem ? {certificate: {certPem}} : {}), federatedTokens: ['federated-from-file', 'federated-from-github']})
})
afterAll(async () => {
  await stub.close()
  rmSync(dir, {recursive: true, force: true})
})

const settingsFor = (extra: Partial<Record<keyof MicrosoftSettings, string>>) =>
  checkMicrosoftSettings({tenantId: stub.tenantId, clientId: stub.clientId, authorityHost: stub.authorityHost, defenderUrl: stub.defenderUrl, caFile: stub.caFile, ...extra})

describe('createCredential against the stub', () => {
  openssl.it('signs in with a certificate PEM (key and certificate in one file)', async () => {
    const token = await createCredential(settingsFor({certificateFile: bundle}), {}).getToken(SCOPE)
    expect(claimsOf(token!.token).roles).toContain('Machine.Read.All')
    // From the environment, too.
    const fromEnv = await createCredential(settingsFor({credential: 'environment'}), {AZURE_CLIENT_CERTIFICATE_PATH: bundle}).getToken(SCOPE)
    expect(claimsOf(fromEnv!.token).appid).toBe(stub.clientId)
  })

  it('refuses a certificate file without its private key before any sign-in (exit 2, how to join them)', () => {
    const certOnly = join(dir, 'cert-only.pem')
    writeFileSync(certOnly, stubTls().caPem)
    expect(() => createCredential(settingsFor({certificateFile: certOnly}), {})).toThrow(expect.objectContaining({exitCode: 2, suggestions: [expect.stringMatching(/cat key\.pem cert\.pem/)]}))
  })

  it('reads the client secret from its file, from stdin (passed in), or from AZURE_CLIENT_SECRET, and says what to do with none', async () => {
    const file = join(dir, 'secret')
    writeFileSync(file, STUB_CLIENT_SECRET + '\r\n', {mode: 0o600})
    expect(await createCredential(settingsFor({secretFile: file}), {}).getToken(SCOPE)).toBeTruthy()
    expect(await createCredential(settingsFor({credential: 'secret'}), {}, {secret: STUB_CLIENT_SECRET}).getToken(SCOPE)).toBeTruthy()
    expect(await createCredential(settingsFor({credential: 'secret'}), {AZURE_CLIENT_SECRET: STUB_CLIENT_SECRET}).getToken(SCOPE)).toBeTruthy()
    expect(() => createCredential(settingsFor({credential: 'secret'}), {})).toThrow(expect.objectContaining({exitCode: 2, message: expect.stringMatching(/needs the secret/)}))
    writeFileSync(file, '\n')
    expect(() => createCredential(settingsFor({secretFile: file}), {})).toThrow(/is empty/)
  })

  it('signs in with workload identity from a federated token file', async () => {
    const file = join(dir, 'federated-token')
    writeFileSync(file, 'federated-from-file')
    const token = await createCredential(settingsFor({credential: 'workload-identity'}), {AZURE_FEDERATED_TOKEN_FILE: file}).getToken(SCOPE)
    expect(claimsOf(token!.token).tid).toBe(stub.tenantId)
    expect(() => createCredential(settingsFor({credential: 'workload-identity'}), {})).toThrow(/needs a federated token/)
  })

  it("signs in with workload identity from GitHub Actions' OIDC endpoint (audience api://AzureADTokenExchange)", async () => {
    const seen: string[] = []
    const tls = stubTls()
    const oidc = https.createServer({key: tls.keyPem, cert: tls.certPem}, (req, res) => {
      seen.push(`${req.headers.authorization} ${new URL(req.url ?? '/', 'https://x').searchParams.get('audience')}`)
      res.writeHead(200, {'content-type': 'application/json'})
      res.end(JSON.stringify({value: 'federated-from-github'}))
    })
    await new Promise<void>((resolve) => oidc.listen(0, '127.0.0.1', resolve))
    try {
      const env = {ACTIONS_ID_TOKEN_REQUEST_URL: `https://127.0.0.1:${(oidc.address() as AddressInfo).port}/token?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-request-token'}
      expect(resolveCredentialKind({credential: 'environment'}, env)).toBe('workload-identity')
      const token = await createCredential(settingsFor({credential: 'environment'}), env).getToken(SCOPE)
      expect(claimsOf(token!.token).appid).toBe(stub.clientId)
      expect(seen.length).toBeGreaterThanOrEqual(1)
      expect(new Set(seen)).toEqual(new Set(['Bearer runner-request-token api://AzureADTokenExchange']))
    } finally {
      oidc.close()
    }
  })
})

describe('sign-in kind from the environment', () => {
  it('picks secret, certificate, workload identity, managed identity, else Azure CLI then managed identity', () => {
    const env = (e: Record<string, string>) => resolveCredentialKind({credential: 'environment'}, e)
    expect(env({AZURE_CLIENT_SECRET: 's', AZURE_CLIENT_CERTIFICATE_PATH: 'c'})).toBe('secret')
    expect(env({AZURE_CLIENT_CERTIFICATE_PATH: 'c'})).toBe('certificate')
    expect(env({AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/azure-identity-token'})).toBe('workload-identity')
    expect(env({SYSTEM_OIDCREQUESTURI: 'https://dev.azure.com/x', SYSTEM_ACCESSTOKEN: 't', AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: 'c'})).toBe('workload-identity')
    expect(env({IDENTITY_ENDPOINT: 'http://localhost:40342/metadata/identity/oauth2/token'})).toBe('managed-identity')
    expect(env({})).toBe('chain')
    expect(resolveCredentialKind({credential: 'device-code'}, {AZURE_CLIENT_SECRET: 's'})).toBe('device-code')
    expect(describeCredential({credential: 'environment'}, {AZURE_CLIENT_SECRET: 's'})).toBe('a client secret (from the environment)')
    expect(describeCredential({credential: 'certificate'}, {})).toBe('a certificate')
  })

  it('keeps no secret anywhere in the credential settings', () => {
    const settings = checkMicrosoftSettings({tenantId: stub.tenantId, clientId: stub.clientId, credential: 'environment'})
    expect(JSON.stringify(settings)).not.toContain(STUB_CLIENT_SECRET)
    expect(endpointsFor(settings.cloud, settings).publicAuthority).toBe(true)
  })
})

describe('device code token cache', () => {
  it('lives owner-only in the profile folder and logout removes it', () => {
    const profile = join(dir, 'profile')
    const cache = tokenCacheDir(profile)
    expect(clearTokenCache(profile)).toBe(false)
    mkdirSync(cache, {recursive: true, mode: 0o700})
    writeFileSync(join(cache, 'atpctl.nocae.json'), '{}', {mode: 0o600})
    expect(statSync(cache).mode & 0o777).toBe(0o700)
    expect(clearTokenCache(profile)).toBe(true)
    expect(() => statSync(cache)).toThrow()
    expect(() => createCredential(checkMicrosoftSettings({tenantId: stub.tenantId, clientId: stub.clientId, credential: 'device-code'}), {})).toThrow(/profile folder/)
  })
})
