import type {Backend} from '../backends/types.js'
import type {SpooledEvent} from './spool.js'

type Loose = Record<string, Record<string, ((...args: unknown[]) => Promise<unknown>) | undefined> | undefined>

/** Hands one acknowledged sensor event to the backend, as the sensor's provider. */
export async function processSpooledEvent(backend: Backend, withActor: <T>(actor: string, fn: () => Promise<T>) => Promise<T>, event: SpooledEvent): Promise<void> {
  const loose = backend as unknown as Loose
  const device = String(event.kind === 'heartbeat' ? event.body.name : event.body.device)
  const actor = `sensor:${event.provider}:${device}`.slice(0, 300)
  if (event.kind === 'heartbeat') {
    const report = {name: event.body.name, os: event.body.os, version: event.body.version ?? null, provider: event.provider}
    await withActor(actor, () => loose.devices!.reportFromSensor!(report))
  } else {
    await withActor(actor, () => loose.detection!.submitFile!(event.body))
  }
}
