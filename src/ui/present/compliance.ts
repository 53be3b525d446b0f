import type {CompliancePolicy, ComplianceStatus} from '../../core/compliance/rules.js'
import type {ComplianceEvaluation} from '../../core/compliance/service.js'
import {style} from '../style.js'
import {DEFAULT_LIMIT, moreFooter, renderFields, renderTable, withFooter} from '../table.js'

export function presentCompliancePolicies(policies: CompliancePolicy[]): string {
  if (policies.length === 0) return 'No compliance policies. Create one: atpctl compliance create --name NAME --platform windows --max-risk low'
  return renderTable(
    ['POLICY', 'PLATFORM', 'MAX RISK', 'ASSIGNED TO', 'CREATED'],
    policies.map((p) => [p.name, p.platform, p.maxRisk, p.assignGroup ? `group '${p.assignGroup}'` : 'all devices of the platform', p.createdAt]),
  )
}

const statusText = (s: ComplianceStatus) => (s === 'compliant' ? style.ok(s) : s === 'noncompliant' ? style.bad(s) : style.dim(s))

/** A summary line, then one row per device (at most `limit` rows; the rest are counted). */
export function presentEvaluation(result: ComplianceEvaluation, limit = DEFAULT_LIMIT): string {
  const s = result.summary
  const head = `${s.devices} device(s): ${s.compliant} compliant, ${s.noncompliant} noncompliant, ${s.notEvaluated} not evaluated.`
  if (result.devices.length === 0) return `${head}\nImport devices first: atpctl device import FILE`
  const shown = result.devices.slice(0, limit)
  const table = renderTable(
    ['DEVICE', 'STATUS', 'RISK', 'POLICY', 'REASON'],
    shown.map((d) => [d.deviceName, statusText(d.status), d.risk, d.policy ?? '-', d.reason]),
  )
  return withFooter(`${head}\n\n${table}`, moreFooter({shown: shown.length, total: result.devices.length}))
}

export function presentCompliancePolicy(p: CompliancePolicy): string {
  return renderFields([
    ['Policy', `${p.name} (${p.id})`],
    ['Description', p.description ?? '-'],
    ['Platform', p.platform],
    ['Maximum risk', p.maxRisk],
    ['Assigned to', p.assignGroup ? `group '${p.assignGroup}'` : 'all devices of the platform'],
    ['Created', p.createdAt],
  ])
}
