import {isAtpError} from '../../core/errors.js'
import type {BackendContext} from '../../core/port/types.js'
import {advanceCheckpoint, appendAudit, auditKey, settleCheckpoint} from './audit.js'
import {type Database, writeTransaction} from './database.js'

/**
 * What every resource module of the local backend shares: the database, the clock, and
 * `mutate`, the one door for writes. `mutate` runs the change and its audit record in one
 * immediate transaction; a refused change is rolled back and the refusal audited on its own.
 * Every write transaction appends exactly one audit record, keyed with the profile's audit key,
 * and the head checkpoint is brought up to it after the commit (issue 15 item 10).
 */
export interface LocalStore {
  db: Database
  context: BackendContext
  now(): Date
  /** `target` names what changed, for the audit log; a function of the result when only the change knows. */
  mutate<T>(operation: string, target: string | ((result: T) => string), fn: () => T): T
  /** Audits a refusal decided before `mutate` ran (an import's file refused while it was staged), then throws it. */
  refuse(operation: string, target: string, error: unknown): never
}

export function createLocalStore(db: Database, context: BackendContext): LocalStore {
  const now = context.now ?? (() => new Date())
  const refuse = (operation: string, target: string, error: unknown): never => {
    // A busy database is not audited: that record would wait on the same lock all over again.
    if (isAtpError(error) && error.code !== 'DATABASE_BUSY' && !error.code.startsWith('AUDIT_')) {
      const key = auditKey(db, now)
      writeTransaction(db, () => {
        advanceCheckpoint(db, key)
        appendAudit(db, key, {time: now().toISOString(), actor: context.actor, operation, target, outcome: `refused:${error.code}`})
      })
      settleCheckpoint(db, key)
    }

    throw error
  }

  return {
    db,
    context,
    now,
    refuse,
    mutate<T>(operation: string, target: string | ((result: T) => string), fn: () => T): T {
      let result: T
      let key: Buffer
      try {
        key = auditKey(db, now)
        result = writeTransaction(db, () => {
          // The checkpoint first catches up with a change whose process died before it could.
          advanceCheckpoint(db, key)
          const changed = fn()
          appendAudit(db, key, {time: now().toISOString(), actor: context.actor, operation, target: typeof target === 'string' ? target : target(changed), outcome: 'ok'})
          return changed
        })
      } catch (error) {
        return refuse(operation, typeof target === 'string' ? target : '-', error)
      }

      // Committed: now the head checkpoint beside the database (it may lag the log, never lead it).
      settleCheckpoint(db, key)
      return result
    },
  }
}
