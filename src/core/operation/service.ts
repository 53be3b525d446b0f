/** `atpctl operation list|show|wait` (issue 11 item 5): the operations a backend recorded, and following one to its end. */
import type {Operation, OperationStatus} from '../port/operations-api.js'
import type {Backend} from '../port/types.js'
import {listPages, type PagedList} from '../port/page.js'
import {UsageError} from '../errors.js'
import {requireTenant} from '../tenant/service.js'
import {type OperationWaitOptions, settleOperation} from './wait.js'

export const OPERATION_STATUSES: readonly OperationStatus[] = ['running', 'succeeded', 'failed']

export function parseOperationStatus(text: string): OperationStatus {
  if ((OPERATION_STATUSES as readonly string[]).includes(text)) return text as OperationStatus
  throw new UsageError(`Unknown operation status '${text}'.`, {suggestions: [`Pass --status with one of: ${OPERATION_STATUSES.join(', ')}.`]})
}

/**
 * Newest first, following pages until `limit` operations (all when undefined); `more` says
 * whether there were more than `limit`.
 */
export async function listOperations(
  backend: Backend,
  options: {kind?: string; status?: OperationStatus; limit?: number; profile: string},
): Promise<{operations: PagedList<Operation>}> {
  await requireTenant(backend, options.profile)
  return {operations: await listPages((page) => backend.operations.list({kind: options.kind, status: options.status, ...page}), {limit: options.limit})}
}

export async function showOperation(backend: Backend, options: {id: string; profile: string}): Promise<{operation: Operation}> {
  await requireTenant(backend, options.profile)
  return {operation: await backend.operations.get(options.id)}
}

/**
 * Follows one operation to its end: its document when it succeeded; its own error when it failed;
 * StillRunningError (exit 9) when it still runs after the wait.
 */
export async function waitOperation(backend: Backend, options: {id: string; profile: string} & OperationWaitOptions): Promise<{operation: Operation}> {
  await requireTenant(backend, options.profile)
  const {id, profile: _profile, ...wait} = options
  const {operation} = await settleOperation(backend.operations, await backend.operations.get(id), wait)
  return {operation}
}
