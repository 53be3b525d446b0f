import {createHash, createHmac, timingSafeEqual} from 'node:crypto'

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
 * The operation of the record that starts the keyed chain of a profile whose log was written
 * before the chain was keyed: the records before it keep their unkeyed SHA-256 links, and its
 * keyed MAC covers the last of them, so none of them can change from then on (issue 15 item 10).
 */
export const ANCHOR_OPERATION = 'audit.anchor'

/**
 * The newest point of the chain: how many records and the hash (MAC) of the last one. A CI job
 * keeps it and later passes it to `audit verify --head` to prove nothing was rewritten since.
 */
export interface AuditHead {
  records: number
  hash: string
}

/** The head checkpoint kept beside the database, sealed with the audit key so that it cannot be rewritten from the table alone. */
export interface AuditCheckpoint extends AuditHead {
  tag: string
}

function canonical(record: Omit<AuditRecord, 'hash'>): string {
  return JSON.stringify([record.seq, record.time, record.actor, record.operation, record.target, record.outcome, record.prevHash])
}

/**
 * The unkeyed hash of one record (the chain of profiles created before the keyed chain):
 * SHA-256 over a fixed-order serialisation of every field but the hash. Anyone can recompute
 * it, so it only catches edits that do not also re-chain the records after them.
 */
export function hashAuditRecord(record: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(canonical(record)).digest('hex')
}

/**
 * The keyed hash of one record: HMAC-SHA-256 with the profile's audit key over the same
 * serialisation. Editing a record and recomputing the chain after it needs the key.
 */
export function macAuditRecord(key: Buffer, record: Omit<AuditRecord, 'hash'>): string {
  return createHmac('sha256', key).update(canonical(record)).digest('hex')
}

/** The seal of a head checkpoint: without the key, a truncated log cannot be given a matching checkpoint. */
export function sealAuditHead(key: Buffer, head: AuditHead): AuditCheckpoint {
  return {...head, tag: createHmac('sha256', key).update(`atpctl-audit-head\u0000${head.records}\u0000${head.hash}`).digest('hex')}
}

const sameHex = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

export interface AuditVerification {
  ok: boolean
  records: number
  /** First sequence number whose record does not match the chain, or null. */
  brokenAt: number | null
  reason: string | null
  /** The newest point of the chain as it is now; keep it elsewhere for `audit verify --head`. */
  head: AuditHead
  /** The record that started the keyed chain of an older log (its records before are only linked unkeyed), or null. */
  anchoredAt: number | null
  /** The head checkpoint beside the database, and how many records the log is ahead of it (0, or 1 after a crash). */
  checkpoint: {records: number; lag: number}
  /** The record of the head given with --head, when one was given and found. */
  givenHead: {hash: string; record: number} | null
}

export interface VerifyOptions {
  key: Buffer
  /** The checkpoint beside the database; null when there is none (a log not written yet, or a crash before the first one). */
  checkpoint: AuditCheckpoint | null
  /** A head kept elsewhere (`audit verify --head`): its record must still be in the chain, unchanged. */
  givenHead?: string
}

/**
 * Walks the records in order and reports the first break (issue 15 item 10): a record edited,
 * missing, out of place, or re-chained without the key; the newest records deleted (the
 * checkpoint saw more); a checkpoint that is not the key's or not the chain's; a head given
 * from elsewhere that the chain no longer contains.
 *
 * What a crash can leave is tolerated and nothing more: the checkpoint is written after each
 * committed change, so it can lag the log by the last change, one record (every write
 * transaction appends exactly one), and never lead it.
 */
export function verifyAuditChain(records: AuditRecord[], options: VerifyOptions): AuditVerification {
  const last = records.at(-1)
  const checkpoint = options.checkpoint ?? {records: 0, hash: GENESIS_HASH, tag: ''}
  const anchor = records.find((r) => r.operation === ANCHOR_OPERATION)
  const result: AuditVerification = {
    ok: true,
    records: records.length,
    brokenAt: null,
    reason: null,
    head: {records: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH},
    anchoredAt: anchor?.seq ?? null,
    checkpoint: {records: checkpoint.records, lag: records.length - checkpoint.records},
    givenHead: null,
  }
  const broken = (at: number, reason: string): AuditVerification => ({...result, ok: false, brokenAt: at, reason})

  let prevHash = GENESIS_HASH
  let expectedSeq = 1
  for (const record of records) {
    if (record.seq !== expectedSeq) {
      return broken(expectedSeq, record.seq > expectedSeq ? `record${record.seq - expectedSeq > 1 ? `s ${expectedSeq} to ${record.seq - 1} are` : ` ${expectedSeq} is`} missing` : `record ${record.seq} is out of place`)
    }

    if (record.prevHash !== prevHash) {
      return broken(record.seq, `record ${record.seq} does not follow record ${record.seq - 1}`)
    }

    // Records before the anchor of an older log are linked unkeyed; every other record is keyed.
    const expected = anchor && record.seq < anchor.seq ? hashAuditRecord(record) : macAuditRecord(options.key, record)
    if (!sameHex(expected, record.hash)) {
      return broken(record.seq, `record ${record.seq} was modified after it was written, or written without the audit key`)
    }

    prevHash = record.hash
    expectedSeq++
  }

  if (options.checkpoint) {
    if (!sameHex(sealAuditHead(options.key, checkpoint).tag, checkpoint.tag)) {
      return broken(Math.min(checkpoint.records, records.length) + 1, 'the head checkpoint beside the database was not written with the audit key')
    }

    if (checkpoint.records > records.length) {
      const first = records.length + 1
      return broken(first, `the newest record${checkpoint.records > first ? `s ${first} to ${checkpoint.records} were` : ` ${first} was`} deleted (the head checkpoint saw ${checkpoint.records})`)
    }

    if (checkpoint.records > 0 && records[checkpoint.records - 1].hash !== checkpoint.hash) {
      return broken(checkpoint.records, `record ${checkpoint.records} is not the one the head checkpoint saw: the log was rewritten`)
    }
  }

  if (records.length - checkpoint.records > 1) {
    return broken(
      checkpoint.records + 1,
      `records ${checkpoint.records + 1} to ${records.length} are not covered by the head checkpoint (a crash leaves at most the last change uncovered)`,
    )
  }

  if (options.givenHead !== undefined) {
    const found = records.find((r) => r.hash === options.givenHead)
    if (!found) return broken(records.length + 1, `the log no longer contains the head ${options.givenHead}: records were rewritten or deleted since it was taken`)
    result.givenHead = {hash: found.hash, record: found.seq}
  }

  return result
}
