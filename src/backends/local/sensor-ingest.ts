/**
 * What `atpctl serve` does with a third-party sensor's data in the embedded backend (issue 15):
 * the provider-ownership check of every sensor route (one rule, assertSensorMayWrite, called
 * here only), registration, and the processing of acknowledged spool events in batches: one
 * write transaction for many events, each event in its own savepoint, and the spool's progress
 * recorded in that same transaction so that a replay after a crash processes nothing twice.
 */
import type {Device, SensorReport} from '../../core/device/types.js'
import {isAtpError} from '../../core/errors.js'
import {findProvider} from '../../core/integration/catalogue.js'
import {
  assertSensorMayWrite,
  pendingSensorEvents,
  type SensorEvent,
  sensorActor,
  sensorEventDevice,
  type SensorOperation,
} from '../../core/integration/sensor.js'
import type {SubmitFileRequest} from '../../core/port/detection-api.js'
import {localDetectionEngine} from './detection.js'
import {getDevice, reportFromSensorIn, unpackList} from './devices.js'
import type {LocalStore, StoreSql} from './store.js'

/**
 * How long a batch waits for another process's write lock on the tenant database before it
 * gives up and is retried later: the thread stays free to answer, and to stop.
 */
const BUSY_WAIT_MS = 250

export interface IngestResult {
  /** Events turned into alerts or device reports, or refused by a rule (audited). */
  processed: number
  /** Events an earlier run already processed, and heartbeats superseded within the batch. */
  skipped: number
  /** Unexpected failures (bugs): that event's changes were rolled back and it is dropped. */
  failures: {id: number; kind: string; message: string}[]
}

export interface SensorIngest {
  /** Refuses, with an audit record, a token speaking for a device its provider does not own (403, exit 5). */
  authorize(provider: string, name: string, operation: SensorOperation): Promise<void>
  /** Registers the sensor's machine under its provider: the ownership check and the write in one transaction. */
  register(report: SensorReport): Promise<Device>
  /** Processes a batch of one spool's events, oldest first, in one transaction. */
  ingest(spoolId: string, events: SensorEvent[]): Promise<IngestResult>
}

/** `runAs` runs a function with the audit actor set (the served backend's context; it follows the function's awaits). */
export function localSensorIngest(store: LocalStore, runAs: <T>(actor: string, fn: () => T) => T): SensorIngest {
  const detection = localDetectionEngine(store)
  const managedDevice = async (s: StoreSql, name: string) => {
    const row = await s.get<{name: string; managed_by: string}>('SELECT name, managed_by FROM device WHERE name = ?', name)
    return row ? {name: row.name, managedBy: unpackList(row.managed_by)} : null
  }

  /** The ownership rule, with the refusal audited (in the caller's transaction, if any); `s` is the handle of the operation holding the store. */
  const check = async (s: LocalStore, provider: string, name: string, operation: SensorOperation) => {
    const device = await managedDevice(s, name)
    try {
      assertSensorMayWrite(provider, name, device, operation)
    } catch (error) {
      s.mutateNow(`sensor.${operation}`, `device:${device?.name ?? name}`, () => {
        throw error
      })
    }
  }

  const lastProcessed = 'SELECT last_event_id FROM sensor_spool_progress WHERE spool_id = ?'
  const saveProgress = `INSERT INTO sensor_spool_progress (spool_id, last_event_id, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (spool_id) DO UPDATE SET last_event_id = ${store.dialect.greater('last_event_id', 'excluded.last_event_id')}, updated_at = excluded.updated_at`

  /** Devices as this batch last saw them: only the batch's own heartbeats change them meanwhile (it holds the write lock). */
  type Seen = Map<string, Device>
  const processOne = async (s: LocalStore, event: SensorEvent, seen: Seen) => {
    const device = sensorEventDevice(event)
    const key = device.toLowerCase()
    if (event.kind === 'heartbeat') {
      seen.delete(key)
      const report: SensorReport = {name: device, os: String(event.body.os), version: (event.body.version as string | null) ?? null, provider: event.provider}
      seen.set(key, await reportFromSensorIn(s, report, (existing) => assertSensorMayWrite(event.provider, device, existing, 'heartbeat')))
    } else {
      await check(s, event.provider, device, 'file')
      await detection.submitFileIn(s, event.body as unknown as SubmitFileRequest, async (name) => {
        if (/^[0-9a-f]{40}$/.test(name)) return undefined // a machine id: the engine resolves it
        const k = name.toLowerCase()
        let d = seen.get(k)
        if (!d) {
          d = await getDevice(s, name)
          seen.set(k, d)
        }

        return d
      })
    }
  }

  return {
    async authorize(provider, name, operation) {
      return store.hold((held) => runAs(sensorActor(provider, name), () => check(held, provider, name, operation)))
    },

    async register(report) {
      const provider = findProvider(report.provider).id
      return store.hold((held) =>
        runAs(sensorActor(provider, report.name), () =>
          reportFromSensorIn(held, report, (existing) => assertSensorMayWrite(provider, report.name, existing, 'register')),
        ),
      )
    },

    async ingest(spoolId, events) {
      if (events.length === 0) return {processed: 0, skipped: 0, failures: []}
      return store.transaction(async (tx) => {
        const pending = pendingSensorEvents(events, (await tx.value<number>(lastProcessed, spoolId)) ?? 0)
        const failures: IngestResult['failures'] = []
        const seen: Seen = new Map()
        for (const event of pending) {
          try {
            // Every write of an event is inside the store's mutate, a savepoint here: what a
            // failed event wrote is undone alone, and a refusal (TP3, not onboarded, not its
            // provider's) is undone and audited by the store, and final for that event.
            await runAs(sensorActor(event.provider, sensorEventDevice(event)), () => processOne(tx, event, seen))
          } catch (error) {
            seen.delete(sensorEventDevice(event).toLowerCase())
            if (isAtpError(error)) continue
            // The database itself failing (busy, full, I/O) fails the whole batch: nothing is
            // recorded, the events stay in the spool for a retry.
            if (store.dialect.isDatabaseFailure(error)) throw error
            failures.push({id: event.id, kind: event.kind, message: (error as Error).stack ?? String(error)})
          }
        }

        tx.run(saveProgress, spoolId, Math.max(...events.map((e) => e.id)), store.now().toISOString())
        return {processed: pending.length - failures.length, skipped: events.length - pending.length, failures}
      }, {busyWaitMs: BUSY_WAIT_MS})
    },
  }
}
