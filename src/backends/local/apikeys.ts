import {
  apiKeyDifferences,
  apiKeyStatus,
  checkApiKeyName,
  checkApiKeyTtl,
  hashApiKeySecret,
  newApiKeyId,
  newApiKeySecret,
  type ApiKeyInfo,
} from '../../core/apikey/rules.js'
import {conflict} from '../../core/endpoint-lifecycle.js'
import {NotFoundError} from '../../core/errors.js'
import {parseRole} from '../../core/rbac/roles.js'
import type {ApiKeyApi} from '../../core/port/apikey-api.js'
import {afterCondition, keysetPage, positionParams} from './keyset.js'
import type {LocalStore, StoreSql} from './store.js'

interface ApiKeyRow {
  id: string
  name: string
  role: ApiKeyInfo['role']
  created_at: string
  expires_at: string | null
  revoked_at: string | null
  last_used_at: string | null
}

const COLUMNS = 'id, name, role, created_at, expires_at, revoked_at, last_used_at'

function toInfo(r: ApiKeyRow, now: Date): ApiKeyInfo {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
    status: apiKeyStatus({expiresAt: r.expires_at, revokedAt: r.revoked_at}, now),
  }
}

/** API keys live beside the tenant they grant access to; no tenant is needed to create the first. */
export function localApiKeyApi(store: LocalStore): ApiKeyApi {
  const db: StoreSql = store
  const find = (s: StoreSql, idOrName: string) => s.get<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_key WHERE id = ? OR name = ?`, idOrName, idOrName)
  return {
    async create(request) {
      const name = checkApiKeyName(request.name)
      const role = parseRole(request.role)
      checkApiKeyTtl(request.ttlMs)
      return store.mutate('apikey.create', name, async (tx) => {
        const existing = await tx.get<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_key WHERE name = ?`, name)
        if (existing) {
          // The same create again changes nothing; other content is a conflict (issue 11 item 4).
          const info = toInfo(existing, store.now())
          const diffs = apiKeyDifferences(info, {role, ttlMs: request.ttlMs})
          if (diffs.length > 0) {
            throw conflict(`API key '${name}'`, diffs, [
              info.status === 'active' ? `Revoke it first (atpctl apikey revoke ${name}) or pick another --name.` : 'Pick another --name: a revoked or expired key stays in the list.',
            ])
          }

          return {key: info, secret: null, changed: false as const}
        }

        const now = store.now()
        const secret = newApiKeySecret()
        const row: ApiKeyRow = {
          id: newApiKeyId(),
          name,
          role,
          created_at: now.toISOString(),
          expires_at: request.ttlMs === undefined ? null : new Date(now.getTime() + request.ttlMs).toISOString(),
          revoked_at: null,
          last_used_at: null,
        }
        tx.run('INSERT INTO api_key (id, name, role, secret_sha256, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
          row.id,
          row.name,
          row.role,
          hashApiKeySecret(secret),
          row.created_at,
          row.expires_at,
        )
        return {key: toInfo(row, now), secret, changed: true as const}
      })
    },

    async list(request) {
      const now = store.now()
      return keysetPage({
        list: 'api-keys',
        shape: ['string', 'string'],
        request,
        rows: (after, limit) =>
          db.all<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_key WHERE ${afterCondition(['created_at', 'id'], after)} ORDER BY created_at, id LIMIT @limit`, {...positionParams(after), limit}),
        positionOf: (r) => [r.created_at, r.id],
        toItem: (r) => toInfo(r, now),
      })
    },

    async revoke(idOrName) {
      return store.mutate('apikey.revoke', idOrName, async (tx) => {
        const row = await find(tx, idOrName)
        if (!row) throw new NotFoundError(`API key '${idOrName}' not found.`, {suggestions: ['Run `atpctl apikey list` to see key ids and names.']})
        if (!row.revoked_at) tx.run('UPDATE api_key SET revoked_at = ? WHERE id = ?', store.now().toISOString(), row.id)
        return {key: toInfo((await find(tx, row.id))!, store.now()), changed: !row.revoked_at}
      })
    },

    async verify(secret) {
      // Holding the connection: the last use is written after the read, with nothing in between.
      return store.hold(async (held) => {
        const row = await held.get<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_key WHERE secret_sha256 = ?`, hashApiKeySecret(secret))
        const now = store.now()
        if (!row) return {valid: false, reason: 'unknown API key', key: null}
        const info = toInfo(row, now)
        if (info.status !== 'active') return {valid: false, reason: info.status === 'revoked' ? `revoked at ${info.revokedAt}` : `expired at ${info.expiresAt}`, key: info}
        held.run('UPDATE api_key SET last_used_at = ? WHERE id = ?', now.toISOString(), row.id)
        return {valid: true, reason: 'valid', key: {...info, lastUsedAt: now.toISOString()}}
      })
    },
  }
}
