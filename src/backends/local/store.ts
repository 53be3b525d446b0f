import {isAtpError} from '../../core/errors.js'
import type {BackendContext} from '../types.js'
import {appendAudit} from './audit.js'
import {type Database, writeTransaction} from './database.js'

/**
 * What every resource module of the local backend shares: the database, the clock, and
 * `mutate`, the one door for writes. `mutate` runs the change and its audit record in one
 * immediate transaction; a refused change is rolled back and the refusal audited on its own.
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
    if (isAtpError(error) && error.code !== 'DATABASE_BUSY') {
      writeTransaction(db, () => appendAudit(db, {time: now().toISOString(), actor: context.actor, operation, target, outcome: `refused:${error.code}`}))
    }

    throw error
  }

  return {
    db,
    context,
    now,
    refuse,
    mutate(operation, target, fn) {
      try {
        return writeTransaction(db, () => {
          const result = fn()
          appendAudit(db, {time: now().toISOString(), actor: context.actor, operation, target: typeof target === 'string' ? target : target(result), outcome: 'ok'})
          return result
        })
      } catch (error) {
        return refuse(operation, typeof target === 'string' ? target : '-', error)
      }
    },
  }
}
