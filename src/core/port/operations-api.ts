/**
 * Long-running operations (issue 11 item 5). A write that may finish later on some backend (a
 * deployment, an offboarding, an integration switch on a real tenant) returns an Operation. The
 * embedded and served backends finish at once (status `succeeded`) through the same contract, so
 * commands handle `--wait`/`--no-wait` the same way for every backend.
 */
import type {Page} from './page.js'

export type OperationStatus = 'running' | 'succeeded' | 'failed'

export interface Operation<R = unknown> {
  id: string
  /** What kind of write it is, e.g. `policy.deploy`, `device.offboard`, `integration.enable`. */
  kind: string
  status: OperationStatus
  /** What it acts on, as the audit log names it (a policy, a device, an integration). */
  target: string
  startedAt: string
  /** Set once status is not `running`. */
  finishedAt: string | null
  /** The write's result once succeeded; for failed, `{error: {code, message}}`. */
  result: R | null
}

export interface OperationApi {
  /** Newest first; filters by kind and status. */
  list(filter?: {kind?: string; status?: OperationStatus; limit?: number; cursor?: string}): Promise<Page<Operation>>
  /** NotFoundError (exit 3) for an unknown id. */
  get(id: string): Promise<Operation>
}

export type {Page, PageRequest} from './page.js'
