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
}

export function createLocalStore(db: Database, context: BackendContext): LocalStore {
  const now = context.now ?? (() => new Date())
  return {
    db,
    context,
    now,
    mutate(operation, target, fn) {
      try {
        return writeTransaction(db, () => {
          const result = fn()
          appendAudit(db, {time: now().toISOString(), actor: context.actor, operation, target: typeof target === 'string' ? target : target(result), outcome: 'ok'})
          return result
        })
      } catch (error) {
        if (isAtpError(error)) {
          writeTransaction(db, () =>
            appendAudit(db, {time: now().toISOString(), actor: context.actor, operation, target: typeof target === 'string' ? target : '-', outcome: `refused:${error.code}`}),
          )
        }

        throw error
      }
    },
  }
}
