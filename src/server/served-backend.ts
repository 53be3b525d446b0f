import {AsyncLocalStorage} from 'node:async_hooks'
import {openLocalBackendWithStore} from '../backends/local/index.js'
import {localSensorIngest, type SensorIngest} from '../backends/local/sensor-ingest.js'
import type {Backend} from '../backends/types.js'

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
  return {backend, sensor: localSensorIngest(store, (actor, fn) => actors.run(actor, fn)), withActor: (actor, fn) => actors.run(actor, fn)}
}
