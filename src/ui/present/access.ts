import {type AccessDecision, type AccessPolicy, accessPolicyState} from '../../core/access/rules.js'
import {style} from '../style.js'
import {renderFields, renderTable} from '../table.js'

const stateText = (p: AccessPolicy) => {
  const state = accessPolicyState(p)
  return state === 'enabled' ? style.ok(state) : state === 'report-only' ? style.warn('report-only') : style.dim(state)
}

export function presentAccessPolicies(policies: AccessPolicy[]): string {
  if (policies.length === 0) return 'No conditional access policies. Create one: atpctl access policy create --name NAME --include-group all --app all --client browser'
  return renderTable(
    ['POLICY', 'KIND', 'STATE', 'USERS', 'APPS', 'CLIENTS', 'GRANT'],
    policies.map((p) => [
      p.protected ? `${p.name} ${style.dim('(protected)')}` : p.name,
      p.kind,
      stateText(p),
      p.kind === 'classic' ? 'Intune connector' : `include ${p.includeGroups.join(', ')}${p.excludeGroups.length ? `; exclude ${p.excludeGroups.join(', ')}` : ''}`,
      p.kind === 'classic' ? '-' : p.apps.join(', '),
      p.kind === 'classic' ? '-' : p.clients.join(', '),
      p.grant,
    ]),
  )
}

export function presentAccessPolicy(policy: AccessPolicy, verb: string): string {
  return `Conditional access policy '${policy.name}' ${verb}.\n${presentAccessPolicies([policy])}`
}

export function presentDecision(d: AccessDecision): string {
  const head = d.decision === 'grant' ? style.ok('GRANTED') : style.bad('BLOCKED')
  const lines = [`${head}: ${d.explanation}`, ...(d.basis ? [style.dim(`(${d.basis})`)] : []), '']
  lines.push(
    renderTable(
      ['POLICY', 'RESULT', 'WHY'],
      d.policies.map((p) => [
        p.policy,
        p.result === 'failed' ? style.bad(p.result) : p.result === 'satisfied' ? style.ok(p.result) : p.result === 'report-only' ? style.warn(p.wouldFail ? 'report-only: would block' : 'report-only: would pass') : style.dim(p.result),
        p.reason,
      ]),
    ),
  )
  return lines.join('\n')
}

export function presentAccessPolicyDetail(p: AccessPolicy): string {
  const custom = p.kind === 'custom'
  return renderFields([
    ['Policy', `${p.name} (${p.id})`],
    ['Kind', p.protected ? `${p.kind} (protected: the Intune connection's own policy)` : p.kind],
    ['State', accessPolicyState(p) === 'report-only' ? 'report-only (evaluated and reported, not enforced)' : accessPolicyState(p)],
    ['Include', custom ? p.includeGroups.join(', ') : 'Intune connector'],
    ['Exclude', custom && p.excludeGroups.length > 0 ? p.excludeGroups.join(', ') : '-'],
    ['Cloud apps', custom ? p.apps.join(', ') : '-'],
    ['Client apps', custom ? p.clients.join(', ') : '-'],
    ['Grant', p.grant],
    ['Created', p.createdAt],
  ])
}
