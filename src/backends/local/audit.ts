import {randomBytes} from 'node:crypto'
import {linkSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {
  ANCHOR_OPERATION,
  type AuditCheckpoint,
  type AuditHead,
  type AuditRecord,
  GENESIS_HASH,
  hashAuditRecord,
  macAuditRecord,
  sealAuditHead,
  verifyAuditChain,
} from '../../core/audit/chain.js'
import {isBusyCode} from '../../core/database/busy.js'
import {AtpError, InvalidInputError} from '../../core/errors.js'
import type {AuditApi} from '../../core/port/types.js'
import {busyTimeoutOf, type Database, writeTransaction} from './database.js'
import {afterCondition, keysetPage, positionParams} from './keyset.js'

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

/**
 * The audit key and head checkpoint live beside the database (`profiles/<name>/audit.key` and
 * `audit.head`), outside the table they anchor (issue 15 item 10): deleting the newest records
 * or re-chaining an edit in the table no longer verifies.
 */
export const auditKeyPath = (db: Database): string => join(dirname(db.name), 'audit.key')
export const auditHeadPath = (db: Database): string => join(dirname(db.name), 'audit.head')

/** The table is gone or unreadable: the log cannot be trusted (exit 7), not an unexpected error. */
function auditUnreadable(error: unknown): unknown {
  const e = error as {code?: string; message?: string}
  if (typeof e?.code !== 'string' || !e.code.startsWith('SQLITE_')) return error
  if (!/no such table|no such column|malformed|not a database/i.test(e.message ?? '') && !/^SQLITE_(CORRUPT|NOTADB|MISMATCH)/.test(e.code)) return error
  return new InvalidInputError(`The audit log of this profile cannot be read (${e.message}); its table was dropped or damaged.`, {
    code: 'AUDIT_UNREADABLE',
    suggestions: ['Treat the tenant database as tampered with: restore it from a backup and investigate who had write access.'],
  })
}

function readAudit<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    throw auditUnreadable(error)
  }
}

function keyError(path: string, problem: string): AtpError {
  return new InvalidInputError(`The audit key ${path} ${problem}; the audit log cannot be checked or extended without it.`, {
    code: 'AUDIT_KEY_MISSING',
    suggestions: [`Restore ${path} from a backup of this profile (it is created once, with the profile's database).`],
  })
}

const keys = new WeakMap<Database, Buffer>()

function readKey(path: string): Buffer | null {
  let text: string
  try {
    text = readFileSync(path, 'utf8').trim()
  } catch (error) {
    if ((error as {code?: string}).code === 'ENOENT') return null
    throw error
  }

  if (!/^[0-9a-f]{64}$/.test(text)) throw keyError(path, 'is damaged')
  return Buffer.from(text, 'hex')
}

/**
 * Creates the key file whole, or reads the one another process created first. Several processes
 * starting on a fresh profile race here, and a reader of the key (outside the write lock) must
 * never see the file before its content: written under a temporary name, then linked to the
 * key's name, which fails when it exists (an exclusive create of the finished file). Writing the
 * key's own file with an exclusive create let a reader between the create and the write find it
 * empty, "damaged" (exit 7), which CI saw once among 8 parallel `init`s.
 */
function createKey(path: string): Buffer {
  const key = randomBytes(32)
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  writeFileSync(temporary, key.toString('hex') + '\n', {mode: 0o600, flag: 'wx'})
  try {
    linkSync(temporary, path)
    return key
  } catch (error) {
    if ((error as {code?: string}).code !== 'EEXIST') throw error
    return readKey(path) as Buffer
  } finally {
    rmSync(temporary, {force: true})
  }
}

function lastRow(db: Database): AuditRow | undefined {
  return readAudit(() => db.prepare('SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1').get() as AuditRow | undefined)
}

/** The head checkpoint as written, null when there is none; a file that is not one is a broken chain. */
export function readCheckpoint(db: Database): AuditCheckpoint | null {
  let text: string
  try {
    text = readFileSync(auditHeadPath(db), 'utf8')
  } catch (error) {
    if ((error as {code?: string}).code === 'ENOENT') return null
    throw error
  }

  try {
    const parsed = JSON.parse(text) as Partial<AuditCheckpoint>
    if (Number.isInteger(parsed.records) && typeof parsed.hash === 'string' && typeof parsed.tag === 'string') {
      return {records: parsed.records as number, hash: parsed.hash, tag: parsed.tag}
    }
  } catch {
    // reported below
  }

  throw new InvalidInputError(`The audit head checkpoint ${auditHeadPath(db)} is not one atpctl wrote.`, {
    code: 'AUDIT_CHAIN_BROKEN',
    suggestions: ['Treat the profile as tampered with: restore it from a backup and investigate who had write access.'],
  })
}

/** Writes the checkpoint whole or not at all (a crash leaves the old one): a temporary file, then a rename. */
function writeCheckpoint(db: Database, key: Buffer, head: AuditHead): void {
  const path = auditHeadPath(db)
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, JSON.stringify(sealAuditHead(key, head)) + '\n', {mode: 0o600})
  renameSync(temporary, path)
}

/**
 * Brings the checkpoint up to the log's newest committed record. Runs under the write lock, so
 * checkpoints are written in commit order and never lead the log. It only moves forward, and
 * only along the chain it saw: a log shorter than its checkpoint, or one whose record there is
 * different, keeps the checkpoint as the evidence `audit verify` reports.
 */
export function advanceCheckpoint(db: Database, key: Buffer): void {
  const last = lastRow(db)
  if (!last) return
  let checkpoint: AuditCheckpoint | null
  try {
    checkpoint = readCheckpoint(db)
  } catch {
    return
  }

  if (checkpoint) {
    if (checkpoint.records >= last.seq) return
    if (checkpoint.records > 0) {
      const seen = db.prepare('SELECT hash FROM audit_log WHERE seq = ?').pluck().get(checkpoint.records) as string | undefined
      if (seen !== checkpoint.hash || sealAuditHead(key, checkpoint).tag !== checkpoint.tag) return
    }
  }

  writeCheckpoint(db, key, {records: last.seq, hash: last.hash})
}

/**
 * The profile's audit key, created (0600, never printed) with the first record of a new log.
 * A log written before the chain was keyed is anchored here, once, in its own transaction: its
 * records keep their unkeyed links, an `audit.anchor` record chains them under the key, and
 * the checkpoint covers it. A keyed log whose key is gone cannot be checked or extended (exit 7).
 * Runs outside any other write transaction, so each transaction still appends one record.
 */
export function auditKey(db: Database, now: () => Date): Buffer {
  const cached = keys.get(db)
  if (cached) return cached
  const path = auditKeyPath(db)
  const needsAnchor = (): boolean => {
    const first = readAudit(() => db.prepare('SELECT * FROM audit_log WHERE seq = 1').get() as AuditRow | undefined)
    const unkeyed = first !== undefined && hashAuditRecord(toRecord(first)) === first.hash
    return unkeyed && db.prepare('SELECT 1 FROM audit_log WHERE operation = ?').get(ANCHOR_OPERATION) === undefined
  }

  // Usually the key is there and the chain keyed: no write lock needed to know it.
  const present = readKey(path)
  if (present && !needsAnchor()) {
    keys.set(db, present)
    return present
  }

  const key = writeTransaction(db, () => {
    const first = readAudit(() => db.prepare('SELECT * FROM audit_log WHERE seq = 1').get() as AuditRow | undefined)
    const unkeyed = first !== undefined && hashAuditRecord(toRecord(first)) === first.hash
    const anchor = needsAnchor()
    let existing = readKey(path)
    if (!existing && first !== undefined && !unkeyed) throw keyError(path, 'is missing')
    if (!existing) existing = createKey(path)

    if (anchor) {
      const last = lastRow(db) as AuditRow
      // The checkpoint first covers the older log as it stands (committed), then the anchor.
      writeCheckpoint(db, existing, {records: last.seq, hash: last.hash})
      appendAudit(db, existing, {
        time: now().toISOString(),
        actor: 'atpctl',
        operation: ANCHOR_OPERATION,
        target: `records 1-${last.seq}: written before the keyed chain, anchored under the audit key`,
        outcome: 'ok',
      })
    } else {
      advanceCheckpoint(db, existing)
    }

    return existing
  })
  keys.set(db, key)
  settleCheckpoint(db, key)
  return key
}

/**
 * After a commit: the checkpoint catches up under the write lock, if the lock is free right
 * now. If it is not, another writer holds it, and that writer's transaction first brings the
 * checkpoint up to this commit; so a committed change never waits a second time in the queue,
 * and the checkpoint is at most the last change behind.
 */
export function settleCheckpoint(db: Database, key: Buffer): void {
  db.pragma('busy_timeout = 0')
  try {
    db.transaction(() => advanceCheckpoint(db, key)).immediate()
  } catch (error) {
    if (!isBusyCode((error as {code?: unknown}).code)) throw error
  } finally {
    db.pragma(`busy_timeout = ${busyTimeoutOf(db)}`)
  }
}

/** Appends one keyed record; must run inside the caller's write transaction so the chain stays linear. */
export function appendAudit(db: Database, key: Buffer, entry: {time: string; actor: string; operation: string; target: string; outcome: string}): void {
  const last = lastRow(db)
  const record = {seq: (last?.seq ?? 0) + 1, ...entry, prevHash: last?.hash ?? GENESIS_HASH}
  const hash = macAuditRecord(key, record)
  readAudit(() =>
    db
      .prepare('INSERT INTO audit_log (seq, time, actor, operation, target, outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(record.seq, record.time, record.actor, record.operation, record.target, record.outcome, record.prevHash, hash),
  )
}

/** `hold` runs a function holding the store's connection (LocalStore.hold), after any operation holding it now. */
export function localAuditApi(db: Database, now: () => Date, hold: <T>(fn: () => T) => Promise<T>): AuditApi {
  return {
    async list(filter = {}) {
      const descending = filter.newestFirst === true
      return keysetPage({
        list: descending ? 'audit-newest' : 'audit',
        shape: ['number'],
        request: filter,
        rows: (after, limit) =>
          readAudit(
            () =>
              db
                .prepare(
                  `SELECT * FROM audit_log WHERE ${afterCondition(['seq'], after, descending)} ${filter.operation ? 'AND operation = @operation' : ''}
                   ORDER BY seq ${descending ? 'DESC' : ''} LIMIT @limit`,
                )
                .all({...positionParams(after), operation: filter.operation, limit}) as AuditRow[],
          ),
        positionOf: (r) => [r.seq],
        toItem: toRecord,
      })
    },
    async head() {
      const last = lastRow(db)
      return {records: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH}
    },
    async verify(options = {}) {
      return hold(() => {
        const key = auditKey(db, now)
        // Under the write lock, so that no change commits between reading the records and the checkpoint.
        return writeTransaction(db, () => {
          const rows = readAudit(() => db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as AuditRow[])
          return verifyAuditChain(rows.map(toRecord), {key, checkpoint: readCheckpoint(db), givenHead: options.head})
        })
      })
    },
  }
}
