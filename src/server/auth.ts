import {createHash} from 'node:crypto'
import {looksLikeApiKey} from '../core/apikey/rules.js'
import {AtpError, AuthError, RuleError, ThrottledError} from '../core/errors.js'
import {authRetryAfterMs, type FailureWindow, recordAuthFailure} from '../core/rbac/auth-failures.js'
import {findProvider} from '../core/integration/catalogue.js'
import {assertInboundAllowed, thirdPartyPath} from '../core/integration/rules.js'
import {canPerform, OPERATION_KIND_DESCRIPTIONS, type OperationKind, type Role, ROLE_PERMISSIONS, rolesFor} from '../core/rbac/roles.js'
import {looksLikeTokenSecret} from '../core/token/rules.js'
import type {Backend} from '../core/port/types.js'

export interface AdminPrincipal {
  kind: 'api-key'
  id: string
  name: string
  role: Role
}

export interface SensorPrincipal {
  kind: 'sensor'
  tokenId: string
  provider: string
}

export type Principal = AdminPrincipal | SensorPrincipal

/** How long a successful verification is reused; any change made through the server clears it. */
const CACHE_MS = 10_000

/** Reads `Authorization: Bearer <secret>`; nothing else carries credentials. */
export function bearer(header: string | undefined): string | undefined {
  if (!header) return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1]
}

/**
 * Verifies admin API keys and sensor tokens against the backend, with a short cache so that a
 * busy sensor fleet does not turn every request into a database write. The cache is keyed by
 * the SHA-256 of the secret, never the secret itself.
 */
export function createAuthenticator(backend: Backend) {
  const cache = new Map<string, {principal: Principal; until: number}>()
  const digest = (secret: string) => createHash('sha256').update(secret).digest('hex')
  const cached = (hash: string) => {
    const hit = cache.get(hash)
    if (hit && hit.until > Date.now()) return hit.principal
    if (hit) cache.delete(hash)
    return undefined
  }

  const remember = (hash: string, principal: Principal) => {
    if (cache.size > 10_000) cache.clear()
    cache.set(hash, {principal, until: Date.now() + CACHE_MS})
  }

  return {
    /** Forget every cached verification (after any change: a revoked key must stop at once). */
    invalidate() {
      cache.clear()
    },

    async admin(header: string | undefined): Promise<AdminPrincipal> {
      const secret = bearer(header)
      if (!secret) {
        throw new AuthError('This API needs an API key in the Authorization header (Bearer).', {
          code: 'UNAUTHENTICATED',
          suggestions: ['Create one on the server host: atpctl apikey create --name <who> --role <role>', 'Then: atpctl init --remote <url> --api-key-file <file>'],
        })
      }

      if (looksLikeTokenSecret(secret)) {
        throw new AuthError('Sensor tokens authenticate only the sensor endpoints, not the admin API.', {
          code: 'UNAUTHENTICATED',
          suggestions: ['Use an API key (atpctl apikey create) for admin commands.'],
        })
      }

      const hash = digest(secret)
      const hit = cached(hash)
      if (hit?.kind === 'api-key') return hit
      const verification = looksLikeApiKey(secret) ? await backend.apiKeys.verify(secret) : {valid: false, reason: 'not an atpctl API key', key: null}
      if (!verification.valid || !verification.key) {
        throw new AuthError(`The API key is not valid: ${verification.reason}.`, {
          code: 'API_KEY_INVALID',
          suggestions: ['Ask the server owner for a new key: atpctl apikey create --name <who> --role <role>'],
        })
      }

      const principal: AdminPrincipal = {kind: 'api-key', id: verification.key.id, name: verification.key.name, role: verification.key.role}
      remember(hash, principal)
      return principal
    },

    async sensor(header: string | undefined): Promise<SensorPrincipal> {
      const secret = bearer(header)
      if (!secret) {
        throw new AuthError('Sensor endpoints need the provider access token in the Authorization header (Bearer).', {
          code: 'UNAUTHENTICATED',
          suggestions: ['Mint one: atpctl token mint --provider <id>, and give it to the sensor with --token-file.'],
        })
      }

      if (!looksLikeTokenSecret(secret)) {
        throw new AuthError('Sensor endpoints accept only third-party access tokens, not API keys.', {
          code: 'UNAUTHENTICATED',
          suggestions: ['Mint one: atpctl token mint --provider <id>'],
        })
      }

      const hash = digest(secret)
      const hit = cached(hash)
      if (hit?.kind === 'sensor') return hit
      const verification = await backend.tokens.verify(secret)
      if (!verification.valid || !verification.token) {
        const provider = verification.token?.provider
        if (provider) {
          const state = (await backend.integrations.state()).thirdParty.find((p) => p.provider === provider)
          // TP3: the toggle blocks the provider's inbound data, whatever the token (the core's one check and message).
          if (state) assertInboundAllowed({provider: state.name}, [thirdPartyPath(provider, state.enabled)], {provider})
        }

        throw new AuthError(`The sensor token is not valid: ${verification.reason}.`, {
          code: 'TOKEN_INVALID',
          suggestions: [
            `Mint a new token (atpctl token mint --provider ${provider ?? '<id>'}) and give it to the sensor.`,
          ],
        })
      }

      const principal: SensorPrincipal = {kind: 'sensor', tokenId: verification.token.id, provider: findProvider(verification.token.provider).id}
      remember(hash, principal)
      return principal
    },
  }
}

export type Authenticator = ReturnType<typeof createAuthenticator>

/** 403 unless the key's role may perform this kind of operation (DC6). */
export function authorize(principal: AdminPrincipal, kind: OperationKind, operation: string): void {
  if (canPerform(principal.role, kind)) return
  throw new AuthError(
    `API key '${principal.name}' has role '${principal.role}', which may not ${OPERATION_KIND_DESCRIPTIONS[kind].split(' (')[0]} (${operation}).`,
    {code: 'FORBIDDEN', suggestions: [`Use a key with one of the roles: ${rolesFor(kind).join(', ')}.`]},
  )
}

export function permissionsOf(role: Role): readonly OperationKind[] {
  return ROLE_PERMISSIONS[role]
}

/**
 * Counts failed authentications per client address and refuses an address past `limit` in
 * the window (the rule: core/rbac/auth-failures.ts): 429, exit 8 (throttled), with Retry-After in seconds.
 */
export function createAuthFailureLimiter(limit: number, now: () => number = Date.now) {
  const windows = new Map<string, FailureWindow>()
  return {
    /** Throws the 429 error (with `retryAfterSeconds` for the Retry-After header) while the address must wait. */
    check(address: string): void {
      const waitMs = authRetryAfterMs(windows.get(address), now(), limit)
      if (waitMs <= 0) return
      const seconds = Math.ceil(waitMs / 1000)
      throw Object.assign(
        new ThrottledError(`Too many failed authentications from this address; retry in ${seconds} s.`, {
          retryAfterMs: seconds * 1000,
          suggestions: ['Check the API key or token file: it is not valid for this server.', 'Ask the server operator about --auth-failure-limit.'],
        }),
        {statusCode: 429, retryAfterSeconds: seconds},
      )
    },
    failed(address: string): void {
      if (limit <= 0) return
      // Bounded memory under a spray from many addresses: forget them all (each starts a new window).
      if (windows.size > 100_000) windows.clear()
      windows.set(address, recordAuthFailure(windows.get(address), now()))
    },
  }
}
