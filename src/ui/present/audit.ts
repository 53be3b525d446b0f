import type {AuditRecord, AuditVerification} from '../../core/audit/chain.js'
import {renderTable} from '../table.js'
import {style} from '../style.js'

export function presentAudit(records: AuditRecord[]): string {
  if (records.length === 0) return 'The audit log is empty.'
  return renderTable(
      ['SEQ', 'TIME', 'ACTOR', 'OPERATION', 'TARGET', 'OUTCOME'],
      records.map((r) => [String(r.seq), r.time, r.actor, r.operation, r.target, r.outcome === 'ok' ? style.ok('ok') : style.warn(r.outcome)]),
  )
}

/** An intact log: what was checked, the head to keep elsewhere, and the limits of an anchored older log. */
export function presentVerification(v: AuditVerification): string {
  const lines = [`${style.ok('Audit log intact')}: ${v.records} record(s), keyed hash chain and head checkpoint verified.`]
  if (v.givenHead) lines.push(`The head you gave is record ${v.givenHead.record}: nothing up to it was rewritten or deleted.`)
  if (v.anchoredAt !== null) {
    lines.push(
      `Records 1-${v.anchoredAt - 1} were written before the chain was keyed: they are anchored by record ${v.anchoredAt} and cannot change from then on; changes made to them before it cannot be detected.`,
    )
  }

  if (v.checkpoint.lag > 0) lines.push(`The last change is not in the head checkpoint yet (its process stopped after the commit); the next change adds it.`)
  lines.push(`Head: ${v.head.records} ${v.head.hash}`)
  lines.push('Keep this head outside the profile (for example in CI) and check it later with: atpctl audit verify --head <hash>')
  return lines.join('\n')
}
