import {createHash} from 'node:crypto'

/** One record of the append-only audit log. `hash` chains it to the record before it. */
export interface AuditRecord {
  seq: number
  time: string
  actor: string
  operation: string
  target: string
  outcome: string
  prevHash: string
  hash: string
}

export type AuditEntry = Omit<AuditRecord, 'hash' | 'prevHash' | 'seq'>

/** The hash of the record before the first one. */
export const GENESIS_HASH = '0'.repeat(64)

/**
 * Hash of one record: SHA-256 over a fixed-order serialisation of every field but the hash,
 * so editing any field, reordering, or deleting a record breaks the chain from there on.
 */
export function hashAuditRecord(record: Omit<AuditRecord, 'hash'>): string {
  const canonical = JSON.stringify([
    record.seq,
    record.time,
    record.actor,
    record.operation,
    record.target,
    record.outcome,
    record.prevHash,
  ])
  return createHash('sha256').update(canonical).digest('hex')
}

export interface AuditVerification {
  ok: boolean
  records: number
  /** First sequence number whose record does not match the chain, or null. */
  brokenAt: number | null
  reason: string | null
}

/** Walks the records in order and reports the first break in the chain. */
export function verifyAuditChain(records: AuditRecord[]): AuditVerification {
  let prevHash = GENESIS_HASH
  let expectedSeq = records.length > 0 ? records[0].seq : 1
  if (records.length > 0 && records[0].seq !== 1) {
    return {ok: false, records: records.length, brokenAt: 1, reason: `records 1 to ${records[0].seq - 1} are missing`}
  }

  for (const record of records) {
    if (record.seq !== expectedSeq) {
      return {ok: false, records: records.length, brokenAt: expectedSeq, reason: `record ${expectedSeq} is missing`}
    }

    if (record.prevHash !== prevHash) {
      return {ok: false, records: records.length, brokenAt: record.seq, reason: `record ${record.seq} does not follow record ${record.seq - 1}`}
    }

    if (hashAuditRecord(record) !== record.hash) {
      return {ok: false, records: records.length, brokenAt: record.seq, reason: `record ${record.seq} was modified after it was written`}
    }

    prevHash = record.hash
    expectedSeq++
  }

  return {ok: true, records: records.length, brokenAt: null, reason: null}
}
