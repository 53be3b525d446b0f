import {
  apiKeyStatus,
  checkApiKeyName,
  checkApiKeyTtl,
  hashApiKeySecret,
  newApiKeyId,
  newApiKeySecret,
  type ApiKeyInfo,
} from '../../core/apikey/rules.js'
import {NotFoundError, RuleError} from '../../core/errors.js'
import {parseRole} from '../../core/rbac/roles.js'
import type {ApiKeyApi} from '../../core/port/apikey-api.js'
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
  const find = (idOrName: string) =>
    db.get(`SELECT ${COLUMNS} FROM api_key WHERE id = ? OR name = ?`, idOrName, idOrName) as ApiKeyRow | undefined
  return {
    async create(request) {
      const name = checkApiKeyName(request.name)
      const role = parseRole(request.role)
      checkApiKeyTtl(request.ttlMs)
      return store.mutate('apikey.create', name, () => {
        if (find(name)) {
          throw new RuleError('', `An API key named '${name}' already exists.`, {
            suggestions: ['Pick another --name, or revoke the old key first: atpctl apikey revoke ' + name],
          })
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
        db.run('INSERT INTO api_key (id, name, role, secret_sha256, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
          row.id,
          row.name,
          row.role,
          hashApiKeySecret(secret),
          row.created_at,
          row.expires_at,
        )
        return {...toInfo(row, now), secret}
      })
    },

    async list() {
      const now = store.now()
      return (db.all(`SELECT ${COLUMNS} FROM api_key ORDER BY created_at, id`) as ApiKeyRow[]).map((r) => toInfo(r, now))
    },

    async revoke(idOrName) {
      return store.mutate('apikey.revoke', idOrName, () => {
        const row = find(idOrName)
        if (!row) throw new NotFoundError(`API key '${idOrName}' not found.`, {suggestions: ['Run `atpctl apikey list` to see key ids and names.']})
        if (!row.revoked_at) db.run('UPDATE api_key SET revoked_at = ? WHERE id = ?', store.now().toISOString(), row.id)
        return toInfo(find(row.id)!, store.now())
      })
    },

    async verify(secret) {
      const row = db.get(`SELECT ${COLUMNS} FROM api_key WHERE secret_sha256 = ?`, hashApiKeySecret(secret)) as ApiKeyRow | undefined
      const now = store.now()
      if (!row) return {valid: false, reason: 'unknown API key', key: null}
      const info = toInfo(row, now)
      if (info.status !== 'active') return {valid: false, reason: info.status === 'revoked' ? `revoked at ${info.revokedAt}` : `expired at ${info.expiresAt}`, key: info}
      db.run('UPDATE api_key SET last_used_at = ? WHERE id = ?', now.toISOString(), row.id)
      return {valid: true, reason: 'valid', key: {...info, lastUsedAt: now.toISOString()}}
    },
  }
}
