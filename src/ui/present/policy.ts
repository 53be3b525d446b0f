import type {DeploymentPlan, Policy} from '../../core/policy/types.js'
import {moreFooter, renderFields, renderTable} from '../table.js'
import {style} from '../style.js'

const SHAPE_TEXT: Record<Policy['shape'], string> = {
  'any-os': 'any OS (file + Workspace key/ID)',
  'up-level': 'up-level only (configuration file)',
  'down-level': 'down-level only (Workspace key/ID)',
  offboarding: 'offboarding (configuration file)',
}

export function presentPolicies(policies: Policy[]): string {
  if (policies.length === 0) return 'No policies. Create one: atpctl policy create'
  return renderTable(
    ['NAME', 'TYPE', 'SHAPE', 'CONFIGMGR', 'DEPLOYED TO'],
    policies.map((p) => [p.name, p.type, p.shape, String(p.configMgrVersion), p.deployments.map((d) => d.collection).join(', ') || '-']),
  )
}

export function presentPolicy(p: Policy): string {
  return renderFields([
    ['Policy', style.bold(p.name)],
    ['Description', p.description || '-'],
    ['Type', p.type],
    ['Covers', SHAPE_TEXT[p.shape]],
    ['Config file', p.configFile ? `${p.configFile.name} (sha256 ${p.configFile.sha256.slice(0, 12)}…${p.configFile.expiresAt ? `, valid until ${p.configFile.expiresAt}` : ''})` : '-'],
    ['Workspace ID', p.workspaceId ?? '-'],
    ['Workspace key', p.workspaceKey ? 'set (hidden)' : '-'],
    ['Sample sharing', p.sampleSharing === 'all' ? 'all file types' : 'none'],
    ['ConfigMgr', String(p.configMgrVersion)],
    ['Deployed to', p.deployments.map((d) => `${d.collection} (${d.deployedAt}${d.forced ? ', forced' : ''})`).join(', ') || '-'],
    ['Created', p.createdAt],
  ])
}

/** The plan: summary, then every device that would be missed (CM3). */
export function presentPlan(plan: DeploymentPlan, limit = 50): string {
  const verb = plan.type === 'onboarding' ? 'onboarded' : 'offboarded'
  const s = plan.summary
  const status = plan.applied
    ? style.ok(`✓ Deployed '${plan.policy}' to ${plan.collections.join(', ')}${plan.forced && s.missed > 0 ? ' (forced)' : ''}.`)
    : plan.dryRun
      ? style.bold(`Dry run: deploying '${plan.policy}' to ${plan.collections.join(', ')} would ${plan.refused ? style.bad('be refused (exit 4) without --force') : 'succeed'}.`)
      : style.bad(`Refused: deploying '${plan.policy}' would miss devices.`)
  const lines = [
    status,
    `Policy: ${plan.shape}, ConfigMgr ${plan.configMgrVersion}.`,
    `Targeted: ${s.targeted}   ${verb}: ${style.ok(String(s.reached))}   missed: ${s.missed > 0 ? style.bad(String(s.missed)) : '0'}`,
  ]
  for (const [reason, n] of Object.entries(s.byReason)) lines.push(`  ${reason}: ${n}`)
  if (plan.missed.length > 0) {
    lines.push('', 'Devices that would be missed:')
    lines.push(renderTable(['DEVICE', 'OS', 'LEVEL', 'REASON'], plan.missed.slice(0, limit).map((m) => [m.name, m.osName, m.level, m.message])))
    const more = moreFooter({shown: Math.min(limit, plan.missed.length), total: plan.missed.length, flag: null})
    if (more) lines.push(style.dim(more))
  }

  return lines.join('\n')
}
