import {AsyncLocalStorage} from 'node:async_hooks'
import {openLocalBackend} from '../backends/local/index.js'
import type {Backend} from '../backends/types.js'
import {readNdjsonFile} from '../lib/ndjson.js'

/**
 * The embedded backend as the server uses it: one open database for all requests, with the
 * audit actor taken from the request being served (the API key name or the sensor token), so
 * the audit log says who did what through the server.
 */
export interface ServedBackend {
  backend: Backend
  /** Runs `fn` with `actor` recorded on every change it makes. */
  withActor<T>(actor: string, fn: () => Promise<T>): Promise<T>
  /**
   * Calls operation `op` (`resource.method`, one body object) with `{[field]: the values of the
   * NDJSON file}`: the values are read from disk as the operation consumes them, so a streamed
   * device import of any size is one call and one transaction in the database's thread.
   */
  callWithFile(op: string, field: string, file: string): Promise<unknown>
}

/** `backend[resource][method]({[field]: values of file})`; the file is read lazily, once. */
export async function applyWithFile(backend: Backend, op: string, field: string, file: string): Promise<unknown> {
  const [resource, method] = op.split('.')
  const target = (backend as unknown as Record<string, Record<string, (argument: unknown) => Promise<unknown>>>)[resource]
  const fn = target?.[method]
  if (typeof fn !== 'function') throw new Error(`no backend operation ${op}`)
  return fn.call(target, {[field]: readNdjsonFile(file)})
}

export async function openServedBackend(databasePath: string, profile: string, options: {now?: () => Date} = {}): Promise<ServedBackend> {
  const actors = new AsyncLocalStorage<string>()
  const context = {
    profile,
    now: options.now,
    get actor(): string {
      return actors.getStore() ?? `server:${profile}`
    },
  }
  const backend = await openLocalBackend(databasePath, context)
  return {backend, withActor: (actor, fn) => actors.run(actor, fn), callWithFile: (op, field, file) => applyWithFile(backend, op, field, file)}
}
