import type {Alert, Severity} from '../../core/alert/types.js'
import {renderFields, renderTable} from '../table.js'
import {style} from '../style.js'

export function severityText(severity: Severity): string {
  switch (severity) {
    case 'High':
      return style.bad(severity)
    case 'Medium':
      return style.warn(severity)
    default:
      return severity
  }
}

const statusText = (a: Alert) => (a.status === 'Resolved' ? style.dim(a.status) : a.status === 'New' ? style.bold(a.status) : a.status)

export function presentAlerts(alerts: Alert[]): string {
  if (alerts.length === 0) return 'No alerts. Raise a test one: atpctl detect eicar --device NAME'
  return renderTable(
      ['ID', 'CREATED', 'SEVERITY', 'STATUS', 'DEVICE', 'TITLE'],
      alerts.map((a) => [style.id(a.id), a.alertCreationTime, severityText(a.severity), statusText(a), a.computerDnsName, a.title]),
  )
}

export function presentAlert(a: Alert): string {
  const fields: [string, string][] = [
    ['Id', style.id(a.id)],
    ['Title', a.title],
    ['Severity', severityText(a.severity)],
    ['Status', statusText(a)],
    ['Category', a.category],
    ['Detection source', a.detectionSource],
    ['Threat', a.threatName ?? '-'],
    ['Device', `${a.computerDnsName} (machine ${a.machineId})`],
    ['Created', a.alertCreationTime],
    ['Resolved', a.resolvedTime ?? '-'],
    ['Classification', a.classification ?? '-'],
    ['Determination', a.determination ?? '-'],
    ['Incident', String(a.incidentId)],
  ]
  if (a.mitreTechniques.length > 0) fields.push(['MITRE', a.mitreTechniques.join(', ')])
  const lines = [renderFields(fields), '', a.description]
  if (a.evidence.length > 0) {
    lines.push('', 'Evidence:')
    for (const e of a.evidence) {
      lines.push(`  ${e.entityType} ${e.filePath ?? e.fileName ?? ''}${e.sha256 ? `  sha256 ${e.sha256}` : ''}${e.processCommandLine ? `\n    ${e.processCommandLine}` : ''}`)
    }
  }

  if (a.comments.length > 0) {
    lines.push('', 'Comments:', ...a.comments.map((c) => `  ${c.createdTime} ${c.createdBy}: ${c.comment}`))
  }

  return lines.join('\n')
}
