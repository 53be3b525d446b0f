import {createHash, randomBytes} from 'node:crypto'
import {formatDuration} from '../duration.js'
import {UsageError} from '../errors.js'
import type {Role} from '../rbac/roles.js'
import {type Difference, differences} from '../endpoint-lifecycle.js'
import {escapeName} from '../names.js'

/** An admin API key as stored and listed: never the secret. */
export interface ApiKeyInfo {
  id: string
  name: string
  role: Role
  createdAt: string
  expiresAt: string | null
  revokedAt: string | null
  lastUsedAt: string | null
  status: 'active' | 'expired' | 'revoked'
}

/** What `apikey create` returns: the only time the secret exists outside the caller. */
export interface CreatedApiKey extends ApiKeyInfo {
  secret: string
}

/**
 * The outcome of a create: a new key with its secret (`changed: true`), or the existing key of
 * the same create again, without a secret (it is stored hashed and cannot be shown again).
 */
export type ApiKeyCreateOutcome = {key: ApiKeyInfo; secret: string; changed: true} | {key: ApiKeyInfo; secret: null; changed: false}

export interface ApiKeyVerification {
  valid: boolean
  reason: string
  key: ApiKeyInfo | null
}

export interface ApiKeyCreateRequest {
  name: string
  role: Role
  /** Validity; absent = until revoked. */
  ttlMs?: number
}

const SECRET_PREFIX = 'atpk_'
/** An API key may live at most a year; keys for CI should be rotated. */
export const MAX_API_KEY_TTL_MS = 366 * 86_400_000

/** 256 random bits; only the SHA-256 is stored, so a leaked database leaks no usable key. */
export function newApiKeySecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url')
}

export function newApiKeyId(): string {
  return 'key_' + randomBytes(6).toString('hex')
}

export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret.trim(), 'utf8').digest('hex')
}

export function looksLikeApiKey(text: string): boolean {
  return text.trim().startsWith(SECRET_PREFIX)
}

export function checkApiKeyName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(name)) {
    throw new UsageError(`Invalid API key name '${escapeName(name)}'.`, {
      suggestions: ['Use letters, digits, ".", "_", "@" and "-" (at most 64), e.g. --name ci-runner.'],
    })
  }

  return name
}

export function checkApiKeyTtl(ttlMs: number | undefined): void {
  if (ttlMs === undefined) return
  if (!Number.isFinite(ttlMs) || ttlMs <= 0 || ttlMs > MAX_API_KEY_TTL_MS) {
    throw new UsageError(`API key validity ${formatDuration(ttlMs)} is outside 1s to 366d.`, {
      suggestions: ['Pass --ttl with a value up to 366d, or leave it out for a key valid until revoked.'],
    })
  }
}

export function apiKeyStatus(row: {expiresAt: string | null; revokedAt: string | null}, now: Date): ApiKeyInfo['status'] {
  if (row.revokedAt) return 'revoked'
  return row.expiresAt !== null && Date.parse(row.expiresAt) <= now.getTime() ? 'expired' : 'active'
}

const validity = (ms: number | null) => (ms === null ? 'valid until revoked' : `valid for ${formatDuration(ms)}`)

/**
 * What differs between an API key and a create request of the same name (issue 11 item 4): its
 * role, its validity (as asked: --ttl, or none), and whether it can still be used (a revoked or
 * expired key is never the same create: it grants nothing).
 */
export function apiKeyDifferences(existing: ApiKeyInfo, requested: {role: Role; ttlMs?: number}): Difference[] {
  const lifetime = existing.expiresAt === null ? null : Date.parse(existing.expiresAt) - Date.parse(existing.createdAt)
  return differences([
    {field: 'role', existing: existing.role, requested: requested.role},
    {field: 'validity', existing: validity(lifetime), requested: validity(requested.ttlMs ?? null)},
    {field: 'status', existing: existing.status, requested: 'active'},
  ])
}
