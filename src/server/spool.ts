/**
 * The sensor event spool of `atpctl serve`: a durable inbox between "accepted" and "processed".
 * A sensor's file event or heartbeat is committed to its own small SQLite file (WAL, no audit,
 * one INSERT) and acknowledged with 202; a drainer feeds the spool to the backend (detection,
 * device reports) in the background, in arrival order. Acknowledged means on disk: SIGTERM
 * drains the spool before the process exits, and a crash leaves it to be drained at the next
 * start. This keeps a fleet's ingestion rate independent of the per-event rule evaluation, the
 * way real EDR ingestion is queued.
 */
import {chmodSync, closeSync, openSync} from 'node:fs'
import type BetterSqlite3 from 'better-sqlite3'
import {loadSqlite} from '../backends/local/database.js'

export type SpoolKind = 'file' | 'heartbeat'

export interface SpooledEvent {
  id: number
  kind: SpoolKind
  provider: string
  tokenId: string
  /** The validated sensor body. */
  body: Record<string, unknown>
  receivedAt: string
}

export interface Spool {
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
  closeSync(openSync(path, 'a', 0o600))
  chmodSync(path, 0o600)
  const db: BetterSqlite3.Database = new Sqlite(path, {timeout: 15_000})
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
  /** Processes one event; a thrown core error is a refusal (dropped, already audited by the backend). */
  process(event: SpooledEvent): Promise<void>
  /** Unexpected failures: the event is dropped after this report so one bad event cannot jam the spool. */
  onError(event: SpooledEvent, error: unknown): void
  batch?: number
  /**
   * Who deletes processed events (default: this spool). A worker thread hands them to the
   * request thread, so that only one connection ever writes the spool.
   */
  onProcessed?: (ids: number[]) => void
  /** Yield to the event loop every this many events (0: never, for a worker thread). */
  yieldEvery?: number
}

/** What the server needs from a drainer, in this thread or a worker. */
export interface SpoolDrainer {
  kick(): void
  flush(): Promise<void>
}

/**
 * Feeds the spool to the backend in arrival order, a batch at a time, yielding to the event
 * loop between batches so HTTP stays responsive. Several heartbeats of one machine in a batch
 * count as its latest one.
 */
export function startDrainer(options: DrainerOptions): SpoolDrainer {
  const batch = options.batch ?? 200
  const yieldEvery = options.yieldEvery ?? 8
  const onProcessed = options.onProcessed ?? ((ids: number[]) => options.spool.remove(ids))
  let running: Promise<void> | undefined
  let again = false
  // Processed but perhaps not yet deleted: never fetch those again in this process.
  let lastId = 0

  async function drainOnce(): Promise<number> {
    const events = options.spool.peek(batch, lastId)
    const latestHeartbeat = new Map<string, number>()
    for (const e of events) if (e.kind === 'heartbeat') latestHeartbeat.set(`${e.provider}:${String(e.body.name).toLowerCase()}`, e.id)
    for (const [index, event] of events.entries()) {
      // Let waiting requests in between events: accepting stays fast while a backlog drains.
      if (yieldEvery > 0 && index > 0 && index % yieldEvery === 0) await new Promise((r) => setImmediate(r))
      if (event.kind === 'heartbeat' && latestHeartbeat.get(`${event.provider}:${String(event.body.name).toLowerCase()}`) !== event.id) continue
      try {
        await options.process(event)
      } catch (error) {
        if ((error as {isAtpError?: boolean}).isAtpError !== true) options.onError(event, error)
      }
    }

    if (events.length > 0) {
      lastId = events.at(-1)!.id
      onProcessed(events.map((e) => e.id))
    }

    return events.length
  }

  function kick(): void {
    if (running) {
      again = true
      return
    }

    running = (async () => {
      do {
        again = false
        while ((await drainOnce()) > 0) await new Promise((r) => setImmediate(r))
      } while (again)
    })().finally(() => {
      running = undefined
    })
  }

  return {
    /** Something was enqueued: drain soon. */
    kick,
    /** Drains everything, including what arrives meanwhile; for shutdown. */
    async flush(): Promise<void> {
      kick()
      while (running) await running
    },
  }
}
