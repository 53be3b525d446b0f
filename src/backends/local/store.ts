import {isAtpError} from '../../core/errors.js'
import type {BackendContext} from '../../core/port/types.js'
import {advanceCheckpoint, appendAudit, auditKey, settleCheckpoint} from './audit.js'
import {busyTimeoutOf, type Database, retryBusy, translateBusy, writeTransaction} from './database.js'
import {SQLITE_DIALECT, type SqlDialect} from './sqlite-dialect.js'

/**
 * The statements of a resource module, run through the store instead of the driver: the SQL is
 * the module's (portable SQL, or a named helper of sqlite-dialect.ts), the connection, statement
 * cache and driver are the store's. Parameters are passed on as given: positional values, one
 * array, or one object of named values (`@name`).
 *
 * Reads answer with a promise (issue 11 item 7), so a store whose driver answers later
 * (PostgreSQL) implements the same interface; the SQLite store resolves them from a synchronous
 * statement at once. They answer whole result sets (arrays), never a promise per row: a caller
 * that would read very many rows reads them a page at a time (keyset pages of at most 10,000).
 * Writes (`run`, `exec`) still answer synchronously, as SQLite does.
 */
export interface StoreSql {
  /** What this store's SQL says differently from portable SQL. */
  readonly dialect: SqlDialect
  /** Every row. */
  all<R = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<R[]>
  /** The first row, undefined when there is none. */
  get<R = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<R | undefined>
  /** The first column of the first row, undefined when there is no row. */
  value<V = unknown>(sql: string, ...params: unknown[]): Promise<V | undefined>
  /** The first column of every row. */
  column<V = unknown>(sql: string, ...params: unknown[]): Promise<V[]>
  /** Every row as an array of its columns, in order (cheaper than objects for very many rows). */
  rows<R extends unknown[] = unknown[]>(sql: string, ...params: unknown[]): Promise<R[]>
  /** A statement that returns no rows. */
  run(sql: string, ...params: unknown[]): {changes: number; lastInsertRowid: number | bigint}
  /** Statements without parameters or results, separated by semicolons (DDL of temporary tables). */
  exec(sql: string): void
}

export interface TransactionOptions {
  /** 'immediate' (default) takes the write lock at BEGIN; 'deferred' for a transaction that writes only temporary tables. */
  lock?: 'immediate' | 'deferred'
  /**
   * Waits at most this long for another connection's write lock at BEGIN, then throws the
   * driver's busy error instead of waiting the whole busy timeout (background work that retries later).
   */
  busyWaitMs?: number
}

/**
 * What every resource module of the local backend shares: the statements, the clock, and
 * `mutate`, the one door for writes. `mutate` runs the change and its audit record in one
 * immediate transaction; a refused change is rolled back and the refusal audited on its own.
 * Every write transaction appends exactly one audit record, keyed with the profile's audit key,
 * and the head checkpoint is brought up to it after the commit (issue 15 item 10).
 *
 * Transactions may await (issue 11 item 7): BEGIN … COMMIT/ROLLBACK are issued on the one
 * connection, and an in-process lock hands the connection to one operation at a time, so two
 * mutates of one process never interleave (other processes queue on SQLite's busy timeout,
 * exit 6 when it runs out). A function that does not await runs at once, start to commit, as
 * before. A mutate inside another operation's transaction (a sensor batch) is a savepoint.
 */
export interface LocalStore extends StoreSql {
  /** The SQLite connection: for the SQLite store modules (database.ts, store.ts, audit.ts) only. */
  db: Database
  context: BackendContext
  now(): Date
  /** A large write is coming (an import): the SQLite store lets its page caches grow for it. */
  expectLargeWrite(): void
  /**
   * `target` names what changed, for the audit log; a function of the result when only the
   * change knows. `fn` may await; everything it does after an await goes through `tx`, the
   * store as this operation's handle (its writes, and the helpers it calls).
   */
  mutate<T>(operation: string, target: string | ((result: T) => string), fn: (tx: LocalStore) => T | Promise<T>): Promise<T>
  /**
   * `mutate` for synchronous code that already holds the connection (a batch inside `hold` or
   * `transaction`, where it is a savepoint) or runs while nothing else does: the result or the
   * refusal comes back at once. Throws an internal error if another operation holds the connection.
   */
  mutateNow<T>(operation: string, target: string | ((result: T) => string), fn: (tx: LocalStore) => T): T
  /** A transaction without an audit record of its own (staging into temporary tables; a batch of mutates, through `tx`). */
  transaction<T>(fn: (tx: LocalStore) => T | Promise<T>, options?: TransactionOptions): Promise<T>
  /**
   * Runs `fn` holding the connection (its transactions and mutates included), after any
   * operation holding it now. `fn` gets the store as this operation's handle: what it does after
   * an await goes through that handle (the store itself then waits, or refuses a write).
   */
  hold<T>(fn: (store: LocalStore) => T | Promise<T>): Promise<T>
  /** Audits a refusal decided before `mutate` ran (an import's file refused while it was staged), then throws it. */
  refuse(operation: string, target: string, error: unknown): never
}

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> => typeof (value as {then?: unknown} | null)?.then === 'function'

/**
 * The connection's owner: at most one operation of this process at a time, the others queued
 * in order. The owner is known by a token, not by async context (an AsyncLocalStorage would put
 * a hook on every promise of the process: measurable on an import's per-record awaits), so
 * code of the owner that runs after an await reaches the store through the handle it was given
 * (`tx`, or the store `hold` passes), whose calls run `within` the token. Synchronous code
 * inside the owner's call (a mutate's change, a batch) is the owner's too: nothing else runs
 * meanwhile.
 */
class ConnectionLock {
  private owner: symbol | null = null
  /** Above 0 while the owner's code runs synchronously inside one of the store's calls. */
  private depth = 0
  private readonly waiting: Array<(token: symbol) => void> = []

  /** Whether the connection may be written through now: free, or called from inside its owner's synchronous code. */
  usable(): boolean {
    return this.owner === null || this.depth > 0
  }

  /** Runs `fn` holding the connection: at once if it is free, nested if its owner calls, else after the operations queued before it. */
  hold<T>(fn: (token: symbol) => T | Promise<T>): Promise<T> {
    if (this.depth > 0) {
      try {
        return Promise.resolve(fn(this.owner!))
      } catch (error) {
        return Promise.reject(error)
      }
    }

    if (this.owner === null) return this.enter(Symbol('store'), fn)
    return new Promise<symbol>((resolve) => this.waiting.push(resolve)).then((token) => this.enter(token, fn))
  }

  holdNow<T>(fn: (token: symbol) => T): T {
    if (this.depth > 0) return fn(this.owner!)
    if (this.owner !== null) {
      // A bug, not a state of the database: every async entry point waits its turn through `hold`.
      throw new Error('The embedded store was used synchronously while another operation holds its connection.')
    }

    const token = Symbol('store')
    this.owner = token
    try {
      return this.within(token, fn)
    } finally {
      this.release()
    }
  }

  /** Runs synchronous code of the owner `token`: the store calls it makes are the owner's. */
  within<T>(token: symbol, fn: (token: symbol) => T): T {
    if (this.owner !== token) throw new Error('The embedded store was used through a handle of an operation that has ended.')
    this.depth++
    try {
      return fn(token)
    } finally {
      this.depth--
    }
  }

  private enter<T>(token: symbol, fn: (token: symbol) => T | Promise<T>): Promise<T> {
    this.owner = token
    let result: T | Promise<T>
    try {
      result = this.within(token, fn)
    } catch (error) {
      this.release()
      return Promise.reject(error)
    }

    if (!isPromise(result)) {
      this.release()
      return Promise.resolve(result)
    }

    return result.finally(() => this.release())
  }

  /** Hands the connection to the next waiter (reserved for it, so nothing slips in between), or frees it. */
  private release(): void {
    const next = this.waiting.shift()
    if (next === undefined) {
      this.owner = null
      return
    }

    const token = Symbol('store')
    this.owner = token
    next(token)
  }
}

export function createLocalStore(db: Database, context: BackendContext): LocalStore {
  const now = context.now ?? (() => new Date())
  const lock = new ConnectionLock()
  let savepoints = 0
  /**
   * The audit records of mutates nested in an open transaction (savepoints of a sensor batch):
   * the head checkpoint is brought up to them once, after that transaction commits, not per
   * savepoint (it must never lead the committed log, and a file rename per event cost more than
   * the event). `caughtUp`: the checkpoint has caught up with the committed log in this transaction.
   */
  let nested: {key: Buffer | null; caughtUp: boolean} = {key: null, caughtUp: false}
  const settleNested = (committed: boolean) => {
    const {key} = nested
    nested = {key: null, caughtUp: false}
    if (committed && key !== null) settleCheckpoint(db, key)
  }

  const usable = () => {
    if (!lock.usable()) throw new Error('The embedded store was written to while another operation holds its connection.')
  }

  /** The statements; with a token, each runs as that owner's (a handle used after an await). */
  const statements = (token: symbol | null): StoreSql => {
    const as = token === null ? <T>(fn: () => T): T => fn() : <T>(fn: () => T): T => lock.within(token, fn)
    // SQLite answers at once: each read is resolved from the synchronous statement (a failure is a rejection, not a throw).
    const read = <T>(fn: () => T): Promise<T> => {
      try {
        return Promise.resolve(as(fn))
      } catch (error) {
        return Promise.reject(error)
      }
    }

    return {
      dialect: SQLITE_DIALECT,
      all: <R>(text: string, ...params: unknown[]) => read(() => db.prepare(text).all(...params) as R[]),
      get: <R>(text: string, ...params: unknown[]) => read(() => db.prepare(text).get(...params) as R | undefined),
      value: <V>(text: string, ...params: unknown[]) => read(() => db.prepare(text).pluck().get(...params) as V | undefined),
      column: <V>(text: string, ...params: unknown[]) => read(() => db.prepare(text).pluck().all(...params) as V[]),
      rows: <R extends unknown[]>(text: string, ...params: unknown[]) => read(() => db.prepare(text).raw(true).all(...params) as R[]),
      run: (text, ...params) =>
        as(() => {
          usable()
          return db.prepare(text).run(...params)
        }),
      exec: (text) =>
        as(() => {
          usable()
          db.exec(text)
        }),
    }
  }

  const rollback = () => {
    try {
      if (db.inTransaction) db.exec('ROLLBACK')
    } catch {
      // The error that made us roll back is the one to report.
    } finally {
      settleNested(false)
    }
  }

  const commit = () => {
    try {
      db.exec('COMMIT')
    } catch (error) {
      rollback()
      throw error
    }

    settleNested(true)
  }

  /** Inside an open transaction: a savepoint, released on success and rolled back to on failure. */
  const inSavepoint = <T>(token: symbol, body: () => T | Promise<T>): T | Promise<T> => {
    const name = `atpctl_${++savepoints}`
    db.exec(`SAVEPOINT ${name}`)
    const undo = () => {
      if (!db.inTransaction) return
      db.exec(`ROLLBACK TO ${name}`)
      db.exec(`RELEASE ${name}`)
    }

    let result: T | Promise<T>
    try {
      result = body()
    } catch (error) {
      undo()
      throw error
    }

    if (!isPromise(result)) {
      db.exec(`RELEASE ${name}`)
      return result
    }

    return result.then(
      (value) => lock.within(token, () => {
        db.exec(`RELEASE ${name}`)
        return value
      }),
      (error: unknown) =>
        lock.within(token, () => {
          undo()
          throw error
        }),
    )
  }

  /**
   * BEGIN (IMMEDIATE: the write lock, waiting on the busy timeout), the body, COMMIT; ROLLBACK
   * when it throws. The busy answers SQLite does not wait on are retried until the busy timeout
   * (retryBusy): the BEGIN, or with `retryWhole` (a mutate's change, which may run again) the
   * whole of a body that does not await. A body that awaits keeps its transaction open across
   * its awaits, and a busy answer after BEGIN is exit 6; so is one thrown by a body that is
   * not retried (an iterable cannot be read twice). Runs as the owner `token`.
   */
  const inTransaction = <T>(token: symbol, body: () => T | Promise<T>, options: TransactionOptions = {}, retryWhole = false): T | Promise<T> => {
    if (db.inTransaction) return inSavepoint(token, body)
    let pending: Promise<T> | undefined
    const begin = () => db.exec(options.lock === 'deferred' ? 'BEGIN' : 'BEGIN IMMEDIATE')
    /** The short busy wait is for the BEGIN: once it holds the write lock, the body and COMMIT wait on nothing. */
    const beginWaitingBriefly = () => {
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyWaitMs!))}`)
      try {
        begin()
      } finally {
        db.pragma(`busy_timeout = ${busyTimeoutOf(db)}`)
      }
    }

    const attempt = (): T => {
      if (options.busyWaitMs !== undefined) beginWaitingBriefly()
      else if (retryWhole) begin()
      else retryBusy(db, begin)
      let result: T | Promise<T>
      try {
        result = body()
      } catch (error) {
        rollback()
        throw error
      }

      if (isPromise(result)) {
        pending = result
        return undefined as T
      }

      commit()
      return result
    }

    let value: T
    if (options.busyWaitMs === undefined) {
      try {
        value = retryWhole ? retryBusy(db, attempt) : attempt()
      } catch (error) {
        throw translateBusy(error, busyTimeoutOf(db))
      }
    } else {
      // The driver's busy error itself, for background work that retries later.
      value = attempt()
    }

    if (!pending) return value
    return pending.then(
      (result) =>
        lock.within(token, () => {
          commit()
          return result
        }),
      (error: unknown) =>
        lock.within(token, () => {
          rollback()
          throw options.busyWaitMs === undefined ? translateBusy(error, busyTimeoutOf(db)) : error
        }),
    )
  }

  /** The checkpoint catches up with a change whose process died before it could: once per transaction (before its own records). */
  const catchUp = (key: Buffer, inner: boolean) => {
    if (inner && nested.caughtUp) return
    advanceCheckpoint(db, key)
    if (inner) nested.caughtUp = true
  }

  const refuse = (operation: string, target: string, error: unknown): never => {
    // A busy database is not audited: that record would wait on the same lock all over again.
    if (isAtpError(error) && error.code !== 'DATABASE_BUSY' && !error.code.startsWith('AUDIT_')) {
      lock.holdNow(() => {
        const key = auditKey(db, now)
        const inner = db.inTransaction
        writeTransaction(db, () => {
          catchUp(key, inner)
          appendAudit(db, key, {time: now().toISOString(), actor: context.actor, operation, target, outcome: `refused:${error.code}`})
        })
        if (inner) nested.key = key
        else settleCheckpoint(db, key)
      })
    }

    throw error
  }

  /** The change and its audit record in one transaction, as the owner `token`; the checkpoint settled after the commit. */
  const transact = <T>(token: symbol, operation: string, target: string | ((result: T) => string), fn: (tx: LocalStore) => T | Promise<T>): T | Promise<T> => {
    const failed = (error: unknown): never => refuse(operation, typeof target === 'string' ? target : '-', error)
    let key: Buffer
    let result: T | Promise<T>
    // Inside another operation's transaction, a savepoint: the checkpoint is settled after that transaction commits.
    const inner = db.inTransaction
    try {
      key = auditKey(db, now)
      result = inTransaction(
        token,
        () => {
          catchUp(key, inner)
          const record = (changed: T): T => {
            appendAudit(db, key, {time: now().toISOString(), actor: context.actor, operation, target: typeof target === 'string' ? target : target(changed), outcome: 'ok'})
            return changed
          }

          const changed = fn(storeOf(token))
          return isPromise(changed) ? changed.then((value) => lock.within(token, () => record(value))) : record(changed)
        },
        {},
        true,
      )
    } catch (error) {
      return failed(error)
    }

    // Committed: now the head checkpoint beside the database (it may lag the log, never lead it).
    const settle = () => {
      if (inner) nested.key = key
      else settleCheckpoint(db, key)
    }

    if (!isPromise(result)) {
      settle()
      return result
    }

    return result.then(
      (value) =>
        lock.within(token, () => {
          settle()
          return value
        }),
      (error: unknown) => lock.within(token, () => failed(error)),
    )
  }

  /** The store as a whole (token null: each call waits its turn) or as the handle of the owner `token`. */
  /** The handle of the operation holding the connection now (one per operation, made on first use). */
  let handle: {token: symbol; store: LocalStore} | null = null
  const storeOf = (token: symbol | null): LocalStore => {
    if (token === null) return makeStore(null)
    if (handle?.token !== token) handle = {token, store: makeStore(token)}
    return handle.store
  }

  const makeStore = (token: symbol | null): LocalStore => {
    const as = token === null ? <T>(fn: () => T): T => fn() : <T>(fn: () => T): T => lock.within(token, fn)
    return {
      ...statements(token),
      db,
      context,
      now,
      refuse: (operation, target, error) => as(() => refuse(operation, target, error)),
      expectLargeWrite() {
        // A large import touches many pages: a bigger page cache keeps them out of the WAL until
        // commit. It is a ceiling, not an allocation; small imports never reach it.
        db.pragma('cache_size = -65536')
        db.pragma('temp.cache_size = -65536')
      },
      mutate: (operation, target, fn) => as(() => lock.hold((owner) => transact(owner, operation, target, fn))),
      mutateNow: (operation, target, fn) =>
        as(() =>
          lock.holdNow((owner) => {
            const result = transact(owner, operation, target, fn)
            if (isPromise(result)) throw new TypeError(`${operation}: mutateNow takes a function that does not await; use mutate.`)
            return result
          }),
        ),
      transaction: (fn, options) => as(() => lock.hold((owner) => inTransaction(owner, () => fn(storeOf(owner)), options))),
      hold: (fn) => as(() => lock.hold((owner) => fn(storeOf(owner)))),
    }
  }

  return makeStore(null)
}
