import type {Backend} from '../../backends/types.js'
import {InvalidInputError} from '../errors.js'
import type {AuditRecord, AuditVerification} from './chain.js'

export async function listAudit(backend: Backend, options: {limit?: number; operation?: string}): Promise<{records: AuditRecord[]}> {
  return {records: await backend.audit.list(options)}
}

/** Verifies the hash chain; a break is an invalid-input failure (exit 7) naming the record. */
export async function verifyAudit(backend: Backend): Promise<AuditVerification> {
  const verification = await backend.audit.verify()
  if (!verification.ok) {
    throw new InvalidInputError(`The audit log is broken at record ${verification.brokenAt}: ${verification.reason}.`, {
      code: 'AUDIT_CHAIN_BROKEN',
      details: {...verification},
      suggestions: ['Treat the tenant database as tampered with: restore it from a backup and investigate who had write access.'],
    })
  }

  return verification
}
