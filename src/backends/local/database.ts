import {chmodSync, closeSync, mkdirSync, openSync} from 'node:fs'
import {dirname} from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'
import {busyTimeoutMs, databaseBusyError, isBusyCode} from '../../core/database/busy.js'
import {AtpError, UnreachableError} from '../../core/errors.js'
import {MIGRATIONS} from './migrations/index.js'
import {cacheStatements} from './statement-cache.js'

export type Database = BetterSqlite3.Database

/** Database bytes mapped into memory for reading (SQLite's mmap_size); larger files read the rest normally. */
const MMAP_BYTES = 256 * 1024 * 1024

/** Each connection's busy timeout, for the retries that SQLite's own busy handler does not cover. */
const busyTimeouts = new WeakMap<Database, number>()

export interface OpenOptions {
  /** How long to wait for another writer (default: ATPCTL_BUSY_TIMEOUT, else 60 s). */
  busyTimeoutMs?: number
}

/**
 * Opens (creating if needed) the profile database: owner-only file, WAL, busy timeout, foreign
 * keys, and every pending migration applied under an immediate transaction so that several
 * processes opening a fresh database at once migrate it exactly once.
 *
 * Parallel writers queue instead of failing (issue 15 item 9): the busy timeout is set on the
 * connection before anything else runs (migrations and the WAL switch included), every write
 * transaction is BEGIN IMMEDIATE (a deferred one that upgrades from read to write gets
 * SQLITE_BUSY_SNAPSHOT at once, without waiting), and the few busy answers SQLite does not wait
 * on are retried until the same deadline. Waiting it out is exit 6, never an unexpected error.
 */
export async function openDatabase(path: string, options: OpenOptions = {}): Promise<Database> {
  const timeout = options.busyTimeoutMs ?? busyTimeoutMs(process.env.ATPCTL_BUSY_TIMEOUT)
  const {default: Sqlite} = await import('better-sqlite3')
  mkdirSync(dirname(path), {recursive: true, mode: 0o700})
  // Create the file ourselves so it is owner-only from its first byte; SQLite gives the -wal
  // and -shm files the same mode.
  closeSync(openSync(path, 'a', 0o600))
  chmodSync(path, 0o600)
  let db: Database
  try {
    db = new Sqlite(path, {timeout})
  } catch (error) {
    throw new UnreachableError(`Cannot open the tenant database ${path}: ${(error as Error).message}`)
  }

  busyTimeouts.set(db, timeout)
  try {
    db.pragma(`busy_timeout = ${timeout}`)
    retryBusy(db, () => db.pragma('journal_mode = WAL'))
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    // Read pages through a memory map instead of a read() and a copy per page: a first (cold)
    // query over a 100,000-device inventory takes about a third of the time (measured 40 ms
    // against 110). A map is an address range, not an allocation; writes still go through the WAL.
    db.pragma(`mmap_size = ${MMAP_BYTES}`)
    migrate(db)
  } catch (error) {
    db.close()
    throw translateBusy(error, timeout)
  }

  cacheStatements(db)
  return db
}

/** A busy answer from SQLite as the exit-6 error; anything else unchanged. */
export function translateBusy(error: unknown, waitedMs: number): unknown {
  return isBusyCode((error as {code?: unknown})?.code) ? databaseBusyError(waitedMs) : error
}

/** The connection's busy timeout (what a busy error says was waited). */
export function busyTimeoutOf(db: Database): number {
  return busyTimeouts.get(db) ?? busyTimeoutMs(undefined)
}

/**
 * Runs `fn`, retrying busy answers until the connection's busy timeout has passed since the
 * first try. SQLite's busy handler already waits inside BEGIN IMMEDIATE and autocommit writes;
 * this covers the answers it does not wait on (a journal-mode switch, SQLITE_BUSY_SNAPSHOT,
 * recovery), and turns the final one into the exit-6 error.
 */
function retryBusy<T>(db: Database, fn: () => T): T {
  const timeout = busyTimeoutOf(db)
  const start = Date.now()
  for (;;) {
    try {
      return fn()
    } catch (error) {
      if (!isBusyCode((error as {code?: unknown}).code)) throw error
      if (Date.now() - start >= timeout) throw databaseBusyError(timeout)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20)
    }
  }
}

export function schemaVersion(db: Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL)')
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as {v: number | null}
  return row.v ?? 0
}

function migrate(db: Database): void {
  const latest = MIGRATIONS[MIGRATIONS.length - 1].version
  // Fast path without a write lock: most invocations find the schema current.
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'").get()
  if (hasTable && schemaVersion(db) >= latest) return
  writeTransaction(db, () => {
    const current = schemaVersion(db)
    if (current > latest) {
      throw new AtpError('SCHEMA_TOO_NEW', 1, `The tenant database is at schema ${current}, newer than this atpctl (${latest}).`, {
        suggestions: ['Upgrade atpctl.'],
      })
    }

    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue
      db.exec(migration.sql)
      db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, new Date().toISOString())
    }
  })
}

/**
 * Runs `fn` in an immediate (write-locking) transaction, so concurrent writers queue on the
 * busy timeout instead of deadlocking; still busy after it, exit 6 (DATABASE_BUSY).
 */
export function writeTransaction<T>(db: Database, fn: () => T): T {
  return retryBusy(db, () => db.transaction(fn).immediate())
}
