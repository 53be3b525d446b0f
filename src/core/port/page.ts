/**
 * Pages of a list (issue 11 item 6). Every list method of the port takes a PageRequest (beside
 * its filters) and returns a Page: callers never get a whole table at once, so a listing of a
 * million devices stays in bounded memory on every backend. Cursors are opaque to callers:
 * base64url of a keyset position (the last sort key of the page, and the list it belongs to),
 * so page N costs what page 1 costs and a concurrent insert neither repeats nor skips an item.
 */
import {UsageError} from '../errors.js'

/** One page of a list: pass `nextCursor` back as `cursor` for the next page; null means the last one. */
export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

export interface PageRequest {
  /** At most this many items in the page (a backend may return fewer, and caps it at its maximum page size). */
  limit?: number
  /** An opaque cursor from a previous page's `nextCursor` of the same list. */
  cursor?: string
}

/** The page size callers ask for when they iterate a whole list. */
export const DEFAULT_PAGE_SIZE = 1000

/** One component of a keyset position: a sort key or an id. */
export type CursorValue = string | number

const MAX_CURSOR_CHARS = 2048

/** The opaque cursor of a position in list `list` (e.g. `devices`): base64url of JSON. */
export function encodeCursor(list: string, position: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify([list, ...position]), 'utf8').toString('base64url')
}

function invalidCursor(): UsageError {
  return new UsageError('The list cursor is not valid here: a cursor must come unchanged from the previous page of the same list.', {
    suggestions: ['Start the listing again without a cursor.'],
  })
}

/**
 * The keyset position in a cursor of list `list`, checked against `shape` (the type of each
 * component). Anything else (not base64url, not ours, another list's, edited) is a usage error
 * (exit 2) that says to start again.
 */
export function decodeCursor(list: string, cursor: string, shape: readonly ('string' | 'number')[]): CursorValue[] {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_CHARS || !/^[\w-]+$/.test(cursor)) throw invalidCursor()
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw invalidCursor()
  }

  if (!Array.isArray(parsed) || parsed.length !== shape.length + 1 || parsed[0] !== list) throw invalidCursor()
  const position = parsed.slice(1) as unknown[]
  for (const [i, type] of shape.entries()) {
    const value = position[i]
    if (type === 'number' ? typeof value !== 'number' || !Number.isFinite(value) : typeof value !== 'string') throw invalidCursor()
  }

  return position as CursorValue[]
}

/**
 * The page size a backend serves for `limit`: the limit itself up to the backend's maximum,
 * the maximum when none is asked. A limit below 1 or not an integer is a usage error (exit 2).
 */
export function pageLimit(limit: number | undefined, max: number): number {
  if (limit === undefined || limit === null) return max
  if (!Number.isInteger(limit) || limit < 1) {
    throw new UsageError(`A page limit must be a whole number of at least 1, not ${String(limit)}.`, {suggestions: ['Pass a positive --limit, or leave it out.']})
  }

  return Math.min(limit, max)
}

/**
 * A page from rows fetched with one more than the page holds (`LIMIT limit + 1`): the extra
 * row only says that more exist, and the cursor is the position of the last row kept.
 */
export function pageFromRows<R, T>(rows: R[], limit: number, list: string, positionOf: (row: R) => readonly CursorValue[], toItem: (row: R) => T): Page<T> {
  const more = rows.length > limit
  const kept = more ? rows.slice(0, limit) : rows
  return {items: kept.map(toItem), nextCursor: more ? encodeCursor(list, positionOf(kept[kept.length - 1])) : null}
}

/** One list method of the port, bound to its filters: asked for a page, answers it. */
export type PageFetch<T> = (request: PageRequest) => Promise<Page<T>>

/**
 * The items of a list, page after page, up to a limit. Iterate it once; afterwards `more` says
 * whether the list holds items beyond the limit (for the "more exist" notice). Only one page
 * is held at a time.
 */
export interface PagedList<T> extends AsyncIterable<T> {
  readonly more: boolean
  /** The items, collected: for callers that need them all at once (a table, a bounded limit). */
  toArray(): Promise<T[]>
}

export interface PagingOptions {
  /** At most this many items in all (default: every item). */
  limit?: number
  /** Items asked for per page (default DEFAULT_PAGE_SIZE); the backend may cap it. */
  pageSize?: number
  /** Where to start (a cursor from an earlier page); default the beginning. */
  cursor?: string
}

/**
 * Iterates every page of `fetch` up to `options.limit`. The first page is fetched before this
 * returns, so a bad filter or cursor fails here, before any output, not half-way through it.
 */
export async function listPages<T>(fetch: PageFetch<T>, options: PagingOptions = {}): Promise<PagedList<T>> {
  const limit = options.limit === undefined ? undefined : pageLimit(options.limit, Number.MAX_SAFE_INTEGER)
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE
  const ask = (taken: number): PageRequest => ({limit: limit === undefined ? pageSize : Math.min(pageSize, limit - taken)})
  let page: Page<T> | null = await fetch({...ask(0), ...(options.cursor === undefined ? {} : {cursor: options.cursor})})
  let more = false
  let iterated = false

  async function* items(): AsyncGenerator<T> {
    if (iterated) throw new Error('a paged list is iterated once')
    iterated = true
    let taken = 0
    while (page) {
      const current: Page<T> = page
      page = null
      for (const [i, item] of current.items.entries()) {
        if (limit !== undefined && taken === limit) {
          more = true
          return
        }

        yield item
        taken++
        if (limit !== undefined && taken === limit) {
          more = i < current.items.length - 1 || current.nextCursor !== null
          return
        }
      }

      // A backend may answer fewer than asked (even none) with a cursor: ask again from there.
      if (current.nextCursor !== null) page = await fetch({...ask(taken), cursor: current.nextCursor})
    }
  }

  const generator = items()
  return {
    get more() {
      return more
    },
    [Symbol.asyncIterator]: () => generator,
    async toArray() {
      const all: T[] = []
      for await (const item of generator) all.push(item)
      return all
    },
  }
}

/** Every item of a list, collected: for internal callers of small lists (names, a filter's hits). */
export async function listAll<T>(fetch: PageFetch<T>, options: Omit<PagingOptions, 'cursor'> = {}): Promise<T[]> {
  return (await listPages(fetch, options)).toArray()
}

/** A list that is already in memory, as a PagedList: the first `limit` items; `more` when some were left out (or `more` is given). */
export function pagedArray<T>(items: readonly T[], limit?: number, more?: boolean): PagedList<T> {
  const shown = limit === undefined ? items : items.slice(0, limit)
  return {
    more: more ?? (limit !== undefined && items.length > limit),
    async *[Symbol.asyncIterator]() {
      yield* shown
    },
    async toArray() {
      return [...shown]
    },
  }
}

/**
 * One page of a list a backend has read whole (a real tenant's few dozen groups or profiles):
 * the cursor is the offset of the next item, checked like every cursor.
 */
export function pageOf<T>(items: readonly T[], request: PageRequest = {}, list: string, max = 10_000): Page<T> {
  const limit = pageLimit(request.limit, max)
  const start = request.cursor === undefined ? 0 : Number(decodeCursor(list, request.cursor, ['number'])[0])
  const end = start + limit
  return {items: items.slice(start, end), nextCursor: end < items.length ? encodeCursor(list, [end]) : null}
}
