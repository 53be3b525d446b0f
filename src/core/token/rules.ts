import {createHash, randomBytes} from 'node:crypto'
import {formatDuration} from '../duration.js'
import {UsageError} from '../errors.js'

/** TP2: default and maximum validity of a third-party access token. */
export const DEFAULT_TOKEN_TTL_MS = 24 * 3_600_000
export const MAX_TOKEN_TTL_MS = 30 * 86_400_000

export type TokenStatus = 'active' | 'expired' | 'revoked'

/** A token as stored and listed: never the secret. */
export interface TokenInfo {
  id: string
  provider: string
  createdAt: string
  expiresAt: string
  revokedAt: string | null
  revokedReason: string | null
  lastUsedAt: string | null
  status: TokenStatus
}

/** What `token mint` returns, the only time the secret exists outside the caller. */
export interface MintedToken {
  id: string
  provider: string
  secret: string
  createdAt: string
  expiresAt: string
}

export interface TokenVerification {
  valid: boolean
  reason: string
  token: TokenInfo | null
}

export function checkTokenTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0 || ttlMs > MAX_TOKEN_TTL_MS) {
    throw new UsageError(`Token validity ${formatDuration(ttlMs)} is outside 1s to 30d.`, {
      suggestions: ['Pass --ttl with a value up to 30d, for example --ttl 24h.'],
    })
  }
}

const SECRET_PREFIX = 'atpt_'

/** Creates a high-entropy token secret. Only its SHA-256 is stored (TP2). */
export function newTokenSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url')
}

export function newTokenId(): string {
  return 'tok_' + randomBytes(6).toString('hex')
}

/**
 * The stored form of a secret. A plain SHA-256 is enough here: the secret carries 256 bits of
 * randomness, so there is nothing for a slow password hash to protect against.
 */
export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret.trim(), 'utf8').digest('hex')
}

export function tokenStatus(row: {expiresAt: string; revokedAt: string | null}, now: Date): TokenStatus {
  if (row.revokedAt) return 'revoked'
  return Date.parse(row.expiresAt) <= now.getTime() ? 'expired' : 'active'
}

export function looksLikeTokenSecret(text: string): boolean {
  return text.trim().startsWith(SECRET_PREFIX)
}
