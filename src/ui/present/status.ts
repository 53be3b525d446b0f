import type {StatusResult} from '../../core/status.js'
import {renderFields} from '../table.js'
import {style} from '../style.js'
import {presentIntegrations} from './integration.js'
import {tenantFields} from './tenant.js'

export function presentStatus(status: StatusResult): string {
  const fields: [string, string][] = [
    ['Profile', status.profile],
    ['Backend', `${status.backend.kind} (${status.backend.location})`],
    ...(status.tenant ? tenantFields(status.tenant) : []),
  ]
  if (status.signIn) {
    fields.push(['Tenant ID', style.id(status.signIn.tenantId)], ['Client ID', status.signIn.clientId], ['Cloud', status.signIn.cloud], ['Sign-in', status.signIn.credential])
  }

  if (status.tokens) fields.push(['Tokens', `${status.tokens.active} active, ${status.tokens.expired} expired, ${status.tokens.revoked} revoked`])
  const sections = [renderFields(fields)]
  if (status.signIn) {
    const apis = status.signIn.apis.map((a) =>
      a.roles === null
        ? `  ${style.dim('✗')} ${a.name} (${a.url}): no token: ${a.error}`
        : `  ${style.ok('✓')} ${a.name} (${a.url}): ${a.roles.length > 0 ? a.roles.join(', ') : style.dim('no application permissions')}`,
    )
    sections.push(`${style.bold('Application permissions')}\n${apis.join('\n')}`)
  }

  if (status.permissions) {
    const ops = status.permissions.map((p) =>
      p.usable ? `  ${style.ok('✓')} ${p.operation} (${p.commands.join(', ')})` : `  ${style.warn('✗')} ${p.operation} (${p.commands.join(', ')}): missing ${p.missing.join(', ')}`,
    )
    sections.push(`${style.bold('Usable on this tenant')}\n${ops.join('\n')}`)
  }

  if (status.integrations) sections.push(`${style.bold('Integrations')}\n${presentIntegrations(status.integrations)}`)
  const capabilities = status.capabilities.map((c) =>
    c.supported ? `  ${style.ok('✓')} ${c.id}: ${c.summary}` : `  ${style.dim('✗')} ${c.id}: ${c.summary}; not on this backend: ${c.instead}`,
  )
  sections.push(`${style.bold('Capabilities')}\n${capabilities.join('\n')}`)
  return sections.join('\n\n')
}
