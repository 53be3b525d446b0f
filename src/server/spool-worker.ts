/**
 * Worker thread of `atpctl serve` that drains the sensor event spool into the backend, so the
 * request thread only checks, commits and acknowledges. It has its own database connections
 * (SQLite serialises the writers). Messages: 'kick' (something was enqueued), 'flush' (drain
 * everything, answer 'flushed'), 'close'.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {openServedBackend} from './served-backend.js'
import {openSpool, startDrainer} from './spool.js'
import {processSpooledEvent} from './spool-processor.js'

const {databasePath, spoolPath, profile} = workerData as {databasePath: string; spoolPath: string; profile: string}
const served = await openServedBackend(databasePath, profile)
const spool = await openSpool(spoolPath)
const drainer = startDrainer({
  spool,
  yieldEvery: 0,
  process: (event) => processSpooledEvent(served.backend, served.withActor, event),
  onError: (event, error) => parentPort!.postMessage({type: 'error', message: `sensor event ${event.id} (${event.kind}) dropped: ${(error as Error).stack ?? String(error)}`}),
})
parentPort!.on('message', async (message: string) => {
  if (message === 'kick') drainer.kick()
  else if (message === 'flush') {
    await drainer.flush()
    parentPort!.postMessage({type: 'flushed'})
  } else if (message === 'close') {
    await drainer.flush()
    spool.close()
    await served.backend.close()
    parentPort!.postMessage({type: 'closed'})
    parentPort!.close()
  }
})
drainer.kick()
parentPort!.postMessage({type: 'ready'})
