import {findProvider} from '../../core/integration/catalogue.js'
import {NotFoundError, RuleError} from '../../core/errors.js'
import {checkTokenTtl, hashTokenSecret, newTokenId, newTokenSecret, type TokenInfo, tokenStatus} from '../../core/token/rules.js'
import type {TokenApi} from '../../core/port/types.js'
import {readThirdParty} from './integrations.js'
import {afterCondition, keysetPage, positionParams} from './keyset.js'
import type {LocalStore, StoreSql} from './store.js'
import {requireTenantRow} from './tenant.js'

interface TokenRow {
  id: string
  provider: string
  created_at: string
  expires_at: string
  revoked_at: string | null
  revoked_reason: string | null
  last_used_at: string | null
}

export function toTokenInfo(r: TokenRow, now: Date): TokenInfo {
  return {
    id: r.id,
    provider: r.provider,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    revokedReason: r.revoked_reason,
    lastUsedAt: r.last_used_at,
    status: tokenStatus({expiresAt: r.expires_at, revokedAt: r.revoked_at}, now),
  }
}

const COLUMNS = 'id, provider, created_at, expires_at, revoked_at, revoked_reason, last_used_at'

export function localTokenApi(store: LocalStore): TokenApi {
  const db: StoreSql = store
  return {
    async mint({provider: providerId, ttlMs}) {
      const provider = findProvider(providerId)
      checkTokenTtl(ttlMs)
      await requireTenantRow(store)
      return store.mutate('token.mint', `third-party:${provider.id}`, async (tx) => {
        if (!(await readThirdParty(tx, provider.id)).enabled) {
          throw new RuleError('TP2', `The ${provider.name} integration is off; tokens can only be minted for an enabled provider.`, {
            suggestions: [`Turn it on first: atpctl integration enable third-party --provider ${provider.id}`],
          })
        }

        const now = store.now()
        const secret = newTokenSecret()
        const token = {
          id: newTokenId(),
          provider: provider.id,
          secret,
          createdAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
        }
        tx.run('INSERT INTO token (id, provider, secret_sha256, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
          token.id,
          token.provider,
          hashTokenSecret(secret),
          token.createdAt,
          token.expiresAt,
        )
        return token
      })
    },

    async list(filter = {}) {
      await requireTenantRow(store)
      const provider = filter.provider ? findProvider(filter.provider).id : undefined
      const now = store.now()
      return keysetPage({
        list: 'tokens',
        shape: ['string', 'string'],
        request: filter,
        rows: (after, limit) =>
          db.all<TokenRow>(`SELECT ${COLUMNS} FROM token WHERE ${afterCondition(['created_at', 'id'], after)} ${provider ? 'AND provider = @provider' : ''} ORDER BY created_at, id LIMIT @limit`, {...positionParams(after), provider, limit}),
        positionOf: (r) => [r.created_at, r.id],
        toItem: (r) => toTokenInfo(r, now),
      })
    },

    async revoke(id) {
      await requireTenantRow(store)
      return store.mutate('token.revoke', id, async (tx) => {
        const row = await tx.get<TokenRow>(`SELECT ${COLUMNS} FROM token WHERE id = ?`, id)
        if (!row) throw new NotFoundError(`Token '${id}' not found.`, {suggestions: ['Run `atpctl token list` to see token ids.']})
        if (!row.revoked_at) {
          tx.run("UPDATE token SET revoked_at = ?, revoked_reason = 'revoked by admin' WHERE id = ?", store.now().toISOString(), id)
        }

        return {token: toTokenInfo((await tx.get<TokenRow>(`SELECT ${COLUMNS} FROM token WHERE id = ?`, id))!, store.now()), changed: !row.revoked_at}
      })
    },

    async verify(secret) {
      // Holding the connection: the last use is written after the reads, with nothing in between.
      return store.hold(async (held) => {
        await requireTenantRow(held)
        const row = await held.get<TokenRow>(`SELECT ${COLUMNS} FROM token WHERE secret_sha256 = ?`, hashTokenSecret(secret))
        const now = store.now()
        if (!row) return {valid: false, reason: 'unknown token', token: null}
        const info = toTokenInfo(row, now)
        if (info.status === 'revoked') return {valid: false, reason: `revoked (${row.revoked_reason ?? 'revoked'})`, token: info}
        if (info.status === 'expired') return {valid: false, reason: `expired at ${info.expiresAt}`, token: info}
        if (!(await readThirdParty(held, row.provider)).enabled) return {valid: false, reason: 'provider integration is off', token: info}
        held.run('UPDATE token SET last_used_at = ? WHERE id = ?', now.toISOString(), row.id)
        return {valid: true, reason: 'valid', token: {...info, lastUsedAt: now.toISOString()}}
      })
    },
  }
}
