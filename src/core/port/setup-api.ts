/**
 * Tenant as code on the port (issue 14): applying a tenant file. The backend recomputes the
 * plan from the file and the tenant as it is (the server trusts no client), refuses a stale
 * saved plan and the plan's blocking predictions, and applies every step with the rules of each
 * resource. The embedded and served backends do it in one transaction; the microsoft backend in
 * order, resumably, through a journal.
 */
import type {SetupApplyResult, SetupSecrets} from '../tenant-file/apply.js'
import type {TenantDocument} from '../tenant-file/document.js'

export interface SetupApplyRequest {
  /** The file, schema-checked by the caller and again by the backend's own rules. */
  document: TenantDocument
  /** The file as given (`-` for stdin), for the plan and messages. */
  file: string
  /** Deletes what the file does not name. */
  prune: boolean
  /** The secrets its policies reference, resolved by the caller (never stored in a plan or journal). */
  secrets: SetupSecrets
  /**
   * The tenant's fingerprint of the plan the user confirmed: the apply is refused (exit 4,
   * PLAN_STALE) when the tenant no longer has it.
   */
  expectedTenantSha256?: string
}

export interface SetupApi {
  apply(request: SetupApplyRequest): Promise<SetupApplyResult>
}
