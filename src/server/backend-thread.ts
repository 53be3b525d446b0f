/**
 * The worker thread of `atpctl serve` that owns the tenant database: it runs every backend call
 * the request thread forwards (one connection, so no writer ever waits on another) and drains
 * the sensor event spool in between. The request thread only parses, authenticates, validates,
 * commits sensor events to the spool and answers, and never blocks on SQLite.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {isAtpError} from '../core/errors.js'
import {toEnvelope} from '../lib/http-errors.js'
import {applyWithFile, openServedBackend} from './served-backend.js'
import {openSpool, startDrainer} from './spool.js'
import {processSpooledEvent} from './spool-processor.js'

export type ToThread =
  | {type: 'call'; id: number; op: string; args: unknown[]; actor: string | undefined}
  /** Streamed operation `op` with the checked records of an NDJSON file the request thread received. */
  | {type: 'call-with-file'; id: number; op: string; file: string; maxLineChars: number; actor: string | undefined}
  | {type: 'kick' | 'flush' | 'close'}

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
  process: (event) => processSpooledEvent(served.backend, served.withActor, event),
  onProcessed: (ids) => post({type: 'processed', ids}),
  onError: (event, error) => post({type: 'error', message: `sensor event ${event.id} (${event.kind}) dropped: ${(error as Error).stack ?? String(error)}`}),
})

async function call(message: Extract<ToThread, {type: 'call' | 'call-with-file'}>): Promise<void> {
  const [resource, method] = message.op.split('.')
  try {
    const target = (served.backend as unknown as Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>>)[resource]
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
      await drainer.flush()
      post({type: 'flushed'})
      break
    }

    case 'close': {
      await drainer.flush()
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
