import {ALL_SUPPORTED} from '../core/capabilities.js'
import {AsyncLocalStorage} from 'node:async_hooks'
import {existsSync} from 'node:fs'
import type {Backend} from '../core/port/types.js'
import {fromEnvelope} from '../lib/http-errors.js'
import type {FromThread, ToThread} from './backend-thread.js'
import {SENSOR_RESOURCE, type ServedBackend} from './served-backend.js'
import type {SpoolDrainer} from './spool.js'

export interface BackendWorker {
  /** The backend as the request thread sees it: every call runs in the worker. */
  served: ServedBackend
  drainer: SpoolDrainer
  /** Drains the spool until it is empty or the deadline (epoch ms) passes, then closes the databases. */
  close(deadline?: number): Promise<void>
}

/** Waits for `promise`, or until a second after `deadline` (epoch ms), whichever comes first. */
async function untilDeadline<T>(promise: Promise<T>, deadline: number | undefined): Promise<T | 'late'> {
  if (deadline === undefined || deadline === Number.POSITIVE_INFINITY) return promise
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now()) + 1000)))
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Starts the database worker thread (see backend-thread.ts). Returns null when running from the
 * TypeScript sources (tests), where the server uses the backend in its own thread.
 */
export async function startBackendWorker(options: {
  databasePath: string
  spoolPath: string
  profile: string
  onError(message: string): void
  /** Events the worker has processed: the request thread deletes them from the spool. */
  onProcessed(ids: number[]): void
}): Promise<BackendWorker | null> {
  const url = new URL('backend-thread.js', import.meta.url)
  if (!import.meta.url.endsWith('.js') || !existsSync(url)) return null
  const {Worker} = await import('node:worker_threads')
  const worker = new Worker(url, {workerData: {databasePath: options.databasePath, spoolPath: options.spoolPath, profile: options.profile}})
  const pending = new Map<number, {resolve(value: unknown): void; reject(error: unknown): void}>()
  const waiters = new Map<string, (() => void)[]>()
  const waitFor = (type: string) => new Promise<void>((resolve) => waiters.set(type, [...(waiters.get(type) ?? []), resolve]))
  let failure: Error | undefined
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      failure ??= new Error('the database worker thread stopped')
      for (const p of pending.values()) p.reject(failure)
      pending.clear()
      for (const list of waiters.values()) for (const resolve of list) resolve()
      resolve()
    }),
  )
  worker.on('error', (error) => {
    failure = error
    options.onError(`database worker failed: ${error.stack ?? error.message}`)
  })
  worker.on('message', (message: FromThread) => {
    if (message.type === 'result') {
      const p = pending.get(message.id)
      pending.delete(message.id)
      if (!p) return
      if (!message.error) p.resolve(message.result)
      else if (message.unexpected) p.reject(new Error(message.unexpected))
      else p.reject(fromEnvelope(message.error.status, message.error.body, options.databasePath))
      return
    }

    if (message.type === 'processed') {
      options.onProcessed(message.ids)
      return
    }

    if (message.type === 'error') options.onError(message.message)
    for (const resolve of waiters.get(message.type) ?? []) resolve()
    waiters.delete(message.type)
  })
  const send = (message: ToThread) => worker.postMessage(message)
  await Promise.race([waitFor('ready'), exited])
  if (failure) throw failure

  const actors = new AsyncLocalStorage<string>()
  let nextId = 1
  const request = (message: Omit<Extract<ToThread, {type: 'call'}>, 'id' | 'actor'> | Omit<Extract<ToThread, {type: 'call-with-file'}>, 'id' | 'actor'>) =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure)
      const id = nextId++
      pending.set(id, {resolve, reject})
      send({...message, id, actor: actors.getStore()} as ToThread)
    })
  const call = (op: string, args: unknown[]) => request({type: 'call', op, args})
  const resources = new Map<string, unknown>()
  const backend = new Proxy({kind: 'local', location: options.databasePath, capabilities: ALL_SUPPORTED, close: async () => {}} as Record<string, unknown>, {
    get(target, prop) {
      if (typeof prop !== 'string') return undefined
      if (prop in target) return target[prop]
      if (prop === 'then') return undefined
      if (!resources.has(prop)) {
        resources.set(
          prop,
          new Proxy({}, {get: (_t, method) => (typeof method === 'string' && method !== 'then' ? (...args: unknown[]) => call(`${prop}.${method}`, args) : undefined)}),
        )
      }

      return resources.get(prop)
    },
  }) as unknown as Backend

  const sensor = new Proxy({}, {get: (_t, method) => (typeof method === 'string' && method !== 'then' ? (...args: unknown[]) => call(`${SENSOR_RESOURCE}.${method}`, args) : undefined)})
  let closing: Promise<void> | undefined
  return {
    served: {
      backend,
      sensor: sensor as ServedBackend['sensor'],
      withActor: (actor, fn) => actors.run(actor, fn),
      callWithFile: (op, file, maxLineChars) => request({type: 'call-with-file', op, file, maxLineChars}),
    },
    drainer: {
      kick: () => send({type: 'kick'}),
      async flush(deadline) {
        const done = waitFor('flushed')
        send({type: 'flush', deadline})
        if ((await untilDeadline(Promise.race([done, exited]), deadline)) === 'late') {
          options.onError('the database worker is still busy at the end of the shutdown grace period; what it has not processed stays in the spool')
        }
      },
    },
    close(deadline) {
      closing ??= (async () => {
        const done = waitFor('closed')
        send({type: 'close', deadline})
        // A worker stuck in the database (another process holding its lock) does not hold the
        // shutdown past its deadline: what it had not committed is rolled back by SQLite, and
        // the events stay in the spool for the next start.
        if ((await untilDeadline(Promise.race([done, exited]), deadline)) === 'late') {
          options.onError('the database worker did not stop within the shutdown grace period; its unfinished batch stays in the spool')
          worker.unref()
          void worker.terminate()
          return
        }

        await worker.terminate()
      })()
      return closing
    },
  }
}
