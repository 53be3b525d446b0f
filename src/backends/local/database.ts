import {chmodSync, mkdirSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname} from 'node:path'
import {isMainThread} from 'node:worker_threads'
import type BetterSqlite3 from 'better-sqlite3'
import {busyTimeoutMs, databaseBusyError, isBusyCode} from '../../core/database/busy.js'
import {AtpError, InstallError, UnreachableError} from '../../core/errors.js'
import {LATEST_SCHEMA_VERSION} from './migrations/latest.js'
import {cacheStatements} from './statement-cache.js'
import {nameKey} from '../../core/names.js'

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
  const Sqlite = await loadSqlite()
  mkdirSync(dirname(path), {recursive: true, mode: 0o700})
  let db: Database
  try {
    db = openOwnerOnly(Sqlite, path, {timeout})
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
    // The key of name uniqueness and lookup (issue 16), for SQL that must fold case beyond ASCII.
    db.function('atpctl_name_key', {deterministic: true}, (name: unknown) => (typeof name === 'string' ? nameKey(name) : name))
    await migrate(db)
  } catch (error) {
    db.close()
    throw translateBusy(error, timeout)
  }

  cacheStatements(db)
  return db
}

/**
 * Opens a SQLite database file that only its owner may read. SQLite creates the file itself:
 * opening and closing it with fs first would drop every POSIX lock this process holds on it
 * (closing any descriptor of a file releases them all), so another connection opened in this
 * process (the spool's, the worker thread's) would lose its lock and a reader elsewhere (the
 * sqlite3 tool, a backup) could then checkpoint and delete the live WAL (issue 15). The umask
 * makes a new file owner-only from its creation on the main thread (worker threads cannot set
 * one); the chmod covers a file that existed before and the worker thread, before anything is
 * written. The -wal and -shm files take the database file's mode.
 */
export function openOwnerOnly(Sqlite: typeof BetterSqlite3, path: string, options: BetterSqlite3.Options): Database {
  const previous = isMainThread ? process.umask(0o077) : undefined
  let db: Database
  try {
    db = new Sqlite(path, options)
  } finally {
    if (previous !== undefined) process.umask(previous)
  }

  try {
    chmodSync(path, 0o600)
  } catch (error) {
    db.close()
    throw error
  }

  return db
}

let loaded: Promise<typeof BetterSqlite3> | undefined

/**
 * better-sqlite3 with its native module loaded, before any file is created: on an incomplete
 * installation every store (the tenant database, the server's sensor spool) fails the same way,
 * with nothing written. The module loads on the first open; opening and closing an in-memory
 * database for that costs about 0.2 ms (measured on a loaded 2-core machine).
 */
export function loadSqlite(): Promise<typeof BetterSqlite3> {
  loaded ??= (async () => {
    const {default: Sqlite} = await import('better-sqlite3')
    try {
      new Sqlite(':memory:').close()
    } catch (error) {
      throw installProblem(error) ?? error
    }

    return Sqlite
  })()
  return loaded
}

/**
 * better-sqlite3 loads its compiled module (build/Release/better_sqlite3.node) when the first
 * database is opened. An install that skipped or failed the build step (`--ignore-scripts`, no
 * prebuilt binary to download and no C++ toolchain) has no module: `bindings` throws "Could not
 * locate the bindings file. Tried: …" with a dozen paths. A module built for another Node.js
 * (node switched after the install) fails with ERR_DLOPEN_FAILED and NODE_MODULE_VERSION. Both are
 * an incomplete installation, fixed by rebuilding the module, not a backend to retry.
 */
export function installProblem(error: unknown): InstallError | null {
  return nativeModuleProblem(error, {
    installDir: betterSqliteInstallDir(),
    node: process.version,
    abi: process.versions.modules,
  })
}

/** The pure decision of `installProblem`: which load failures mean "rebuild better-sqlite3", and what to say. */
export function nativeModuleProblem(error: unknown, runtime: {installDir: string | null; node: string; abi: string}): InstallError | null {
  const {message = '', code} = (error ?? {}) as {message?: string; code?: string}
  const missing = message.startsWith('Could not locate the bindings file')
  const dlopen = code === 'ERR_DLOPEN_FAILED' && message.includes('better_sqlite3.node')
  if (!missing && !dlopen) return null

  const abi = /NODE_MODULE_VERSION (\d+)\. This version of Node\.js requires\s+NODE_MODULE_VERSION (\d+)/.exec(message)
  const what = missing
    ? 'its native SQLite module (better-sqlite3) was never built: the install skipped or failed its build step'
    : abi
      ? `its native SQLite module (better-sqlite3) was built for another Node.js (module version ${abi[1]}; this Node.js ${runtime.node} needs ${abi[2]})`
      : `its native SQLite module (better-sqlite3) cannot be loaded: ${message.split('\n')[0].slice(0, 200)}`
  const where = runtime.installDir === null ? 'in the directory atpctl is installed in' : `in ${runtime.installDir}`
  return new InstallError(`atpctl is not completely installed: ${what}.`, {
    details: {module: 'better-sqlite3', node: runtime.node, abi: runtime.abi},
    suggestions: [
      `Build it: npm rebuild better-sqlite3 (run ${where}); this compiles C++ and needs python3, make and a C++ compiler (Debian/Ubuntu: apt-get install python3 make g++).`,
      'Or install atpctl again with this Node.js, without --ignore-scripts.',
    ],
  })
}

/** The directory whose node_modules holds better-sqlite3 (where `npm rebuild` must run), if found. */
function betterSqliteInstallDir(): string | null {
  try {
    const manifest = createRequire(import.meta.url).resolve('better-sqlite3/package.json')
    return dirname(dirname(dirname(manifest)))
  } catch {
    return null
  }
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
export function retryBusy<T>(db: Database, fn: () => T): T {
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

/** The database was made by a newer atpctl: like an incomplete install, only upgrading atpctl helps (exit 15). */
export function schemaTooNew(current: number, latest: number): AtpError {
  return new AtpError('SCHEMA_TOO_NEW', 15, `The tenant database is at schema ${current}, newer than this atpctl understands (${latest}): a newer atpctl wrote it.`, {
    suggestions: ['Upgrade atpctl (npm install -g atpctl@latest), then run the command again; nothing was changed.'],
  })
}

async function migrate(db: Database): Promise<void> {
  const latest = LATEST_SCHEMA_VERSION
  // Fast path without a write lock: most invocations find the schema current.
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'").get()
  if (hasTable) {
    const version = schemaVersion(db)
    if (version === latest) return
    // A newer atpctl wrote it: reading or changing it with this one could lose what it stores.
    if (version > latest) throw schemaTooNew(version, latest)
  }

  const {MIGRATIONS} = await import('./migrations/index.js')
  writeTransaction(db, () => {
    const current = schemaVersion(db)
    if (current > latest) throw schemaTooNew(current, latest)

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
