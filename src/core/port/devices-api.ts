/**
 * The device inventory API (issue 4). Onboarding state and health are computed by the backend
 * from the inventory, collections, deployed policies and integration state (CM6, DC1–DC5,
 * TP1/TP3), so every backend answers the same way for the same data.
 */
import type {Device, DeviceFilter, DeviceRecord, ImportSummary, SensorReport} from '../device/types.js'

export interface DeviceListOptions extends DeviceFilter {
  /** Health period: a device with no data for this long is Inactive (default 7 days, CM6). */
  periodMs?: number
}

export interface DeviceApi {
  /**
   * Upserts records by name in one transaction (all or nothing) and re-evaluates collection
   * query rules. The inventory's `collections` replace the device's inventory-sourced direct
   * memberships; missing collections are created. `records` may be any iterable, synchronous or
   * async (a file being read): the embedded backend writes each record as it comes (so a reader
   * can stream a large file through), awaiting it inside its transaction when the iterable is
   * async, and an error thrown by the iterable rolls the whole import back; the remote backend
   * streams the records to the server as NDJSON while it iterates (one transaction there too;
   * issue 15).
   */
  import(request: {records: AsyncIterable<DeviceRecord> | Iterable<DeviceRecord>}): Promise<ImportSummary>
  /** One device by name (case-insensitive); NotFoundError (exit 3) when unknown. */
  get(name: string, options?: {periodMs?: number}): Promise<Device>
  list(options?: DeviceListOptions): Promise<Device[]>
  /**
   * A live third-party sensor reports its machine (issue 7): creates or updates the device as
   * managed by `third-party:<provider>`, lastSeen = now, sensor service running. It counts as
   * onboarded while the provider's integration is on (TP1/TP3). The provider must be known.
   */
  reportFromSensor(report: SensorReport): Promise<Device>
}
