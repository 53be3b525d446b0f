/**
 * What a failed sign-in means, for a person: @azure/identity and msal errors (matched by name
 * and the AADSTS code Entra puts first in its error description, §8.2) become core errors with
 * what to do next. Network and TLS failures on the way to the authority are UnreachableError
 * (exit 6); everything Entra refuses is AuthError (exit 5). Messages never carry a secret: Entra
 * does not echo one, and nothing here adds one.
 */
import {AuthError, type AtpError, UnreachableError} from '../../core/errors.js'

const APP_REGISTRATIONS = 'Microsoft Entra admin center > App registrations'

interface AadstsAdvice {
  message: string
  suggestions: string[]
}

function adviceFor(code: string, context: {tenantId: string; clientId: string; kind: string}): AadstsAdvice | undefined {
  switch (code) {
    case '7000215':
      return {
        message: 'Microsoft Entra ID refused the client secret (AADSTS7000215: invalid client secret).',
        suggestions: [`Use the secret's Value, not its Secret ID (${APP_REGISTRATIONS} > your app > Certificates & secrets), and pass it with --client-secret-file or AZURE_CLIENT_SECRET.`],
      }
    case '7000222':
      return {
        message: 'The client secret has expired (AADSTS7000222).',
        suggestions: [`Create a new client secret (${APP_REGISTRATIONS} > your app > Certificates & secrets) and put its value in the secret file or AZURE_CLIENT_SECRET.`],
      }
    case '700016':
      return {
        message: `No application with client ID ${context.clientId} exists in tenant ${context.tenantId} (AADSTS700016).`,
        suggestions: ['Check --client-id and --tenant-id against the app registration\'s Overview page, and --cloud (a government tenant signs in elsewhere).'],
      }
    case '90002':
    case '900023':
      return {
        message: `Tenant ${context.tenantId} was not found (AADSTS${code}).`,
        suggestions: ['Check --tenant-id (Microsoft Entra admin center > Overview > Tenant ID) and --cloud: GCC High and DoD tenants sign in at login.microsoftonline.us.'],
      }
    case '700027':
      return {
        message: 'Microsoft Entra ID refused the certificate: it is not registered on the app, or the assertion signed with it is invalid (AADSTS700027).',
        suggestions: [`Upload the certificate's public part (.cer/.pem) under ${APP_REGISTRATIONS} > your app > Certificates & secrets, and pass the PEM with the certificate and its private key to --certificate-file.`],
      }
    case '700024':
      return {
        message: 'The signed client assertion is outside its valid time range (AADSTS700024).',
        suggestions: ['Check this machine\'s clock (it must be within 5 minutes of the real time), then retry.'],
      }
    case '700211':
    case '700212':
    case '700213':
    case '70021':
      return {
        message: `No federated credential of the app matches the presented token (AADSTS${code}).`,
        suggestions: [`Add a federated credential under ${APP_REGISTRATIONS} > your app > Certificates & secrets > Federated credentials whose issuer, subject and audience (api://AzureADTokenExchange) match your pipeline.`],
      }
    case '500011':
      return {
        message: 'The API\'s resource principal does not exist in this tenant (AADSTS500011): Defender for Endpoint may not be set up there, or the cloud is wrong.',
        suggestions: ['Check --cloud, and that Microsoft Defender for Endpoint is provisioned in the tenant (security.microsoft.com).'],
      }
    case '65001':
      return {
        message: 'The app has not been granted consent for the permission it asked for (AADSTS65001).',
        suggestions: [`An administrator grants it: ${APP_REGISTRATIONS} > your app > API permissions > Grant admin consent.`],
      }
    case '50076':
    case '50079':
    case '50158':
      return {
        message: `The sign-in needs multi-factor authentication or another step a script cannot do (AADSTS${code}).`,
        suggestions: ['Sign in again at a terminal with --device-code, or use an app credential (certificate, workload identity) in scripts.'],
      }
    case '7000112':
      return {message: 'The application is disabled in the tenant (AADSTS7000112).', suggestions: ['An administrator enables it: Microsoft Entra admin center > Enterprise applications > your app > Properties.']}
  }

  return undefined
}

const NETWORK = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|socket hang up)\b/
const TLS = /DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|CERT_HAS_EXPIRED|CERT_UNTRUSTED|self[- ]signed certificate|unable to verify the first certificate|unable to get local issuer certificate|certificate has expired|Hostname\/IP does not match|ERR_TLS_CERT_ALTNAME_INVALID|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/i

export interface SignInContext {
  tenantId: string
  clientId: string
  /** The sign-in kind in words, e.g. "client secret", "managed identity". */
  kind: string
  authorityHost: string
}

/** The first sentence of an Entra error description, without trace and correlation ids. */
function firstPart(description: string): string {
  return description.split(/\r?\n| Trace ID:/)[0].trim()
}

export function signInError(error: unknown, context: SignInContext): AtpError {
  const err = error as {name?: string; message?: string; code?: string; errorResponse?: {error?: string; errorDescription?: string}; errors?: unknown[]}
  const message = String(err?.message ?? error)
  const code = /AADSTS(\d+)/.exec(`${err?.errorResponse?.errorDescription ?? ''} ${message}`)?.[1]
  if (code) {
    const advice = adviceFor(code, context)
    if (advice) return new AuthError(advice.message, {code: 'AUTH', suggestions: advice.suggestions, details: {aadsts: `AADSTS${code}`}})
    return new AuthError(`Microsoft Entra ID refused the sign-in: ${firstPart(err?.errorResponse?.errorDescription ?? message)}`, {
      suggestions: [`Look the code up at https://login.microsoftonline.com/error?code=${code}, fix the app registration, and retry.`],
      details: {aadsts: `AADSTS${code}`},
    })
  }

  if (TLS.test(message)) {
    return new UnreachableError(`Cannot verify the TLS certificate of Microsoft sign-in at ${context.authorityHost}: ${message}.`, {
      suggestions: ['A proxy or private endpoint that re-signs TLS needs its CA: pass --ca-file with its PEM (or set NODE_EXTRA_CA_CERTS).'],
    })
  }

  if (NETWORK.test(message) || NETWORK.test(String(err?.code ?? ''))) {
    return new UnreachableError(`Cannot reach Microsoft sign-in at ${context.authorityHost}: ${message}.`, {
      suggestions: ['Check the network, HTTPS_PROXY/NO_PROXY, and --authority-host if you set one.'],
    })
  }

  if (/endpoints_resolution_error/.test(message)) {
    return new AuthError(`Microsoft sign-in at ${context.authorityHost} could not resolve tenant ${context.tenantId}: the tenant does not exist there, or the authority is not reachable.`, {
      suggestions: ['Check --tenant-id and --cloud (GCC High and DoD tenants sign in at login.microsoftonline.us), and --authority-host if you set one.'],
    })
  }

  if (err?.name === 'AuthenticationRequiredError') {
    return new AuthError('The saved sign-in has expired or needs you to sign in again.', {suggestions: ['Sign in again at a terminal: atpctl init --backend microsoft … --device-code']})
  }

  if (err?.name === 'CredentialUnavailableError' || err?.name === 'AggregateAuthenticationError') {
    return new AuthError(`Signing in with ${context.kind} is not possible here: ${message.replace(/\s+/g, ' ').trim()}`, {suggestions: suggestionsForKind(context.kind)})
  }

  return new AuthError(`Signing in to Microsoft Entra ID with ${context.kind} failed: ${message.replace(/\s+/g, ' ').trim()}`, {suggestions: suggestionsForKind(context.kind)})
}

function suggestionsForKind(kind: string): string[] {
  if (/azure cli/i.test(kind)) return ['Run `az login` (with --tenant for this tenant), then retry.']
  if (/managed identity/i.test(kind)) return ['Managed identity works only on Azure (VMs, Arc machines, Azure-hosted pipelines) with an identity assigned; elsewhere use a secret, a certificate or workload identity.']
  if (/workload identity/i.test(kind)) return ['Set AZURE_FEDERATED_TOKEN_FILE to the federated token file (or run in GitHub Actions with `permissions: id-token: write`).']
  if (/environment/i.test(kind)) return ['Set AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE, or run `az login`, or choose a sign-in with atpctl init.']
  return ['Check the sign-in settings with atpctl status, then retry.']
}
