import type {AuditRecord} from '../../core/audit/chain.js'
import {moreFooter, renderTable, withFooter} from '../table.js'
import {style} from '../style.js'

export function presentAudit(records: AuditRecord[], options: {more?: boolean} = {}): string {
  if (records.length === 0) return 'The audit log is empty.'
  return withFooter(
    renderTable(
      ['SEQ', 'TIME', 'ACTOR', 'OPERATION', 'TARGET', 'OUTCOME'],
      records.map((r) => [String(r.seq), r.time, r.actor, r.operation, r.target, r.outcome === 'ok' ? style.ok('ok') : style.warn(r.outcome)]),
    ),
    moreFooter({shown: records.length, more: options.more, what: 'older'}),
  )
}
