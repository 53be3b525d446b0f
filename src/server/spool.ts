/**
 * The sensor event spool of `atpctl serve`: a durable inbox between "accepted" and "processed".
 * A sensor's file event or heartbeat is committed to its own small SQLite file (WAL, no audit,
 * one INSERT) and acknowledged with 202; a drainer feeds the spool to the backend (detection,
 * device reports) in the background, in arrival order. Acknowledged means on disk: SIGTERM
 * drains the spool before the process exits, and a crash leaves it to be drained at the next
 * start. This keeps a fleet's ingestion rate independent of the per-event rule evaluation, the
 * way real EDR ingestion is queued.
 */
import {randomUUID} from 'node:crypto'
import type BetterSqlite3 from 'better-sqlite3'
import type {SensorEvent, SensorEventKind} from '../core/integration/sensor.js'
import type {IngestResult} from '../backends/local/sensor-ingest.js'
import {loadSqlite, openOwnerOnly} from '../backends/local/database.js'

export type SpoolKind = SensorEventKind

/** An acknowledged event as the spool keeps it. */
export type SpooledEvent = SensorEvent

export interface Spool {
  /**
   * This spool file's identity (random, made with the file): event ids count up within one
   * file, so the backend records its progress per spool id.
   */
  id: string
  enqueue(kind: SpoolKind, provider: string, tokenId: string, body: Record<string, unknown>): number
  /**
   * Group commit: events enqueued in the same turn of the event loop are committed in one
   * transaction; each promise resolves with its event id once that transaction is on disk.
   */
  enqueueCommitted(kind: SpoolKind, provider: string, tokenId: string, body: Record<string, unknown>): Promise<number>
  /** Oldest first, after the given id. */
  peek(limit: number, afterId?: number): SpooledEvent[]
  remove(ids: number[]): void
  size(): number
  close(): void
}

export async function openSpool(path: string): Promise<Spool> {
  const Sqlite = await loadSqlite()
  // Never open the file outside SQLite: that would drop this process's locks on it (issue 15).
  const db: BetterSqlite3.Database = openOwnerOnly(Sqlite, path, {timeout: 15_000})
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec(`CREATE TABLE IF NOT EXISTS event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('file','heartbeat')),
    provider TEXT NOT NULL,
    token_id TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL
  )`)
  db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)')
  db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('id', ?)").run(randomUUID())
  const id = db.prepare("SELECT value FROM meta WHERE key = 'id'").pluck().get() as string
  const insert = db.prepare('INSERT INTO event (kind, provider, token_id, body, received_at) VALUES (?, ?, ?, ?, ?)')
  const select = db.prepare('SELECT * FROM event WHERE id > ? ORDER BY id LIMIT ?')
  const count = db.prepare('SELECT COUNT(*) FROM event').pluck()
  const del = db.prepare('DELETE FROM event WHERE id = ?')
  const removeMany = db.transaction((ids: number[]) => {
    for (const id of ids) del.run(id)
  })
  type Waiting = {kind: SpoolKind; provider: string; tokenId: string; body: Record<string, unknown>; resolve(id: number): void; reject(error: unknown): void}
  let waiting: Waiting[] = []
  const insertMany = db.transaction((items: Waiting[]) => {
    const now = new Date().toISOString()
    return items.map((i) => Number(insert.run(i.kind, i.provider, i.tokenId, JSON.stringify(i.body), now).lastInsertRowid))
  })
  const commitWaiting = () => {
    const items = waiting
    waiting = []
    try {
      const ids = insertMany(items)
      for (const [k, item] of items.entries()) item.resolve(ids[k])
    } catch (error) {
      for (const item of items) item.reject(error)
    }
  }

  return {
    id,
    enqueueCommitted(kind, provider, tokenId, body) {
      return new Promise((resolve, reject) => {
        waiting.push({kind, provider, tokenId, body, resolve, reject})
        if (waiting.length === 1) setImmediate(commitWaiting)
      })
    },
    enqueue(kind, provider, tokenId, body) {
      return Number(insert.run(kind, provider, tokenId, JSON.stringify(body), new Date().toISOString()).lastInsertRowid)
    },
    peek(limit, afterId = 0) {
      return (select.all(afterId, limit) as {id: number; kind: SpoolKind; provider: string; token_id: string; body: string; received_at: string}[]).map((r) => ({
        id: r.id,
        kind: r.kind,
        provider: r.provider,
        tokenId: r.token_id,
        body: JSON.parse(r.body) as Record<string, unknown>,
        receivedAt: r.received_at,
      }))
    },
    remove(ids) {
      removeMany(ids)
    },
    size() {
      return count.get() as number
    },
    close() {
      db.close()
    },
  }
}

export interface DrainerOptions {
  spool: Spool
  /**
   * Processes a batch, oldest first, in one backend transaction that also records the batch as
   * processed (so a replay after a crash skips it). Refusals are final and audited by the
   * backend; a thrown error means nothing of the batch was recorded.
   */
  ingest(events: SpooledEvent[]): Promise<IngestResult>
  /** Unexpected failures, for the server's error log. */
  onError(message: string): void
  /** Events per transaction. */
  batch?: number
  /**
   * Who deletes processed events (default: this spool). A worker thread hands them to the
   * request thread, so that only one connection ever writes the spool.
   */
  onProcessed?: (ids: number[]) => void
  /** After a failed batch, wait this long before trying it again (ms). */
  retryMs?: number
}

/** What the server needs from a drainer, in this thread or a worker. */
export interface SpoolDrainer {
  kick(): void
  /**
   * Drains everything, including what arrives meanwhile, until the spool is empty or the
   * deadline (epoch ms) passes; then stops for good. What is left stays in the spool for the
   * next start. For shutdown.
   */
  flush(deadline?: number): Promise<void>
}

/** Events per processing transaction: large enough to amortise the commit, small enough to keep the worker responsive. */
export const DRAIN_BATCH = 256

/**
 * Feeds the spool to the backend in arrival order, a batch (one transaction) at a time,
 * yielding to the event loop between batches so that other work stays responsive.
 */
export function startDrainer(options: DrainerOptions): SpoolDrainer {
  const batch = options.batch ?? DRAIN_BATCH
  const retryMs = options.retryMs ?? 1000
  const onProcessed = options.onProcessed ?? ((ids: number[]) => options.spool.remove(ids))
  let running: Promise<void> | undefined
  let again = false
  let deadline = Number.POSITIVE_INFINITY
  let stopped = false
  let retry: NodeJS.Timeout | undefined
  let waitingForLock = false
  // Processed but perhaps not yet deleted: never fetch those again in this process.
  let lastId = 0

  /** One batch: its size, or -1 when it failed and waits for a retry. */
  async function drainOnce(): Promise<number> {
    const events = options.spool.peek(batch, lastId)
    if (events.length === 0) return 0
    let result: IngestResult
    try {
      result = await options.ingest(events)
    } catch (error) {
      const busy = (error as {code?: string}).code === 'SQLITE_BUSY'
      // Another process holding the database is an everyday condition: one line, once per stretch.
      if (!busy || !waitingForLock) {
        options.onError(
          busy
            ? `sensor events wait in the spool: the tenant database is locked by another process; retrying every ${retryMs / 1000} s`
            : `sensor events ${events[0].id}-${events.at(-1)!.id} not processed yet, kept in the spool for a retry: ${(error as Error).stack ?? String(error)}`,
        )
      }

      waitingForLock = busy
      if (!stopped) retry ??= setTimeout(() => {
        retry = undefined
        kick()
      }, retryMs).unref()
      return -1
    }

    waitingForLock = false
    for (const f of result.failures) options.onError(`sensor event ${f.id} (${f.kind}) dropped: ${f.message}`)
    lastId = events.at(-1)!.id
    onProcessed(events.map((e) => e.id))
    return events.length
  }

  function kick(): void {
    // After a failed batch the retry timer drains next: new events do not each try (and wait
    // for) a database that is locked.
    if (stopped || retry) return
    if (running) {
      again = true
      return
    }

    running = (async () => {
      do {
        again = false
        while (Date.now() < deadline && (await drainOnce()) > 0) await new Promise((r) => setImmediate(r))
      } while (again && Date.now() < deadline)
    })().finally(() => {
      running = undefined
    })
  }

  return {
    /** Something was enqueued: drain soon. */
    kick,
    async flush(until = Number.POSITIVE_INFINITY): Promise<void> {
      deadline = until
      if (retry) clearTimeout(retry)
      retry = undefined
      kick()
      while (running) await running
      stopped = true
      if (retry) clearTimeout(retry)
    },
  }
}
