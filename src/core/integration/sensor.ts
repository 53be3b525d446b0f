/**
 * Rules for what a third-party sensor (seed 000, TP2) may say through its provider's token, and
 * how its acknowledged events are processed (issue 15). Pure: no database, no clock.
 */
import {AuthError} from '../errors.js'

export type SensorEventKind = 'file' | 'heartbeat'

/** An acknowledged sensor event as the server's spool keeps it. */
export interface SensorEvent {
  /** Increasing within one spool; never reused. */
  id: number
  kind: SensorEventKind
  provider: string
  tokenId: string
  /** The validated sensor body: {name, os, version} for a heartbeat, {device, fileName, path, contentBase64} for a file. */
  body: Record<string, unknown>
  receivedAt: string
}

/** What a sensor call does to a device: `register` may create it, the others need it registered. */
export type SensorOperation = 'register' | 'heartbeat' | 'file'

/** The managers recorded for a device; null when no device has that name. */
export interface ManagedDevice {
  name: string
  managedBy: readonly string[]
}

/**
 * A provider's token speaks only for the machines of that provider (TP2): it may create a
 * device by registering it, and update or report files for a device managed by that provider
 * alone. A device that anything else manages (ConfigMgr, Intune, Defender for Cloud, another
 * provider, or nothing yet, as an inventory row without a manager) is refused, so a token can
 * never rewrite a machine it does not own. Throws an AuthError (403, exit 5).
 */
export function assertSensorMayWrite(provider: string, name: string, device: ManagedDevice | null, operation: SensorOperation): void {
  const own = `third-party:${provider}`
  if (device === null) {
    if (operation === 'register') return
    throw new AuthError(`Device '${name}' is not registered by provider '${provider}'; its token cannot report for it.`, {
      code: 'FORBIDDEN',
      suggestions: ["Register the machine first with the provider's token (POST /v1/sensor/register)."],
    })
  }

  if (device.managedBy.length > 0 && device.managedBy.every((m) => m === own)) return
  const others = device.managedBy.filter((m) => m !== own)
  const by = others.length > 0 ? `managed by ${others.join(', ')}` : 'in the inventory without a manager'
  throw new AuthError(`Device '${device.name}' is ${by}, not by provider '${provider}' alone; the provider's token cannot ${operation === 'file' ? 'report files for' : 'update'} it.`, {
    code: 'FORBIDDEN',
    suggestions: [
      "A provider's token speaks only for the machines its own sensors registered.",
      `If the provider now manages this machine, change its managedBy to third-party:${provider} in the inventory (atpctl device import).`,
    ],
  })
}

/** The audit actor of a sensor event. */
export function sensorActor(provider: string, device: string): string {
  return `sensor:${provider}:${device}`.slice(0, 300)
}

/** The device a sensor event is about. */
export function sensorEventDevice(event: Pick<SensorEvent, 'kind' | 'body'>): string {
  return String(event.kind === 'heartbeat' ? event.body.name : event.body.device)
}

/**
 * Several heartbeats of one machine in one batch count as its latest one: the ids of the
 * heartbeats that are processed (every other event kind is processed as it is).
 */
export function latestHeartbeats(events: readonly SensorEvent[]): Set<number> {
  const latest = new Map<string, number>()
  for (const e of events) if (e.kind === 'heartbeat') latest.set(`${e.provider}:${sensorEventDevice(e).toLowerCase()}`, e.id)
  return new Set(latest.values())
}

/**
 * Which events of a batch still need processing, given the last event id of this spool already
 * processed (recorded in the same transaction as what those events produced): a batch replayed
 * after a crash skips what it already turned into alerts and device reports (issue 15).
 */
export function pendingSensorEvents(events: readonly SensorEvent[], lastProcessedId: number): SensorEvent[] {
  const fresh = events.filter((e) => e.id > lastProcessedId)
  const heartbeats = latestHeartbeats(fresh)
  return fresh.filter((e) => e.kind !== 'heartbeat' || heartbeats.has(e.id))
}
