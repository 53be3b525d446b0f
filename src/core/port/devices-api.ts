/**
 * The device inventory API (issue 4). Onboarding state and health are computed by the backend
 * from the inventory, collections, deployed policies and integration state (CM6, DC1–DC5,
 * TP1/TP3), so every backend answers the same way for the same data.
 */
import type {OffboardRequest, OffboardResult} from '../device/offboard.js'
import type {Page, PageRequest} from './page.js'
import type {Device, DeviceFilter, DeviceRecord, ImportSummary, SensorReport} from '../device/types.js'
import type {Operation} from './operations-api.js'
import type {DeleteImpact} from '../endpoint-lifecycle.js'
import type {RemovalOptions} from './collections-api.js'

export interface DeviceListOptions extends DeviceFilter, PageRequest {
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
   * issue 15). A record equal to the stored device is counted `unchanged` and left as it is;
   * importing the same file again is `changed: false` (issue 11 item 4).
   */
  import(request: {records: AsyncIterable<DeviceRecord> | Iterable<DeviceRecord>}): Promise<ImportSummary>
  /** One device by name (case-insensitive); NotFoundError (exit 3) when unknown. */
  get(name: string, options?: {periodMs?: number}): Promise<Device>
  /** By name (case-insensitive order). */
  list(options?: DeviceListOptions): Promise<Page<Device>>
  /**
   * Deletes devices from the inventory, all or nothing (an unknown name is exit 3). A device
   * that is a direct member of collections or an explicit member of groups is in use: refused
   * (RuleError IN_USE, exit 4) unless `force`. `dryRun` reports the impact only.
   */
  delete(request: {names: string[]} & RemovalOptions): Promise<{devices: string[]; changed: boolean; impact: DeleteImpact}>
  /**
   * A live third-party sensor reports its machine (issue 7): creates or updates the device as
   * managed by `third-party:<provider>`, lastSeen = now, sensor service running. It counts as
   * onboarded while the provider's integration is on (TP1/TP3). The provider must be known.
   */
  reportFromSensor(report: SensorReport): Promise<Device>
  /**
   * Offboards ONE device (seed 001, DC9) and returns the operation that does it: the
   * embedded backend offboards it in the model at once (succeeded); a real tenant sends the
   * offboard machine action, which finishes later. Never a second action: a device already
   * offboarded, or with an offboarding still pending, answers with that operation. The comment
   * is required and stored. A device the action cannot offboard (Linux, macOS, mobile; one not
   * onboarded) is refused by the core rule (exit 4); an unknown one is NotFoundError (exit 3).
   * Bulk, journal and progress belong to the caller.
   */
  offboard(request: OffboardRequest): Promise<Operation<OffboardResult>>
}
