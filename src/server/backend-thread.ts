/**
 * The worker thread of `atpctl serve` that owns the tenant database: it runs every backend call
 * the request thread forwards (one connection, so no writer ever waits on another) and drains
 * the sensor event spool in between. The request thread only parses, authenticates, validates,
 * commits sensor events to the spool and answers, and never blocks on SQLite.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {isAtpError} from '../core/errors.js'
import {toEnvelope} from '../lib/http-errors.js'
import {applyWithFile, openServedBackend, SENSOR_RESOURCE} from './served-backend.js'
import {openSpool, startDrainer} from './spool.js'

export type ToThread =
  | {type: 'call'; id: number; op: string; args: unknown[]; actor: string | undefined}
  /** Streamed operation `op` with the checked records of an NDJSON file the request thread received. */
  | {type: 'call-with-file'; id: number; op: string; file: string; maxLineChars: number; actor: string | undefined}
  | {type: 'kick'}
  /** Drain until the spool is empty or the deadline (epoch ms) passes; `close` then closes the databases. */
  | {type: 'flush' | 'close'; deadline?: number}

export type FromThread =
  | {type: 'ready' | 'flushed' | 'closed'}
  | {type: 'error'; message: string}
  | {type: 'processed'; ids: number[]}
  | {type: 'result'; id: number; result?: unknown; error?: {status: number; body: unknown}; unexpected?: string}

const port = parentPort!
const post = (message: FromThread) => port.postMessage(message)
const {databasePath, spoolPath, profile} = workerData as {databasePath: string; spoolPath: string; profile: string}
const served = await openServedBackend(databasePath, profile)
const spool = await openSpool(spoolPath)
const drainer = startDrainer({
  spool,
  ingest: (events) => served.sensor.ingest(spool.id, events),
  onProcessed: (ids) => post({type: 'processed', ids}),
  onError: (message) => post({type: 'error', message}),
})

async function call(message: Extract<ToThread, {type: 'call' | 'call-with-file'}>): Promise<void> {
  const [resource, method] = message.op.split('.')
  try {
    // SENSOR_RESOURCE is the served backend's sensor side (ownership checks, registration, processing).
    const target = (resource === SENSOR_RESOURCE ? served.sensor : (served.backend as unknown as Record<string, unknown>)[resource]) as
      | Record<string, (...args: unknown[]) => Promise<unknown>>
      | undefined
    const fn = target?.[method]
    if (typeof fn !== 'function') throw new Error(`no backend operation ${message.op}`)
    const run =
      message.type === 'call' ? () => fn.apply(target, message.args) : () => applyWithFile(served.backend, message.op, message.file, message.maxLineChars)
    const result = await (message.actor ? served.withActor(message.actor, run) : run())
    post({type: 'result', id: message.id, result})
  } catch (error) {
    post({type: 'result', id: message.id, error: toEnvelope(error), unexpected: isAtpError(error) ? undefined : ((error as Error).stack ?? String(error))})
  }
}

port.on('message', async (message: ToThread) => {
  switch (message.type) {
    case 'call':
    case 'call-with-file': {
      await call(message)
      break
    }

    case 'kick': {
      drainer.kick()
      break
    }

    case 'flush': {
      await drainer.flush(message.deadline)
      post({type: 'flushed'})
      break
    }

    case 'close': {
      await drainer.flush(message.deadline)
      spool.close()
      await served.backend.close()
      post({type: 'closed'})
      port.close()
      break
    }
  }
})
drainer.kick()
post({type: 'ready'})
