import type {StatusResult} from '../../core/status.js'
import {renderFields} from '../table.js'
import {style} from '../style.js'
import {presentIntegrations} from './integration.js'
import {tenantFields} from './tenant.js'

export function presentStatus(status: StatusResult): string {
  const fields: [string, string][] = [
    ['Profile', status.profile],
    ['Backend', `${status.backend.kind} (${status.backend.location})`],
    ...tenantFields(status.tenant),
    ['Tokens', `${status.tokens.active} active, ${status.tokens.expired} expired, ${status.tokens.revoked} revoked`],
  ]
  const capabilities = status.capabilities.map((c) =>
    c.supported ? `  ${style.ok('✓')} ${c.id}: ${c.summary}` : `  ${style.dim('✗')} ${c.id}: ${c.summary}; not on this backend: ${c.instead}`,
  )
  return `${renderFields(fields)}\n\n${style.bold('Integrations')}\n${presentIntegrations(status.integrations)}\n\n${style.bold('Capabilities')}\n${capabilities.join('\n')}`
}
