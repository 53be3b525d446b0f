/**
 * The Entra ID part of the stub: the OpenID discovery document and JWKS the libraries ask for,
 * and `POST /{tenant}/oauth2/v2.0/token` for client credentials (a client secret, a certificate's
 * signed assertion, or a federated token), answering with JWT access tokens that carry `roles`,
 * `tid`, `aud` and `exp` — or with the AADSTS error bodies the real service sends.
 */
import {constants, createHash, createPublicKey, generateKeyPairSync, type KeyObject, randomUUID, sign, verify, X509Certificate} from 'node:crypto'

export type TokenApi = 'defender' | 'graph' | 'arm' | 'other'

/** The resources a `/.default` scope may name, and the API each one's token is for. */
const RESOURCES: {resource: string; api: TokenApi}[] = [
  {resource: 'https://api.securitycenter.microsoft.com', api: 'defender'},
  {resource: 'https://securitycenter.onmicrosoft.com/windowsatpservice', api: 'defender'},
  {resource: 'https://api-gcc.securitycenter.microsoft.us', api: 'defender'},
  {resource: 'https://api-gov.securitycenter.microsoft.us', api: 'defender'},
  // The Microsoft Threat Protection resource: a valid token, but none of the Defender roles (§8.2).
  {resource: 'https://api.security.microsoft.com', api: 'other'},
  {resource: 'https://graph.microsoft.com', api: 'graph'},
  {resource: 'https://graph.microsoft.us', api: 'graph'},
  {resource: 'https://dod-graph.microsoft.us', api: 'graph'},
  {resource: 'https://management.azure.com', api: 'arm'},
  {resource: 'https://management.core.windows.net', api: 'arm'},
  {resource: 'https://management.usgovcloudapi.net', api: 'arm'},
]

/** The audience a Defender API token must carry. */
export const DEFENDER_AUDIENCES = new Set(['https://api.securitycenter.microsoft.com', 'https://securitycenter.onmicrosoft.com/windowsatpservice', 'https://api-gcc.securitycenter.microsoft.us', 'https://api-gov.securitycenter.microsoft.us'])
export const GRAPH_AUDIENCES = new Set(['https://graph.microsoft.com', 'https://graph.microsoft.us', 'https://dod-graph.microsoft.us'])
export const ARM_AUDIENCES = new Set(['https://management.azure.com', 'https://management.core.windows.net', 'https://management.usgovcloudapi.net'])

let signingKey: {privateKey: KeyObject; publicKey: KeyObject; kid: string} | undefined

/** The stub's token-signing key, made once per process (RSA-2048, as Entra's are). */
function key() {
  if (!signingKey) {
    const pair = generateKeyPairSync('rsa', {modulusLength: 2048})
    const der = pair.publicKey.export({type: 'spki', format: 'der'})
    signingKey = {...pair, kid: createHash('sha256').update(der).digest('base64url').slice(0, 27)}
  }

  return signingKey
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')

export interface AccessTokenClaims {
  aud: string
  iss: string
  iat: number
  nbf: number
  exp: number
  appid: string
  azp: string
  idtyp: 'app'
  oid: string
  sub: string
  tid: string
  uti: string
  ver: '1.0'
  roles?: string[]
}

export interface EntraConfig {
  origin: string
  tenantId: string
  clientId: string
  clientSecret: string | null
  certificate?: {certPem: string}
  federatedTokens: string[]
  tokenLifetimeSec: number
  rolesFor(api: TokenApi): string[]
  onIssued(api: TokenApi, jti: string): void
}

export interface EntraAnswer {
  status: number
  body: unknown
  headers?: Record<string, string>
}

/** Entra's error body (§8.2): the AADSTS code leads `error_description`. */
function aadError(status: number, error: string, code: number, message: string): EntraAnswer {
  const traceId = randomUUID()
  const correlationId = randomUUID()
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  }
}

function parseJwt(token: string): {header: Record<string, unknown>; payload: Record<string, unknown>; signed: string; signature: Buffer} | null {
  const parts = token.split('.')
  if (parts.length !== 3) return null
  try {
    return {
      header: JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')),
      payload: JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')),
      signed: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2], 'base64url'),
    }
  } catch {
    return null
  }
}

export function createEntra(config: EntraConfig) {
  const tokenEndpoint = `${config.origin}/${config.tenantId}/oauth2/v2.0/token`
  const certificate = config.certificate ? new X509Certificate(config.certificate.certPem) : undefined
  const certificateIds = certificate
    ? {sha256: createHash('sha256').update(certificate.raw).digest('base64url'), sha1: createHash('sha1').update(certificate.raw).digest('base64url')}
    : undefined

  function issue(api: TokenApi, audience: string): {token: string; expiresIn: number} {
    const now = Math.floor(Date.now() / 1000)
    const jti = randomUUID().replace(/-/g, '').slice(0, 22)
    const claims: AccessTokenClaims = {
      aud: audience,
      iss: `https://sts.windows.net/${config.tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + config.tokenLifetimeSec,
      appid: config.clientId,
      azp: config.clientId,
      idtyp: 'app',
      oid: createHash('sha1').update(`sp:${config.clientId}`).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5'),
      sub: createHash('sha1').update(`sp:${config.clientId}`).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5'),
      tid: config.tenantId,
      uti: jti,
      ver: '1.0',
    }
    const roles = config.rolesFor(api)
    if (roles.length > 0) claims.roles = [...roles]
    const {privateKey, kid} = key()
    const signed = `${b64url({typ: 'JWT', alg: 'RS256', x5t: kid, kid})}.${b64url(claims)}`
    config.onIssued(api, jti)
    return {token: `${signed}.${sign('RSA-SHA256', Buffer.from(signed), privateKey).toString('base64url')}`, expiresIn: config.tokenLifetimeSec}
  }

  /** Checks a client assertion: a federated token, or a JWT signed by the registered certificate. */
  function checkAssertion(assertion: string): EntraAnswer | null {
    if (config.federatedTokens.includes(assertion)) return null
    const jwt = parseJwt(assertion)
    if (!jwt) return aadError(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.')
    if (!certificate || !certificateIds) return aadError(401, 'invalid_client', 700027, `Client assertion failed signature validation. The certificate used to sign it is not registered on application '${config.clientId}'.`)
    const thumbprint256 = jwt.header['x5t#S256']
    const thumbprint1 = jwt.header.x5t
    if (thumbprint256 !== certificateIds.sha256 && thumbprint1 !== certificateIds.sha1) {
      return aadError(401, 'invalid_client', 700027, `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${String(thumbprint256 ?? thumbprint1 ?? '')}', Please visit the Azure Portal, Enterprise applications and register the certificate.]`)
    }

    const alg = jwt.header.alg
    const publicKey = createPublicKey(certificate.publicKey.export({type: 'spki', format: 'pem'}))
    const ok =
      alg === 'PS256'
        ? verify('sha256', Buffer.from(jwt.signed), {key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST}, jwt.signature)
        : alg === 'RS256'
          ? verify('RSA-SHA256', Buffer.from(jwt.signed), publicKey, jwt.signature)
          : false
    if (!ok) return aadError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.')
    const now = Math.floor(Date.now() / 1000)
    const {aud, iss, sub, exp, nbf} = jwt.payload as {aud?: unknown; iss?: unknown; sub?: unknown; exp?: unknown; nbf?: unknown}
    if (typeof exp !== 'number' || exp < now - 300 || (typeof nbf === 'number' && nbf > now + 300)) {
      return aadError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.')
    }

    if (iss !== config.clientId || sub !== config.clientId) return aadError(401, 'invalid_client', 700021, "Client assertion application identifier doesn't match 'client_id' parameter.")
    if (aud !== tokenEndpoint && aud !== `${config.origin}/${config.tenantId}/v2.0`) {
      return aadError(401, 'invalid_client', 700212, `No matching federated identity record found for presented assertion audience '${String(aud)}'.`)
    }

    return null
  }

  function token(tenant: string, form: URLSearchParams): EntraAnswer {
    if (tenant !== config.tenantId) return unknownTenant(tenant)
    const grant = form.get('grant_type')
    if (grant !== 'client_credentials') {
      return aadError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant ?? ''}'.`)
    }

    const clientId = form.get('client_id') ?? ''
    if (clientId !== config.clientId) {
      return aadError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`)
    }

    const secret = form.get('client_secret')
    const assertion = form.get('client_assertion')
    if (secret !== null) {
      if (config.clientSecret === null || secret !== config.clientSecret) {
        return aadError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${config.clientId}'.`)
      }
    } else if (assertion !== null) {
      if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
        return aadError(400, 'invalid_request', 90002, "The client_assertion_type must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.")
      }

      const refused = checkAssertion(assertion)
      if (refused) return refused
    } else {
      return aadError(400, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
    }

    const scopes = (form.get('scope') ?? '').split(/\s+/).filter((s) => s !== '' && !['openid', 'profile', 'offline_access'].includes(s))
    if (scopes.length !== 1 || !scopes[0].endsWith('/.default')) {
      return aadError(400, 'invalid_scope', 1002012, `The provided value for scope ${scopes.join(' ')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`)
    }

    const resource = scopes[0].slice(0, -'/.default'.length).replace(/\/+$/, '')
    const known = RESOURCES.find((r) => r.resource === resource)
    if (!known) {
      return aadError(400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`)
    }

    const {token, expiresIn} = issue(known.api, known.resource)
    return {status: 200, body: {token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: token}, headers: {'cache-control': 'no-store, no-cache', pragma: 'no-cache'}}
  }

  function unknownTenant(tenant: string): EntraAnswer {
    return aadError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`)
  }

  function discovery(tenant: string): EntraAnswer {
    if (tenant !== config.tenantId) return unknownTenant(tenant)
    const base = `${config.origin}/${tenant}`
    return {
      status: 200,
      body: {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${base}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${config.origin}/oidc/userinfo`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'tid', 'ver', 'oid'],
        kerberos_endpoint: `${base}/kerberos`,
        tenant_region_scope: 'EU',
        cloud_instance_name: 'microsoftonline.com',
        cloud_graph_host_name: 'graph.windows.net',
        msgraph_host: 'graph.microsoft.com',
        rbac_url: 'https://pas.windows.net',
      },
    }
  }

  function jwks(): EntraAnswer {
    const {publicKey, kid} = key()
    const jwk = publicKey.export({format: 'jwk'}) as {n: string; e: string}
    return {status: 200, body: {keys: [{kty: 'RSA', use: 'sig', kid, x5t: kid, n: jwk.n, e: jwk.e}]}}
  }

  /** The claims of an access token this stub signed, or null when it is not one of them. */
  function verifyAccessToken(token: string): AccessTokenClaims | null {
    const jwt = parseJwt(token)
    if (!jwt) return null
    if (!verify('RSA-SHA256', Buffer.from(jwt.signed), key().publicKey, jwt.signature)) return null
    return jwt.payload as unknown as AccessTokenClaims
  }

  /** Routes below the authority host: `/{tenant}/…`. Null when the path is not Entra's. */
  function route(method: string, path: string, form: () => URLSearchParams): EntraAnswer | null {
    let m = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path)
    if (m && method === 'GET') return discovery(decodeURIComponent(m[1]))
    m = /^\/([^/]+)\/discovery\/v2\.0\/keys$/.exec(path)
    if (m && method === 'GET') return jwks()
    m = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path)
    if (m && method === 'POST') return token(decodeURIComponent(m[1]), form())
    return null
  }

  return {route, verifyAccessToken, tokenEndpoint}
}
