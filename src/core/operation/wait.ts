/**
 * Following long-running operations (issue 11 item 5): one helper for every command that takes
 * `--wait [DURATION]` / `--no-wait`, and for `atpctl operation wait`. Pure apart from the
 * injected clock and sleep (tests pass a fake clock); it speaks only the OperationApi of the
 * port, so it follows an embedded backend (finished at once), a server or a real tenant alike.
 */
import {type BackoffOptions, DEFAULT_BACKOFF, waitFor} from '../detect/waiter.js'
import {formatDuration, parseDuration} from '../duration.js'
import {AtpError, StillRunningError} from '../errors.js'
import type {Operation, OperationApi} from '../port/operations-api.js'

/** How long `--wait` waits when given no duration (a machine action usually settles within minutes). */
export const DEFAULT_WAIT_MS = 10 * 60_000

export interface OperationWaitOptions {
  /** At most this long; 0 = do not wait (`--no-wait`): one look, no sleep. */
  timeoutMs: number
  /** Milliseconds of a monotonic clock (default Date.now). */
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  /** The polling schedule (default: 0.25 s doubling up to 5 s; tests pass a tiny one). */
  backoff?: BackoffOptions
  /** After each round that left something running (a spinner or progress bar). */
  onPoll?: (state: {running: number; elapsedMs: number}) => void
}

const realSleep = async (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * The wait a command's flags ask for, in ms: `--no-wait` is 0, `--wait DURATION` that
 * duration, `--wait` alone (or neither flag) the default.
 */
export function resolveWait(flags: {wait?: string; noWait?: boolean}): number {
  if (flags.noWait) return 0
  if (flags.wait === undefined || flags.wait === '' || flags.wait === 'default') return DEFAULT_WAIT_MS
  return parseDuration(flags.wait, '--wait')
}

/** Ids of operations still running, in one pass over the running ones (a page walk, never one call per operation). */
async function runningIds(api: OperationApi): Promise<Set<string>> {
  const ids = new Set<string>()
  let cursor: string | undefined
  do {
    const page = await api.list({status: 'running', cursor})
    for (const o of page.items) ids.add(o.id)
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return ids
}

/**
 * Polls until every operation has finished or the time is up, and returns each one as it
 * stands then (same order). Operations already finished cost no call. With several running,
 * a round is one listing of the running operations plus one read per operation that finished
 * (a real tenant allows about 100 calls a minute), with one a single read.
 */
export async function waitForOperations(api: OperationApi, operations: Operation[], options: OperationWaitOptions): Promise<Operation[]> {
  const latest = new Map(operations.map((o) => [o.id, o]))
  const pending = () => [...latest.values()].filter((o) => o.status === 'running')
  if (pending().length === 0) return operations.map((o) => latest.get(o.id)!)
  let first = true
  await waitFor({
    async poll() {
      // The operations came from the backend a moment ago: the first look is after the first delay.
      if (first) {
        first = false
        return null
      }

      const running = pending()
      if (running.length === 1) {
        const now = await api.get(running[0].id)
        latest.set(now.id, now)
      } else {
        const still = await runningIds(api)
        for (const o of running) if (!still.has(o.id)) latest.set(o.id, await api.get(o.id))
      }

      return pending().length === 0 ? true : null
    },
    timeoutMs: options.timeoutMs,
    now: options.now ?? Date.now,
    sleep: options.sleep ?? realSleep,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    onPoll: ({elapsedMs}) => options.onPoll?.({running: pending().length, elapsedMs}),
  })
  return operations.map((o) => latest.get(o.id)!)
}

export async function waitForOperation<R>(api: OperationApi, operation: Operation<R>, options: OperationWaitOptions): Promise<Operation<R>> {
  const [settled] = await waitForOperations(api, [operation as Operation], options)
  return settled as Operation<R>
}

/** Exit codes of error codes, for a failure recorded without one (a real tenant's own codes). */
function exitCodeOf(code: string): number {
  if (code === 'NOT_FOUND') return 3
  if (code === 'CONFLICT' || code === 'UNSUPPORTED' || code.startsWith('REFUSED')) return 4
  if (code === 'AUTH' || code.startsWith('AUTH_')) return 5
  if (code === 'UNREACHABLE') return 6
  if (code === 'THROTTLED') return 8
  return 4
}

/** The error a failed operation ended with, as the core error it was (its own exit code). */
export function operationFailure(operation: Operation): AtpError {
  const recorded = (operation.result as {error?: {code?: unknown; message?: unknown; exitCode?: unknown}} | null)?.error
  const code = typeof recorded?.code === 'string' ? recorded.code : 'OPERATION_FAILED'
  const exitCode = typeof recorded?.exitCode === 'number' && recorded.exitCode > 1 ? recorded.exitCode : exitCodeOf(code)
  const message = typeof recorded?.message === 'string' ? recorded.message : 'no reason was given'
  return new AtpError(code, exitCode, `Operation ${operation.id} (${operation.kind} ${operation.target}) failed: ${message}`, {
    suggestions: [`See it: atpctl operation show ${operation.id}`],
    details: {operationId: operation.id},
  })
}

/** Exit 9 for operations still running, naming the command that follows them. */
export function stillRunning(operations: Operation[], waitedMs: number): StillRunningError {
  const [first] = operations
  const what = operations.length === 1 ? `Operation ${first.id} (${first.kind} ${first.target}) is` : `${operations.length} operations are`
  const waited = waitedMs > 0 ? ` after waiting ${formatDuration(waitedMs)}` : ''
  return new StillRunningError(`${what} still running${waited}.`, {
    operationId: first.id,
    suggestions: operations.slice(0, 3).map((o) => `Follow it: atpctl operation wait ${o.id}`),
    details: {operationIds: operations.map((o) => o.id)},
  })
}

/**
 * The end of a write that returned an operation: waits as asked, then gives its result when it
 * succeeded, or throws: its own error when it failed, StillRunningError (exit 9) while it runs.
 */
export async function settleOperation<R>(api: OperationApi, operation: Operation<R>, options: OperationWaitOptions): Promise<{operation: Operation<R>; result: R}> {
  const settled = await waitForOperation(api, operation, options)
  if (settled.status === 'running') throw stillRunning([settled as Operation], options.timeoutMs)
  if (settled.status === 'failed') throw operationFailure(settled as Operation)
  return {operation: settled, result: settled.result as R}
}
