import type {Backend} from '../port/types.js'
import {listPages, pagedArray, type PagedList} from '../port/page.js'
import {InvalidInputError, UsageError} from '../errors.js'
import type {AuditHead, AuditRecord, AuditVerification} from './chain.js'

export interface AuditListResult {
  /** Oldest first. */
  records: PagedList<AuditRecord>
  /** The newest point of the whole chain (not only of the records listed), for `audit verify --head`. */
  head: AuditHead
}

/**
 * The audit records, oldest first: all of them page by page, or with `limit` the newest N
 * (read newest first, at most N, then put back in chain order).
 */
export async function listAudit(backend: Backend, options: {limit?: number; operation?: string}): Promise<AuditListResult> {
  const head = await backend.audit.head()
  if (options.limit === undefined) return {records: await listPages((page) => backend.audit.list({operation: options.operation, ...page})), head}
  const newest = await listPages((page) => backend.audit.list({operation: options.operation, newestFirst: true, ...page}), {limit: options.limit})
  const records = (await newest.toArray()).reverse()
  return {records: pagedArray(records, undefined, newest.more), head}
}

/**
 * Verifies the keyed chain and its head checkpoint, and that the chain still contains `head`
 * (a head kept elsewhere) when given; a break is an invalid-input failure (exit 7) naming the record.
 */
export async function verifyAudit(backend: Backend, options: {head?: string} = {}): Promise<AuditVerification> {
  let head: string | undefined
  if (options.head !== undefined) {
    head = options.head.trim().toLowerCase()
    if (!/^[0-9a-f]{64}$/.test(head)) {
      throw new UsageError(`--head must be the 64 hexadecimal characters of a head hash, not '${options.head}'.`, {
        suggestions: ['Take it from `atpctl audit verify --json` (head.hash) or `atpctl audit list --json` when the log is known good.'],
      })
    }
  }

  const verification = await backend.audit.verify(head === undefined ? {} : {head})
  if (!verification.ok) {
    throw new InvalidInputError(`The audit log is broken at record ${verification.brokenAt}: ${verification.reason}.`, {
      code: 'AUDIT_CHAIN_BROKEN',
      details: {...verification},
      suggestions: ['Treat the tenant database as tampered with: restore it from a backup and investigate who had write access.'],
    })
  }

  return verification
}
