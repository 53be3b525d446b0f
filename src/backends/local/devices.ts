import {findProvider, INTUNE_PLATFORMS, type IntunePlatform} from '../../core/integration/catalogue.js'
import type {IntuneState} from '../../core/integration/types.js'
import {assertInboundAllowed, thirdPartyPath} from '../../core/integration/rules.js'
import {edrOnboarding} from '../../core/intune/edr.js'
import {describeReason, pathOf} from '../../core/device/onboarding.js'
import {createRowMemo, InventoryRowError, recheckRecord, sensorMachineRecord} from '../../core/device/inventory.js'
import type {Device, DeviceRecord, Health, ImportSummary, Manager, SensorReport} from '../../core/device/types.js'
import {deviceDeleteImpact, inUseLead, requireConfirmedRemoval} from '../../core/endpoint-lifecycle.js'
import {InvalidInputError, NotFoundError, RuleError, UnreachableError, UsageError} from '../../core/errors.js'
import {escapeName, NAME_RULES, nameKey, requireName} from '../../core/names.js'
import {type OffboardResult, offboardRefusal, requireOffboardComment} from '../../core/device/offboard.js'
import type {DeviceApi, DeviceListOptions} from '../../core/port/devices-api.js'
import type {Operation} from '../../core/port/operations-api.js'
import {findOperationRow, recordOperation} from './operations.js'
import {decodeCursor, encodeCursor, type Page, pageLimit} from '../../core/port/page.js'
import {ensureCollections, refreshCollections} from './collections.js'
import {LOCAL_MAX_PAGE} from './keyset.js'
import type {SqlDialect} from './sqlite-dialect.js'
import type {LocalStore, StoreSql} from './store.js'
import {requireTenantRow} from './tenant.js'
import {collectionId, DEFAULT_PERIOD_MS, deviceStateSql, sinceIso} from './device-state.js'

// Re-exported: the agent model's SQL and its helpers live in device-state.ts (policies and the monitor load only those).
export {collectionId, DEFAULT_PERIOD_MS, deviceStateSql, sinceIso}

/** Lists are stored wrapped in separators (";a;b;") so a membership test is one substring test. */
export const packList = (items: readonly string[]): string => (items.length === 0 ? '' : `;${items.join(';')};`)
export const unpackList = (packed: string | null): string[] => (packed ? packed.slice(1, -1).split(';') : [])

export interface DeviceRow {
  id: number
  name: string
  os: string
  version: string | null
  os_family: Device['osFamily']
  os_name: string
  build: number | null
  release: string | null
  level: Device['level']
  min_configmgr: number | null
  multi_session: number
  managed_by: string
  third_party: string | null
  environment: Device['environment']
  subscription: string | null
  user: string | null
  groups: string
  last_seen: string | null
  sensor_service: Device['sensorService']
  other_fanotify: number
  previous_install: number
  source: Device['source']
  updated_at: string
  policy_name: string | null
  edr_profile?: string | null
  reason_code: string
  onboarded: number
  health: Health
  collections?: string | null
  edr_connected?: number
  intune_enabled?: number
  intune_windows?: number
  intune_os_version?: string
  offboarded_at: string | null
  offboard_comment: string | null
  offboard_operation: string | null
}

export function toDevice(r: DeviceRow): Device {
  // The policy a reason names: the covering ConfigMgr policy, or the EDR profile for intune-* codes (decideOnboarding).
  const policy = r.reason_code.startsWith('intune-') ? (r.edr_profile ?? null) : r.policy_name
  return {
    name: r.name,
    os: r.os,
    version: r.version,
    osFamily: r.os_family,
    osName: r.os_name,
    build: r.build,
    release: r.release,
    level: r.level,
    minConfigMgr: r.min_configmgr,
    multiSession: r.multi_session === 1,
    managedBy: unpackList(r.managed_by) as Manager[],
    thirdPartyProvider: r.third_party,
    environment: r.environment,
    subscription: r.subscription,
    collections: r.collections ? r.collections.split('\u001F').sort() : [],
    user: r.user,
    groups: unpackList(r.groups),
    lastSeen: r.last_seen,
    sensorService: r.sensor_service,
    otherFanotifySolution: r.other_fanotify === 1,
    previousInstall: r.previous_install === 1,
    source: r.source,
    onboarded: r.onboarded === 1,
    onboarding: {
      onboarded: r.onboarded === 1,
      path: pathOf(r.reason_code),
      policy: r.reason_code === 'cm-onboarded' ? r.policy_name : null,
      reasonCode: r.reason_code,
      reason: describeReason(r.reason_code, {
        policy,
        osName: r.os_name,
        subscription: r.subscription,
        provider: r.third_party,
        environment: r.environment,
        edrReason: r.reason_code === 'intune-edr-not-onboarding' ? edrReasonOf(r, policy) : null,
        offboardedAt: r.offboarded_at,
      }),
    },
    health: r.health,
    updatedAt: r.updated_at,
    offboarded: r.offboarded_at === null ? null : {at: r.offboarded_at, comment: r.offboard_comment ?? '', operationId: r.offboard_operation},
  }
}

/**
 * Why the EDR profile that reaches an Intune device does not onboard it, in the words of the core
 * EDR rule that `edr-profile show` uses too (IN2, IN4).
 */
function edrReasonOf(r: DeviceRow, profile: string | null): string {
  const platforms = {} as IntuneState['platforms']
  for (const platform of Object.keys(INTUNE_PLATFORMS) as IntunePlatform[]) {
    platforms[platform] = {enabled: platform === 'windows' && r.intune_windows === 1, minimumVersion: INTUNE_PLATFORMS[platform].minimumVersion}
  }

  const connection: IntuneState = {enabled: r.intune_enabled === 1, connectorId: '', platforms, changedAt: null, classicPolicyId: null}
  const device = {id: String(r.id), name: r.name, user: r.user, groups: [], osFamily: r.os_family, osVersion: r.intune_os_version ?? '', managedByIntune: true, risk: 'None' as const}
  return edrOnboarding(device, `EDR profile '${profile}'`, connection).reason
}

/** The names of device `st`'s collections, joined with the unit separator. */
const collectionsOf = (dialect: SqlDialect) =>
  `(SELECT ${dialect.joinWithUnitSeparator('c.name')} FROM collection_member cm JOIN collection c ON c.id = cm.collection_id WHERE cm.device_id = st.id)`

/** The device columns' conditions of a listing's filters (on `d`, a device_v row), with their parameters. */
async function deviceConditions(store: LocalStore, options: DeviceListOptions & {name?: string}): Promise<{conditions: string[]; params: Record<string, unknown>}> {
  const db: StoreSql = store
  const conditions: string[] = []
  const params: Record<string, unknown> = {}
  if (options.name !== undefined) {
    conditions.push('d.name_key = @nameKey') // case-insensitive for every script (issue 16)
    params.nameKey = nameKey(options.name)
  }

  if (options.namePrefix) {
    // hasNamePrefix (core) on the stored name key; pinned by the contract cases on every backend.
    conditions.push('substr(d.name_key, 1, length(@namePrefix)) = @namePrefix')
    params.namePrefix = nameKey(options.namePrefix)
  }

  if (options.collection !== undefined) {
    const id = await collectionId(db, options.collection)
    conditions.push('d.id IN (SELECT device_id FROM collection_member WHERE collection_id = @collectionId)')
    params.collectionId = id
  }

  if (options.osFamily) {
    conditions.push('d.os_family = @osFamily')
    params.osFamily = options.osFamily
  }

  if (options.os) {
    conditions.push(`(${store.dialect.contains('lower(d.os)', 'lower(@os)')} OR ${store.dialect.contains('lower(d.os_name)', 'lower(@os)')})`)
    params.os = options.os
  }

  if (options.level) {
    conditions.push('d.level = @level')
    params.level = options.level
  }

  if (options.managedBy) {
    conditions.push(store.dialect.contains('lower(d.managed_by)', "';' || lower(@managedBy) || ';'"))
    params.managedBy = options.managedBy
  }

  return {conditions, params}
}

/** A range of device names, `after` < name <= `upto` (NOCASE, the order of listings); null: unbounded. */
interface NameRange {
  after: string | null
  upto: string | null
}

/**
 * Devices with their computed state, filtered, row by row, by name; throws for an unknown
 * collection filter. With `range`, only the devices whose names are in it: the state is
 * computed for those only, so a page costs its own devices, wherever it is in the list.
 */
export async function queryDevices(store: LocalStore, options: DeviceListOptions & {name?: string}, range?: NameRange): Promise<DeviceRow[]> {
  const db: StoreSql = store
  const {conditions, params: filterParams} = await deviceConditions(store, options)
  const params: Record<string, unknown> = {...filterParams, since: sinceIso(store, options.periodMs)}
  if (range?.after != null) {
    conditions.push('d.name > @after')
    params.after = range.after
  }

  if (range?.upto != null) {
    conditions.push('d.name <= @upto')
    params.upto = range.upto
  }

  const outer: string[] = []
  if (options.health) {
    outer.push('st.health = @health')
    params.health = options.health
  }

  if (options.onboarded !== undefined) {
    outer.push('st.onboarded = @onboarded')
    params.onboarded = options.onboarded ? 1 : 0
  }

  const sql = `SELECT st.*, ${collectionsOf(store.dialect)} AS collections FROM (${deviceStateSql(store.dialect, conditions.join(' AND ') || '1')}) st
    ${outer.length > 0 ? 'WHERE ' + outer.join(' AND ') : ''} ORDER BY st.name`
  return db.all<DeviceRow>(sql, params)
}

/** Devices a health or onboarding filter (computed state) may skip are scanned at most this many per page. */
const DEVICE_SCAN_BUDGET = 50_000

/**
 * One page of devices by name (keyset: the cursor is the last name read; names are unique,
 * case-insensitively). The page's range of names is found first on the name index (the
 * filters on stored columns applied), then the state of those devices only is computed. A
 * filter on the computed state (health, onboarded) may drop devices of a range: the next
 * range is read until the page is full, or DEVICE_SCAN_BUDGET devices were read; then the page
 * may hold fewer than asked, with a cursor where the scan stopped.
 */
export async function pageDevices(store: LocalStore, options: DeviceListOptions): Promise<Page<Device>> {
  const db: StoreSql = store
  const limit = pageLimit(options.limit, LOCAL_MAX_PAGE)
  let after = options.cursor === undefined ? null : String(decodeCursor('devices', options.cursor, ['string'])[0])
  const {conditions, params} = await deviceConditions(store, options)
  const computed = options.health !== undefined || options.onboarded !== undefined
  // With no filter on the computed state, one range of limit + 1 devices is the page and says whether more exist.
  const window = computed ? Math.max(limit + 1, 2000) : limit + 1
  // The end of the next range: `after` as its own condition (not `@after IS NULL OR …`), so the name index seeks to it.
  const rangeEnd = (from: string | null) =>
    db.get<{name: string}>(`SELECT d.name FROM device_v d WHERE ${[...conditions, ...(from === null ? [] : ['d.name > @after'])].join(' AND ') || '1'} ORDER BY d.name LIMIT 1 OFFSET @offset`, {...params, ...(from === null ? {} : {after: from}), offset: window - 1})
  const rows: DeviceRow[] = []
  for (let scanned = 0; ; scanned += window) {
    if (scanned >= DEVICE_SCAN_BUDGET) return {items: rows.map(toDevice), nextCursor: after === null ? null : encodeCursor('devices', [after])}
    const upto = (await rangeEnd(after))?.name ?? null
    // A range holds at most `window` devices: its rows come as one array.
    for (const row of await queryDevices(store, options, {after, upto})) {
      if (rows.length === limit) return {items: rows.map(toDevice), nextCursor: encodeCursor('devices', [rows[limit - 1].name])}
      rows.push(row)
    }

    if (upto === null) return {items: rows.map(toDevice), nextCursor: null}
    after = upto
  }
}



export function deviceNotFound(name: string): NotFoundError {
  return new NotFoundError(`Device '${escapeName(name)}' is not in the inventory.`, {
    suggestions: ['List devices: atpctl device list', 'Import an inventory: atpctl device import inventory.csv'],
  })
}

export async function getDevice(store: LocalStore, name: string, periodMs?: number): Promise<Device> {
  const [row] = await queryDevices(store, {name, periodMs})
  if (!row) throw deviceNotFound(name)
  return toDevice(row)
}

const UPSERT_COLUMNS = [
  'name',
  'name_key',
  'os_class',
  'managed_by',
  'environment',
  'subscription',
  'inv_collections',
  'user',
  'groups',
  'last_seen',
  'sensor_service',
  'other_fanotify',
  'previous_install',
]

/** An upsert's update of the device that has the name already (compared by name key: case-insensitive beyond ASCII). */
const UPDATED_COLUMNS = [...UPSERT_COLUMNS.filter((c) => c !== 'name' && c !== 'name_key'), 'source']
/** A device whose values are all the same is left alone (not counted as updated, its updated_at kept: issue 11 item 4). */
const ON_CONFLICT_SQL = `ON CONFLICT(name_key) DO UPDATE SET ${[...UPDATED_COLUMNS, 'updated_at'].map((c) => `${c} = excluded.${c}`).join(', ')}
  WHERE ${UPDATED_COLUMNS.map((c) => `device.${c} IS NOT excluded.${c}`).join(' OR ')}`

/** The upsert by name; source and time are the same for the whole batch, so they are literals. */
function upsertSql(source: 'inventory' | 'sensor', now: string, plainInsert = false): string {
  const insert = `INSERT INTO device (${UPSERT_COLUMNS.join(', ')}, source, updated_at) VALUES (${UPSERT_COLUMNS.map(() => '?').join(', ')}, '${source}', '${now}')`
  // Into an empty inventory (names already checked unique) a plain insert is enough.
  if (plainInsert) return insert
  return `${insert}
  ${ON_CONFLICT_SQL}`
}

/**
 * The os_class id of a record's (os, version) pair, inserting or refreshing each pair's
 * classification once per call of this factory (an import sees a handful of distinct pairs).
 */
function osClassIds(db: StoreSql): (r: DeviceRecord) => Promise<number> {
  const ids = new Map<string, Map<string, number>>()
  const find = 'SELECT id FROM os_class WHERE os = ? AND version = ?'
  const insert = `INSERT INTO os_class (os, version, os_family, os_name, build, release, level, min_configmgr, multi_session) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(os, version) DO UPDATE SET os_family = excluded.os_family, os_name = excluded.os_name, build = excluded.build, release = excluded.release,
       level = excluded.level, min_configmgr = excluded.min_configmgr, multi_session = excluded.multi_session`
  return async (r) => {
    let versions = ids.get(r.os)
    if (!versions) {
      versions = new Map()
      ids.set(r.os, versions)
    }

    const version = r.version ?? ''
    let id = versions.get(version)
    if (id === undefined) {
      db.run(insert, r.os, version, r.osFamily, r.osName, r.build, r.release, r.level, r.minConfigMgr, r.multiSession ? 1 : 0)
      id = (await db.get<{id: number}>(find, r.os, version))!.id
      versions.set(version, id)
    }

    return id
  }
}

/**
 * The upsert's values for one record. Inventories repeat the same list values (the core
 * shares one array per distinct cell), so packed lists are cached by array.
 */
function rowValueBuilder(): (r: DeviceRecord, osClass: number) => unknown[] {
  const packed = new WeakMap<readonly string[], string>()
  const lowerPacked = new WeakMap<readonly string[], string>()
  const pack = (items: readonly string[], cache: WeakMap<readonly string[], string>, lower: boolean) => {
    let hit = cache.get(items)
    if (hit === undefined) {
      hit = packList(lower ? items.map((c) => nameKey(c)) : items)
      cache.set(items, hit)
    }

    return hit
  }

  return (r, osClass) => [
    r.name,
    nameKey(r.name),
    osClass,
    pack(r.managedBy, packed, false),
    r.environment,
    r.subscription,
    pack(r.collections, lowerPacked, true),
    r.user,
    pack(r.groups, packed, false),
    r.lastSeen,
    r.sensorService,
    r.otherFanotifySolution ? 1 : 0,
    r.previousInstall ? 1 : 0,
  ]
}

/** A record the row rules refused: exit 7, like a bad inventory row, nothing imported. */
function invalidRecord(error: InventoryRowError): InvalidInputError {
  return new InvalidInputError(`Record ${error.line}: ${error.message}; nothing was imported.`, {
    code: 'INVALID_INVENTORY',
    suggestions: ['Fix that record; `atpctl device import` reports every invalid row of a file with its line number.'],
    details: {invalid: [{line: error.line, field: error.field, message: error.message}]},
  })
}

/** An import of at most 1/SMALL_IMPORT_SHARE of the inventory re-evaluates only its own devices' collections. */
const SMALL_IMPORT_SHARE = 100

/** Rows staged by one statement (64 rows of 13 values, far below SQLite's 32,766 variables). */
const STAGE_BATCH = 64

/** What an import staged: the record count, one record per distinct (os, version) pair, the collections named. */
interface StagedImport {
  total: number
  pairs: DeviceRecord[]
  collections: Map<string, string>
}

/**
 * Checks each record and writes its row values into a TEMP table, the connection's own
 * temporary file: writing it takes no lock on the tenant database, so other writers go on while
 * a large file is read, and a killed process leaves nothing behind (SQLite deletes the file
 * with the process). `os_class` holds the index of the record's (os, version) pair in `pairs`
 * until the write transaction knows the ids. An error from the records (a bad row at the end
 * of the file) rolls the staging back.
 */
async function stageRecords(store: LocalStore, records: AsyncIterable<DeviceRecord> | Iterable<DeviceRecord>): Promise<StagedImport> {
  const db: StoreSql = store
  // `seq` numbers the rows in file order (the order they are moved in).
  db.exec(`DROP TABLE IF EXISTS import_stage;
    CREATE TEMP TABLE import_stage (seq ${store.dialect.rowNumberKey}, ${UPSERT_COLUMNS.map((c) => (c === 'name_key' ? 'name_key TEXT NOT NULL UNIQUE' : c)).join(', ')})`)
  // Rows go in STAGE_BATCH at a time: one statement run per batch instead of per row (staging
  // 100,000 rows measured 790 -> 590 ms); the last few rows one by one.
  const row = `(${UPSERT_COLUMNS.map(() => '?').join(', ')})`
  const insertSql = (rows: number) => `INSERT INTO import_stage (${UPSERT_COLUMNS.join(', ')}) VALUES ${Array.from({length: rows}, () => row).join(', ')}`
  const insertBatch = insertSql(STAGE_BATCH)
  const insertOne = insertSql(1)
  let batch: unknown[] = []
  let batchNames: string[] = []
  // A full batch goes in as one statement; a repeated name fails it whole (nothing of it stays),
  // and the rest of a file, or a failed batch, goes in row by row, which names the repeat.
  const flush = (whole: boolean) => {
    let done = false
    if (whole) {
      try {
        db.run(insertBatch, batch)
        done = true
      } catch (error) {
        if (!store.dialect.isUniqueViolation(error)) throw error
      }
    }

    for (let i = 0; !done && i < batchNames.length; i++) {
      try {
        db.run(insertOne, batch.slice(i * UPSERT_COLUMNS.length, (i + 1) * UPSERT_COLUMNS.length))
      } catch (error) {
        if (store.dialect.isUniqueViolation(error)) throw repeated(batchNames[i])
        throw error
      }
    }

    batch = []
    batchNames = []
  }
  const staged: StagedImport = {total: 0, pairs: [], collections: new Map()}
  const pairs = new Map<string, Map<string, number>>()
  const pairOf = (r: DeviceRecord): number => {
    let versions = pairs.get(r.os)
    if (!versions) {
      versions = new Map()
      pairs.set(r.os, versions)
    }

    let pair = versions.get(r.version ?? '')
    if (pair === undefined) {
      pair = staged.pairs.push(r) - 1
      versions.set(r.version ?? '', pair)
    }

    return pair
  }

  const values = rowValueBuilder()
  const memo = createRowMemo()
  // Rows share one array per distinct collections cell: each is looked at once.
  const listsSeen = new WeakSet<readonly string[]>()
  // Names are unique by their name key, as in the device table: the staging table's unique index
  // refuses a repeat (a JS set of a million names costs more, in garbage collection).
  const repeated = (name: string) => new InvalidInputError(`Device '${name}' appears more than once in the records; names are unique (case-insensitive).`)
  const take = (given: DeviceRecord) => {
    // Every record is re-checked by the inventory's own row rules, whoever sent it, and its
    // classification recomputed from its OS fields (issue 15 item 3).
    let r: DeviceRecord
    try {
      r = recheckRecord(given, staged.total + 1, memo)
    } catch (error) {
      if (error instanceof InventoryRowError) throw invalidRecord(error)
      throw error
    }

    if (!listsSeen.has(r.collections)) {
      listsSeen.add(r.collections)
      for (const c of r.collections) if (!staged.collections.has(nameKey(c))) staged.collections.set(nameKey(c), c)
    }

    batch.push(...values(r, pairOf(r)))
    batchNames.push(r.name)
    if (batchNames.length === STAGE_BATCH) flush(true)
    staged.total++
  }

  // A deferred transaction that writes only TEMP tables never takes the database's write lock.
  // Records of a synchronous iterable are taken without an await; those of an async one (a file
  // being read) are awaited one by one, the transaction staying open meanwhile.
  await store.transaction(
    (): void | Promise<void> => {
      if (Symbol.iterator in records) {
        for (const given of records) take(given)
        flush(false)
        return
      }

      return (async () => {
        for await (const given of records) take(given)
        flush(false)
      })()
    },
    {lock: 'deferred'},
  )
  return staged
}

/** Moves the staged rows into the device table in file order, with their os_class ids; an upsert unless the inventory is empty. */
function moveStagedSql(now: string, plainInsert: boolean): string {
  const select = UPSERT_COLUMNS.map((c) => (c === 'os_class' ? '(SELECT id FROM import_os WHERE pair = s.os_class)' : `s.${c}`))
  // WHERE true: an upsert from a SELECT needs a WHERE clause for its ON CONFLICT to parse.
  const insert = `INSERT INTO device (${UPSERT_COLUMNS.join(', ')}, source, updated_at)
    SELECT ${select.join(', ')}, 'inventory', '${now}' FROM import_stage s WHERE true ORDER BY s.seq`
  return plainInsert ? insert : `${insert}\n  ${ON_CONFLICT_SQL}`
}

/** The rows of the named devices, all of them or NotFoundError naming the missing ones; each once. */
async function deviceRows(db: StoreSql, names: string[]): Promise<{id: number; name: string; inv_collections: string}[]> {
  const find = 'SELECT id, name, inv_collections FROM device WHERE name_key = ?'
  const rows = new Map<number, {id: number; name: string; inv_collections: string}>()
  const missing: string[] = []
  for (const n of names) {
    const row = await db.get<{id: number; name: string; inv_collections: string}>(find, nameKey(n))
    if (row) rows.set(row.id, row)
    else missing.push(n)
  }

  if (missing.length > 0) {
    throw new NotFoundError(`Device${missing.length > 1 ? 's' : ''} not in the inventory: ${missing.map(escapeName).join(', ')}. Nothing was deleted.`, {
      suggestions: ['Check the names with: atpctl device list'],
    })
  }

  return [...rows.values()]
}

export function localDeviceApi(store: LocalStore): DeviceApi {
  const db: StoreSql = store
  return {
    async import({records}) {
      // The connection is this import's from staging to the drop of its temporary tables.
      return store.hold(async (held) => {
        await requireTenantRow(held)
        held.expectLargeWrite()
        // Read, check and stage every record first, without the write lock (issue 15 item 9):
        // other writers wait for the one short transaction below, not for the file to be parsed.
        try {
          let staged: StagedImport
          try {
            staged = await stageRecords(held, records)
          } catch (error) {
            return held.refuse('device.import', '-', error)
          }

          // The staged records stay put, so this transaction may be retried after a busy database.
          return await held.mutate('device.import', (summary: ImportSummary) => `${summary.total} device(s)`, async (tx): Promise<ImportSummary> => {
            const now = store.now().toISOString()
            const before = (await tx.value<number>('SELECT COUNT(*) FROM device'))!
            const osClass = osClassIds(tx)
            tx.exec('CREATE TEMP TABLE IF NOT EXISTS import_os (pair INTEGER PRIMARY KEY, id INTEGER NOT NULL); DELETE FROM import_os')
            const pairId = 'INSERT INTO import_os (pair, id) VALUES (?, ?)'
            for (const [pair, r] of staged.pairs.entries()) tx.run(pairId, pair, await osClass(r))
            // Into an empty inventory a plain insert is enough (the staging table already refused a
            // name given twice, with the device table's own case-insensitive collation).
            const written = tx.run(moveStagedSql(now, before === 0)).changes
            const {created: collectionsCreated} = await ensureCollections(tx, [...staged.collections.values()])
            const after = (await tx.value<number>('SELECT COUNT(*) FROM device'))!
            // A few devices into a large inventory: re-evaluate only their memberships (every rule
            // is a test of one device), so a small import holds the write lock for milliseconds
            // instead of a pass over the whole inventory. A new collection may be named by devices
            // imported before (it was deleted since): then, and for large imports, all of them.
            if (collectionsCreated.length === 0 && staged.total * SMALL_IMPORT_SHARE <= after) {
              const ids = await tx.column<number>('SELECT d.id FROM import_stage s JOIN device d ON d.name_key = s.name_key')
              for (const deviceId of ids) await refreshCollections(tx, {deviceId})
            } else {
              await refreshCollections(tx)
            }

            const created = after - before
            const updated = written - created
            return {total: staged.total, created, updated, unchanged: staged.total - written, skipped: 0, collectionsCreated, changed: written > 0 || collectionsCreated.length > 0}
          })
        } finally {
          held.exec('DROP TABLE IF EXISTS import_stage; DROP TABLE IF EXISTS import_os')
        }
      })
    },

    async get(name, options = {}) {
      await requireTenantRow(store)
      return getDevice(store, name, options.periodMs)
    },

    async list(options = {}) {
      await requireTenantRow(store)
      return pageDevices(store, options)
    },

    async delete(request) {
      await requireTenantRow(store)
      if (request.names.length === 0) throw new UsageError('No device to delete.', {suggestions: ['Name the devices: atpctl device delete NAME...']})
      const assess = async (s: StoreSql) => {
        const devices = await deviceRows(s, request.names)
        const collectionOf = 'SELECT name FROM collection WHERE name_key = ?'
        const direct = 'SELECT c.name FROM collection_direct cd JOIN collection c ON c.id = cd.collection_id WHERE cd.device_id = ?'
        const groups = "SELECT group_name FROM intune_group_member WHERE kind = 'device' AND member = ? ORDER BY group_name"
        const uses: {name: string; collections: string[]; groups: string[]}[] = []
        for (const d of devices) {
          const fromInventory: string[] = []
          for (const k of unpackList(d.inv_collections)) {
            const n = await s.value<string>(collectionOf, k)
            if (n !== undefined) fromInventory.push(n)
          }

          const collections = [...new Set([...fromInventory, ...(await s.column<string>(direct, d.id))])].sort()
          uses.push({name: d.name, collections, groups: await s.column<string>(groups, String(d.id))})
        }

        return {devices, impact: deviceDeleteImpact(uses)}
      }

      if (request.dryRun) {
        const {devices, impact} = await assess(db)
        return {devices: devices.map((d) => d.name), changed: false, impact}
      }

      return store.mutate('device.delete', request.names.length <= 10 ? request.names.join(', ') : `${request.names.length} devices`, async (tx) => {
        const {devices, impact} = await assess(tx)
        requireConfirmedRemoval(devices.length === 1 ? inUseLead(`Device '${escapeName(devices[0].name)}'`) : inUseLead(`Some of these ${devices.length} devices`, true), impact, request.force === true)
        const statements = [
          "DELETE FROM intune_group_member WHERE kind = 'device' AND member = CAST(? AS TEXT)",
          'DELETE FROM collection_member WHERE device_id = ?',
          // Alerts stay (their machine id and name keep the history); they no longer point at a row.
          'UPDATE alert SET device_id = NULL WHERE device_id = ?',
          'DELETE FROM device WHERE id = ?',
        ]
        for (const d of devices) for (const statement of statements) tx.run(statement, d.id)
        return {devices: devices.map((d) => d.name), changed: true, impact}
      })
    },

    async reportFromSensor(report: SensorReport) {
      return store.hold((held) => reportFromSensorIn(held, report))
    },

    async offboard(request) {
      await requireTenantRow(store)
      // Every value checked here for every caller (the server trusts no client).
      const comment = requireOffboardComment(request.comment)
      const name = requireName(request.device, NAME_RULES.device)
      const earlier = await offboardedOperation(store, name)
      if (earlier) return earlier
      return store.mutate('device.offboard', name, async (tx): Promise<Operation<OffboardResult>> => {
        // Decided again inside the write: another writer may have offboarded it meanwhile.
        const again = await offboardedOperation(tx, name)
        if (again) return again
        const device = await getDevice(tx, name)
        const refusal = offboardRefusal(device)
        if (refusal) throw refusal
        const at = store.now().toISOString()
        const operation = await recordOperation<OffboardResult>(tx, {
          kind: 'device.offboard',
          target: device.name,
          result: {device: device.name, osName: device.osName, comment, offboardedAt: at},
          at,
        })
        tx.run('UPDATE device SET offboarded_at = ?, offboard_comment = ?, offboard_operation = ? WHERE name_key = ?', at, comment, operation.id, nameKey(device.name))
        return operation
      })
    },
  }
}

/** The operation that offboarded the device already (a second offboard answers with it), or null; NotFoundError when unknown. */
async function offboardedOperation(store: LocalStore, name: string): Promise<Operation<OffboardResult> | null> {
  const row = await store.get<{offboard_operation: string | null}>('SELECT offboard_operation FROM device WHERE name_key = ?', nameKey(name))
  if (!row) throw deviceNotFound(name)
  return row.offboard_operation === null ? null : findOperationRow<OffboardResult>(store, row.offboard_operation)
}

/**
 * A sensor report written through `store`, the handle of the operation holding the connection
 * (in its transaction, when there is one: a savepoint of a sensor batch). `guard`
 * sees the device as stored (null when new) inside the write transaction and may refuse it:
 * the server's sensor path passes the provider-ownership rule (issue 15), refused and audited
 * in the same transaction as the write it prevents.
 */
export async function reportFromSensorIn(store: LocalStore, report: SensorReport, guard?: (existing: {name: string; managedBy: string[]} | null) => void): Promise<Device> {
  await requireTenantRow(store)
  const provider = findProvider(report.provider)
  // The sensor's name, OS fields and service state go through the inventory's row rules (issue 15 item 3).
  const checked = sensorMachineRecord(report)
  await store.mutate('device.sensor-report', `${checked.name}:${provider.id}`, async (tx) => {
    const enabled = await tx.get<{enabled: number}>('SELECT enabled FROM third_party_integration WHERE provider = ?', provider.id)
    assertInboundAllowed({device: checked.name}, [thirdPartyPath(provider.id, enabled?.enabled === 1)])

    const existing = await tx.get<DeviceRow & {inv_collections: string}>('SELECT * FROM device_v WHERE name_key = ?', nameKey(checked.name))
    guard?.(existing ? {name: existing.name, managedBy: unpackList(existing.managed_by)} : null)
    const managedBy = existing ? unpackList(existing.managed_by).filter((m) => !m.startsWith('third-party:')) : []
    managedBy.push(`third-party:${provider.id}`)
    const now = store.now().toISOString()
    const record: DeviceRecord = {
      ...checked,
      name: existing?.name ?? checked.name,
      managedBy: managedBy as Manager[],
      environment: existing?.environment ?? null,
      subscription: existing?.subscription ?? null,
      collections: existing ? unpackList(existing.inv_collections) : [],
      user: existing?.user ?? null,
      groups: existing ? unpackList(existing.groups) : [],
      lastSeen: now,
      otherFanotifySolution: existing?.other_fanotify === 1,
      previousInstall: existing?.previous_install === 1,
    }
    tx.run(upsertSql('sensor', now), rowValueBuilder()(record, await osClassIds(tx)(record)))
    const {id} = (await tx.get<{id: number}>('SELECT id FROM device WHERE name_key = ?', nameKey(record.name)))!
    await refreshCollections(tx, {deviceId: id})
  })
  return getDevice(store, checked.name)
}
