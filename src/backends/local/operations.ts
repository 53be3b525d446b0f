import {randomUUID} from 'node:crypto'
import {NotFoundError, UsageError} from '../../core/errors.js'
import type {Operation, OperationApi, OperationStatus} from '../../core/port/operations-api.js'
import type {LocalStore, StoreSql} from './store.js'
import {requireTenantRow} from './tenant.js'

/**
 * Long-running operations of the embedded backend (issue 11 item 5). Every write that returns an
 * operation records it with `recordOperation`, inside the write's own transaction (so a write and
 * its operation commit or roll back together). The embedded backend finishes at once: its
 * operations are written as succeeded.
 */
interface OperationRow {
  seq: number
  id: string
  kind: string
  status: OperationStatus
  target: string
  started_at: string
  finished_at: string | null
  result: string | null
}

const toOperation = <R>(r: OperationRow): Operation<R> => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  target: r.target,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  result: r.result === null ? null : (JSON.parse(r.result) as R),
})

/** Page sizes of `operations.list`. */
export const DEFAULT_OPERATION_PAGE = 100
export const MAX_OPERATION_PAGE = 1000

/**
 * Records a write that finished now, in the caller's transaction (call it inside `store.mutate`).
 * `at` is the caller's own timestamp when the write stores one too, so both read the same instant.
 */
export async function recordOperation<R>(store: LocalStore, operation: {kind: string; target: string; result: R; at?: string}): Promise<Operation<R>> {
  const at = operation.at ?? store.now().toISOString()
  const id = randomUUID()
  store.run(`INSERT INTO operation (id, kind, status, target, started_at, finished_at, result) VALUES (?, ?, 'succeeded', ?, ?, ?, ?)`, id, operation.kind, operation.target, at, at, JSON.stringify(operation.result))
  return (await getOperation(store, id)) as Operation<R>
}

export async function findOperationRow<R = unknown>(db: StoreSql, id: string): Promise<Operation<R> | null> {
  const row = await db.get<OperationRow>('SELECT * FROM operation WHERE id = ?', id)
  return row ? toOperation<R>(row) : null
}

export async function getOperation(db: StoreSql, id: string): Promise<Operation> {
  const found = await findOperationRow(db, id)
  if (!found) {
    throw new NotFoundError(`Operation '${id}' does not exist.`, {suggestions: ['List operations: atpctl operation list']})
  }

  return found
}

function parseCursor(cursor: string | undefined): number | null {
  if (cursor === undefined || cursor === '') return null
  if (!/^\d{1,15}$/.test(cursor)) throw new UsageError(`'${cursor.slice(0, 40)}' is not a cursor of this list.`, {suggestions: ["Pass the nextCursor of the previous page, or leave it out for the first page."]})
  return Number(cursor)
}

export function localOperationApi(store: LocalStore): OperationApi {
  const db: StoreSql = store
  return {
    async list(filter = {}) {
      await requireTenantRow(store)
      const limit = Math.min(Math.max(1, filter.limit ?? DEFAULT_OPERATION_PAGE), MAX_OPERATION_PAGE)
      const conditions: string[] = []
      const params: Record<string, unknown> = {limit: limit + 1}
      const before = parseCursor(filter.cursor)
      if (before !== null) {
        conditions.push('seq < @before')
        params.before = before
      }

      if (filter.kind) {
        conditions.push('kind = @kind')
        params.kind = filter.kind
      }

      if (filter.status) {
        conditions.push('status = @status')
        params.status = filter.status
      }

      const rows = await db.all<OperationRow>(`SELECT * FROM operation ${conditions.length > 0 ? 'WHERE ' + conditions.join(' AND ') : ''} ORDER BY seq DESC LIMIT @limit`, params)
      const more = rows.length > limit
      const items = rows.slice(0, limit)
      return {items: items.map((r) => toOperation(r)), nextCursor: more ? String(items[items.length - 1].seq) : null}
    },

    async get(id) {
      await requireTenantRow(store)
      return getOperation(db, id)
    },
  }
}
