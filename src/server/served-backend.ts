import {AsyncLocalStorage} from 'node:async_hooks'
import {openLocalBackendWithStore} from '../backends/local/index.js'
import {localSensorIngest, type SensorIngest} from '../backends/local/sensor-ingest.js'
import type {Backend} from '../core/port/types.js'
import {findOperation} from '../backends/remote/operations.js'
import {checkedRecords} from './upload.js'

/**
 * The embedded backend as the server uses it: one open database for all requests, with the
 * audit actor taken from the request being served (the API key name or the sensor token), so
 * the audit log says who did what through the server.
 */
export interface ServedBackend {
  backend: Backend
  /** The sensor side: provider-ownership checks, registration and batched event processing. */
  sensor: SensorIngest
  /** Runs `fn` with `actor` recorded on every change it makes. */
  withActor<T>(actor: string, fn: () => Promise<T>): Promise<T>
  /**
   * Calls streamed operation `op` (`resource.method`, see `stream` in the registry) with
   * `{[field]: the records of a received NDJSON file}`: each record is read from disk and
   * checked as the operation consumes it, so a streamed device import of any size is one call and
   * one transaction in the database's thread. Lines longer than `maxLineChars` are refused.
   */
  callWithFile(op: string, file: string, maxLineChars: number): Promise<unknown>
}

/** `backend[resource][method]({[field]: checked records of file})`; the file is read lazily, once. */
export async function applyWithFile(backend: Backend, op: string, file: string, maxLineChars: number): Promise<unknown> {
  const spec = findOperation(op)
  if (!spec?.stream) throw new Error(`no streamed backend operation ${op}`)
  const [resource, method] = op.split('.')
  const target = (backend as unknown as Record<string, Record<string, (argument: unknown) => Promise<unknown>>>)[resource]
  const fn = target?.[method]
  if (typeof fn !== 'function') throw new Error(`no backend operation ${op}`)
  return fn.call(target, {[spec.stream.field]: checkedRecords(file, spec.stream.item, maxLineChars)})
}

/** The resource name of ServedBackend.sensor in calls forwarded to the worker thread (not a backend resource). */
export const SENSOR_RESOURCE = '@sensor'

export async function openServedBackend(databasePath: string, profile: string, options: {now?: () => Date} = {}): Promise<ServedBackend> {
  const actors = new AsyncLocalStorage<string>()
  const context = {
    profile,
    now: options.now,
    get actor(): string {
      return actors.getStore() ?? `server:${profile}`
    },
  }
  const {backend, store} = await openLocalBackendWithStore(databasePath, context)
  return {
    backend,
    sensor: localSensorIngest(store, (actor, fn) => actors.run(actor, fn)),
    withActor: (actor, fn) => actors.run(actor, fn),
    callWithFile: (op, file, maxLineChars) => applyWithFile(backend, op, file, maxLineChars),
  }
}
