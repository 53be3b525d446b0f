import {type AuditRecord, GENESIS_HASH, hashAuditRecord, verifyAuditChain} from '../../core/audit/chain.js'
import type {AuditApi} from '../types.js'
import type {Database} from './database.js'

interface AuditRow {
  seq: number
  time: string
  actor: string
  operation: string
  target: string
  outcome: string
  prev_hash: string
  hash: string
}

const toRecord = (r: AuditRow): AuditRecord => ({
  seq: r.seq,
  time: r.time,
  actor: r.actor,
  operation: r.operation,
  target: r.target,
  outcome: r.outcome,
  prevHash: r.prev_hash,
  hash: r.hash,
})

/** Appends one record; must run inside the caller's write transaction so the chain stays linear. */
export function appendAudit(
  db: Database,
  entry: {time: string; actor: string; operation: string; target: string; outcome: string},
): void {
  const last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as {seq: number; hash: string} | undefined
  const record = {seq: (last?.seq ?? 0) + 1, ...entry, prevHash: last?.hash ?? GENESIS_HASH}
  const hash = hashAuditRecord(record)
  db.prepare(
    'INSERT INTO audit_log (seq, time, actor, operation, target, outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(record.seq, record.time, record.actor, record.operation, record.target, record.outcome, record.prevHash, hash)
}

export function localAuditApi(db: Database): AuditApi {
  return {
    async list(filter = {}) {
      const where = filter.operation ? 'WHERE operation = @operation' : ''
      const limit = filter.limit ?? -1
      const rows = db
        .prepare(`SELECT * FROM (SELECT * FROM audit_log ${where} ORDER BY seq DESC LIMIT @limit) ORDER BY seq`)
        .all({operation: filter.operation, limit}) as AuditRow[]
      return rows.map(toRecord)
    },
    async verify() {
      const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as AuditRow[]
      return verifyAuditChain(rows.map(toRecord))
    },
  }
}
