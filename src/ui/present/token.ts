import type {MintedToken, TokenInfo} from '../../core/token/rules.js'
import {renderFields, renderTable} from '../table.js'
import {style} from '../style.js'

const statusText = (t: TokenInfo) =>
  t.status === 'active' ? style.ok('active') : t.status === 'expired' ? style.warn('expired') : style.bad('revoked')

export function presentTokens(tokens: TokenInfo[]): string {
  if (tokens.length === 0) return 'No tokens. Mint one: atpctl token mint --provider <id>'
  return renderTable(
    ['ID', 'PROVIDER', 'STATUS', 'CREATED', 'EXPIRES', 'LAST USED'],
    tokens.map((t) => [t.id, t.provider, statusText(t), t.createdAt, t.expiresAt, t.lastUsedAt ?? '-']),
  )
}

export function presentMintedToken(token: MintedToken, secretShown: string): string {
  return renderFields([
    ['Token id', token.id],
    ['Provider', token.provider],
    ['Expires', token.expiresAt],
    ['Secret', secretShown],
  ])
}

export function presentToken(token: TokenInfo): string {
  return renderFields([
    ['Token id', token.id],
    ['Provider', token.provider],
    ['Status', statusText(token)],
    ['Expires', token.expiresAt],
    ['Revoked', token.revokedAt ? `${token.revokedAt} (${token.revokedReason})` : '-'],
  ])
}
