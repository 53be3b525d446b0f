/**
 * Keyset pages of the embedded backend (issue 11 item 6): each list query orders by its sort
 * key plus a unique tiebreak, and a page after a cursor starts with a row-value comparison
 * `(key, id) > (@key, @id)` on that order, never an OFFSET, so page N reads what page 1 reads.
 */
import {type CursorValue, decodeCursor, type Page, pageFromRows, pageLimit, type PageRequest} from '../../core/port/page.js'

/** The largest page the embedded backend answers (Microsoft's API pages at most 10,000 too). */
export const LOCAL_MAX_PAGE = 10_000

export interface KeysetQuery<R, T> {
  /** The list's name in its cursors (a cursor of another list is refused). */
  list: string
  /** The type of each component of the position, in ORDER BY order. */
  shape: readonly ('string' | 'number')[]
  request: PageRequest | undefined
  /** Runs the query: `after` is the decoded position (or null for the first page), `limit` the rows to read. */
  rows: (after: CursorValue[] | null, limit: number) => R[] | Promise<R[]>
  positionOf: (row: R) => readonly CursorValue[]
  toItem: (row: R) => T
}

/** One page: reads limit + 1 rows after the cursor's position, the extra one only to know that more exist. */
export async function keysetPage<R, T>(query: KeysetQuery<R, T>): Promise<Page<T>> {
  const limit = pageLimit(query.request?.limit, LOCAL_MAX_PAGE)
  const after = query.request?.cursor === undefined ? null : decodeCursor(query.list, query.request.cursor, query.shape)
  return pageFromRows(await query.rows(after, limit + 1), limit, query.list, query.positionOf, query.toItem)
}

/** Named parameters @k0, @k1, … of a position, for a `(…) > (@k0, @k1, …)` condition. */
export function positionParams(after: readonly CursorValue[] | null): Record<string, CursorValue> {
  return Object.fromEntries((after ?? []).map((v, i) => [`k${i}`, v]))
}

/** `(a, b) > (@k0, @k1)` (or `<` for a descending order), or '1' on the first page. */
export function afterCondition(columns: readonly string[], after: readonly CursorValue[] | null, descending = false): string {
  if (!after) return '1'
  return `(${columns.join(', ')}) ${descending ? '<' : '>'} (${columns.map((_, i) => `@k${i}`).join(', ')})`
}
