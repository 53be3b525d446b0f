/**
 * Reading an access token's claims without verifying it: atpctl is the token's bearer, not its
 * audience, and only wants to know what it was granted (the `roles` claim, §8.2) and for whom.
 * Nothing here logs or returns the token itself.
 */

export interface AccessTokenClaims {
  roles: string[]
  /** Delegated permissions (device code sign-in): the space-separated `scp` claim, split. */
  scopes: string[]
  tenantId?: string
  appId?: string
  audience?: string
  expiresAt?: number
}

/** The claims of a JWT access token; an opaque or malformed token has none. */
export function readAccessToken(token: string): AccessTokenClaims {
  const parts = token.split('.')
  let payload: Record<string, unknown> = {}
  if (parts.length === 3) {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) payload = parsed as Record<string, unknown>
    } catch {
      payload = {}
    }
  }

  const strings = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [])
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined)
  return {
    roles: strings(payload.roles),
    scopes: typeof payload.scp === 'string' ? payload.scp.split(' ').filter((s) => s !== '') : [],
    tenantId: text(payload.tid),
    appId: text(payload.appid) ?? text(payload.azp),
    audience: text(payload.aud),
    expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined,
  }
}
