import type {Backend} from '../port/types.js'
import {listPages, type PagedList} from '../port/page.js'
import {AuthError, UsageError} from '../errors.js'
import {requireTenant} from '../tenant/service.js'
import type {MintedToken, TokenInfo, TokenVerification} from './rules.js'
import {DEFAULT_TOKEN_TTL_MS} from './rules.js'

export async function mintToken(backend: Backend, options: {provider: string; ttlMs?: number; profile: string}): Promise<{token: MintedToken}> {
  await requireTenant(backend, options.profile)
  return {token: await backend.tokens.mint({provider: options.provider, ttlMs: options.ttlMs ?? DEFAULT_TOKEN_TTL_MS})}
}

export async function listTokens(backend: Backend, options: {provider?: string; profile: string; limit?: number}): Promise<{tokens: PagedList<TokenInfo>}> {
  await requireTenant(backend, options.profile)
  return {tokens: await listPages((page) => backend.tokens.list({provider: options.provider, ...page}), {limit: options.limit})}
}

export async function revokeToken(backend: Backend, options: {id: string; profile: string}): Promise<{token: TokenInfo; changed: boolean}> {
  await requireTenant(backend, options.profile)
  return backend.tokens.revoke(options.id)
}

/** Checks a presented token; an invalid one is an auth failure (exit 5) that says why. */
export async function verifyToken(backend: Backend, options: {secret: string; profile: string}): Promise<TokenVerification> {
  const secret = options.secret.trim()
  if (secret === '') throw new UsageError('No token was given on stdin.', {suggestions: ['Pipe the token in: atpctl token verify < token.txt']})
  await requireTenant(backend, options.profile)
  const verification = await backend.tokens.verify(secret)
  if (!verification.valid) {
    throw new AuthError(`Token is not valid: ${verification.reason}.`, {
      code: 'TOKEN_INVALID',
      details: {reason: verification.reason, tokenId: verification.token?.id ?? null},
      suggestions: ['Mint a new one: atpctl token mint --provider <id>, and re-apply it on the endpoints.'],
    })
  }

  return verification
}
