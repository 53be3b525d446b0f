import type {ApiKeyInfo} from '../../core/apikey/rules.js'
import {renderFields, renderTable} from '../table.js'
import {style} from '../style.js'

const statusText = (k: ApiKeyInfo) => (k.status === 'active' ? style.ok('active') : k.status === 'expired' ? style.warn('expired') : style.bad('revoked'))

export function presentApiKeys(keys: ApiKeyInfo[]): string {
  if (keys.length === 0) return 'No API keys. Create one: atpctl apikey create --name <who> --role <role>'
  return renderTable(
    ['ID', 'NAME', 'ROLE', 'STATUS', 'CREATED', 'EXPIRES', 'LAST USED'],
    keys.map((k) => [k.id, k.name, k.role, statusText(k), k.createdAt, k.expiresAt ?? 'never', k.lastUsedAt ?? '-']),
  )
}

export function presentApiKey(key: ApiKeyInfo, secretLine?: [string, string]): string {
  return renderFields([
    ['Key id', key.id],
    ['Name', key.name],
    ['Role', key.role],
    ['Status', statusText(key)],
    ['Expires', key.expiresAt ?? 'never'],
    ...(secretLine ? [secretLine] : []),
  ])
}
