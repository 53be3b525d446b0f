/**
 * Inventory rows → DeviceRecord: column names (ours, case-insensitive, and ConfigMgr console
 * export headers), value normalisation and validation. Pure; every problem is an
 * InventoryRowError carrying the line (CSV) or record number (JSON).
 */
import {InvalidInputError} from '../errors.js'
import {findProvider} from '../integration/catalogue.js'
import {escapeName, NAME_RULES, type NameRule, nameProblem} from '../names.js'
import {classifyOs, OsClassificationError, osRecordFields} from './os.js'
import {type DeviceRecord, ENVIRONMENTS, type Environment, type Manager, SENSOR_SERVICE_STATES, type SensorService} from './types.js'

export const INVENTORY_FIELDS = [
  'name',
  'os',
  'version',
  'managedBy',
  'environment',
  'subscription',
  'collections',
  'user',
  'groups',
  'lastSeen',
  'sensorService',
  'otherFanotifySolution',
  'previousInstall',
] as const
export type InventoryField = (typeof INVENTORY_FIELDS)[number]

/**
 * Header aliases, compared lower-case without spaces, dashes, underscores, dots and brackets.
 * The ConfigMgr console's device export headers are included (see the README).
 */
export const HEADER_ALIASES: Record<string, InventoryField> = {
  name: 'name',
  devicename: 'name',
  computername: 'name',
  hostname: 'name',
  netbiosname: 'name',
  os: 'os',
  operatingsystem: 'os',
  operatingsystemnameandversion: 'os',
  deviceos: 'os',
  osname: 'os',
  version: 'version',
  osversion: 'version',
  osbuild: 'version',
  build: 'version',
  buildnumber: 'version',
  deviceosbuild: 'version',
  operatingsystembuild: 'version',
  managedby: 'managedBy',
  management: 'managedBy',
  managementagent: 'managedBy',
  client: 'managedBy',
  environment: 'environment',
  hosting: 'environment',
  subscription: 'subscription',
  subscriptionid: 'subscription',
  azuresubscription: 'subscription',
  collections: 'collections',
  collection: 'collections',
  memberofcollections: 'collections',
  user: 'user',
  username: 'user',
  primaryuser: 'user',
  primaryusers: 'user',
  currentlyloggedonuser: 'user',
  lastlogonuser: 'user',
  groups: 'groups',
  group: 'groups',
  usergroups: 'groups',
  lastseen: 'lastSeen',
  lastactivity: 'lastSeen',
  lastactivitytime: 'lastSeen',
  lastonlinetime: 'lastSeen',
  lastcontact: 'lastSeen',
  sensorservice: 'sensorService',
  sensor: 'sensorService',
  sensestate: 'sensorService',
  atpsensor: 'sensorService',
  otherfanotifysolution: 'otherFanotifySolution',
  otherfanotify: 'otherFanotifySolution',
  fanotify: 'otherFanotifySolution',
  previousinstall: 'previousInstall',
  previousmdeinstall: 'previousInstall',
  previousinstallation: 'previousInstall',
}

export class InventoryRowError extends Error {
  constructor(
    /** CSV line number, or 1-based record number for JSON. */
    readonly line: number,
    readonly field: string | null,
    message: string,
  ) {
    super(message)
  }
}

const headerKey = (h: string) => h.toLowerCase().replace(/[\s\-_.()[\]]/g, '')

/**
 * Maps header cells to fields. Unknown columns are ignored (inventories carry many) unless
 * nothing maps to `name` and `os`, which are required. Returns one entry per column.
 */
export function mapHeader(cells: string[], line = 1): (InventoryField | null)[] {
  const seen = new Map<InventoryField, string>()
  const fields = cells.map((cell) => {
    const field = HEADER_ALIASES[headerKey(cell)] ?? null
    if (field) {
      if (seen.has(field)) throw new InventoryRowError(line, field, `columns '${seen.get(field)}' and '${cell.trim()}' both mean ${field}`)
      seen.set(field, cell.trim())
    }

    return field
  })
  for (const required of ['name', 'os'] as const) {
    if (!seen.has(required)) {
      throw new InventoryRowError(line, required, `the header has no '${required}' column (found: ${cells.map((c) => c.trim()).join(', ')})`)
    }
  }

  return fields
}

const MANAGER_ALIASES: Record<string, Manager> = {
  configmgr: 'configmgr',
  sccm: 'configmgr',
  mecm: 'configmgr',
  memcm: 'configmgr',
  configurationmanager: 'configmgr',
  intune: 'intune',
  defenderforcloud: 'defender-for-cloud',
  mdc: 'defender-for-cloud',
  asc: 'defender-for-cloud',
  azuredefender: 'defender-for-cloud',
}

const ENVIRONMENT_ALIASES: Record<string, Environment> = {
  onpremises: 'on-premises',
  onprem: 'on-premises',
  onpremise: 'on-premises',
  azurevm: 'azure-vm',
  azure: 'azure-vm',
  azurearc: 'azure-arc',
  arc: 'azure-arc',
  aws: 'aws',
  ec2: 'aws',
}

const SENSOR_ALIASES: Record<string, SensorService> = {
  running: 'running',
  started: 'running',
  stopped: 'stopped',
  notrunning: 'stopped',
  disabled: 'stopped',
  absent: 'absent',
  missing: 'absent',
  notinstalled: 'absent',
  none: 'absent',
}

const compactCache = new Map<string, string>()
/** Lower-case without spaces, dashes and underscores; inventories repeat a handful of values. */
function compact(s: string): string {
  let hit = compactCache.get(s)
  if (hit === undefined) {
    hit = s.toLowerCase().replace(/[\s\-_]/g, '')
    if (compactCache.size < 1000) compactCache.set(s, hit)
  }

  return hit
}

/** Splits a multi-valued cell: ";" or "|" (or "," inside a quoted CSV cell or in JSON). */
export function splitList(value: string | string[] | undefined | null): string[] {
  if (value === undefined || value === null) return []
  const items = Array.isArray(value) ? value.map(String) : value.split(/[;|,]/)
  return [...new Set(items.map((s) => s.trim()).filter((s) => s !== ''))]
}

const BOOLEAN_TEXT = new Map<string, boolean>([
  ...['', 'false', 'no', 'n', '0', 'off'].map((t) => [t, false] as const),
  ...['true', 'yes', 'y', '1', 'on'].map((t) => [t, true] as const),
])

function parseBoolean(value: string, line: number, field: InventoryField): boolean {
  const known = BOOLEAN_TEXT.get(value) ?? BOOLEAN_TEXT.get(value.trim().toLowerCase())
  if (known === undefined) throw new InventoryRowError(line, field, `${field} '${value}' is not true/false`)
  return known
}

function parseManagers(value: string | string[] | undefined, line: number, fromClientColumn: boolean): Manager[] {
  const out: Manager[] = []
  for (const item of splitList(value)) {
    if (fromClientColumn && ['yes', 'no', 'true', 'false'].includes(item.toLowerCase())) {
      // ConfigMgr export: the "Client" column says whether the ConfigMgr client is installed.
      if (['yes', 'true'].includes(item.toLowerCase())) out.push('configmgr')
      continue
    }

    const tp = /^third-?party\s*:\s*(.+)$/i.exec(item)
    if (tp) {
      let id: string
      try {
        id = findProvider(tp[1].trim()).id
      } catch {
        throw new InventoryRowError(line, 'managedBy', `unknown third-party provider '${tp[1].trim()}'`)
      }

      out.push(`third-party:${id}`)
      continue
    }

    const m = MANAGER_ALIASES[compact(item)]
    if (!m) throw new InventoryRowError(line, 'managedBy', `managedBy '${item}' is not configmgr, intune, defender-for-cloud or third-party:<provider>`)
    out.push(m)
  }

  const unique = [...new Set(out)]
  if (unique.filter((m) => m.startsWith('third-party:')).length > 1) {
    throw new InventoryRowError(line, 'managedBy', 'a device can have only one third-party provider')
  }

  return unique
}

function memoManagers(memo: RowMemo | undefined, value: string | string[] | undefined, line: number, client: boolean): Manager[] {
  if (!memo || value === undefined) return parseManagers(value, line, client)
  const cache = client ? memo.clientManagers : memo.managers
  // A list (JSON, or a record a backend re-checks) is keyed by its JSON text.
  const key = typeof value === 'string' ? value : JSON.stringify(value)
  let hit = cache.get(key)
  if (!hit) {
    hit = parseManagers(value, line, client) // throws for a bad value: not cached, reported per line
    if (cache.size < 50_000) cache.set(key, hit)
  }

  return hit
}

function parseDate(value: string, line: number): string | null {
  const v = value.trim()
  if (v === '') return null
  if ((CANONICAL_DATE.test(v) || SECONDS_DATE.test(v)) && plausibleDate(v)) return v.length === 24 ? v : `${v.slice(0, 19)}.000Z`
  const t = Date.parse(/^\d{4}-\d{2}-\d{2} \d/.test(v) && !/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v.replace(' ', 'T') + 'Z' : v)
  if (Number.isNaN(t)) throw new InventoryRowError(line, 'lastSeen', `lastSeen '${value}' is not a date (use ISO 8601, e.g. 2026-11-20T10:00:00Z)`)
  return new Date(t).toISOString()
}

export type RawRow = Partial<Record<InventoryField, string | string[] | boolean | null>>

/**
 * Per-import memo of the pure parts (inventories repeat the same OS, manager and group texts
 * thousands of times): a 100,000-row import classifies each distinct text once.
 */
export interface RowMemo {
  /** os text → version text → classification (or its error). */
  os: Map<string, Map<string, ReturnType<typeof classifyOs> | OsClassificationError>>
  managers: Map<string, Manager[]>
  /** managedBy from a ConfigMgr export's "Client" column (Yes/No). */
  clientManagers: Map<string, Manager[]>
  lists: Map<string, string[]>
}

export const createRowMemo = (): RowMemo => ({os: new Map(), managers: new Map(), clientManagers: new Map(), lists: new Map()})

/**
 * A list cell (collections, groups) split and each item checked against its name rule (issue 15
 * item 4: the same rule as every name a backend stores). A JSON list is keyed by its JSON text,
 * so equal lists share one array whatever their form.
 */
function memoList(
  memo: RowMemo | undefined,
  value: string | string[] | undefined | null,
  line: number,
  field: 'collections' | 'groups',
): string[] {
  if (value === undefined || value === null) return []
  const cache = memo?.lists
  const key = typeof value === 'string' ? value : JSON.stringify(value)
  let hit = cache?.get(key)
  if (!hit) {
    hit = splitList(value)
    const rule = field === 'collections' ? NAME_RULES.collection : INVENTORY_GROUP_RULE
    for (const item of hit) {
      const problem = nameProblem(item, rule)
      if (problem) throw new InventoryRowError(line, field, `${field}: ${problem}`) // not cached: reported on every line that has it
    }

    if (cache && cache.size < 50_000) cache.set(key, hit)
  }

  return hit
}

/** Groups the inventory names: the group rule without the reserved 'all' (an inventory may call a group so). */
const INVENTORY_GROUP_RULE: NameRule = {label: NAME_RULES.group.label, max: NAME_RULES.group.max, noSeparators: true}

/** An optional text cell (user, subscription, os) checked against its rule; '' stays ''. */
function checkText(value: string, rule: NameRule, line: number, field: InventoryField): string {
  if (value === '') return value
  const problem = nameProblem(value, rule)
  if (problem) throw new InventoryRowError(line, field, problem)
  return value
}

function memoOs(memo: RowMemo | undefined, os: string, version: string | null): ReturnType<typeof classifyOs> {
  if (!memo) return classifyOs(os, version ?? undefined)
  let versions = memo.os.get(os)
  if (!versions) {
    versions = new Map()
    memo.os.set(os, versions)
  }

  const key = version ?? ''
  let hit = versions.get(key)
  if (!hit) {
    try {
      hit = classifyOs(os, version ?? undefined)
    } catch (error) {
      if (!(error instanceof OsClassificationError)) throw error
      hit = error
    }

    versions.set(key, hit)
  }

  if (hit instanceof OsClassificationError) throw hit
  return hit
}

/** Two ASCII digits at `at` as a number, or NaN. */
function twoDigits(v: string, at: number): number {
  const a = v.charCodeAt(at) - 48
  const b = v.charCodeAt(at + 1) - 48
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : Number.NaN
}

function plausibleDate(v: string): boolean {
  const month = twoDigits(v, 5)
  const day = twoDigits(v, 8)
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && twoDigits(v, 11) < 24 && twoDigits(v, 14) < 60 && twoDigits(v, 17) < 60
}

/** ISO-8601 UTC with milliseconds, as stored; the common forms skip Date parsing. */
const CANONICAL_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const SECONDS_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/

/** Normalises and validates one row. `clientColumn` says managedBy came from ConfigMgr's "Client" column. */
export function normaliseRow(raw: RawRow, line: number, options: {clientColumn?: boolean; memo?: RowMemo} = {}): DeviceRecord {
  const memo = options.memo
  const name = cellText(raw.name)
  // Issue 15 items 3/4, issue 16: one name rule (length, control and bidi characters, separators).
  const nameIssue = nameProblem(name, NAME_RULES.device)
  if (nameIssue) throw new InventoryRowError(line, 'name', nameIssue)
  const osText = checkText(cellText(raw.os), NAME_RULES.osText, line, 'os')
  const version = checkText(cellText(raw.version), NAME_RULES.osVersion, line, 'version') || null
  let os
  try {
    os = memoOs(memo, osText, version)
  } catch (error) {
    if (error instanceof OsClassificationError) throw new InventoryRowError(line, 'os', error.message)
    throw error
  }

  const envText = cellText(raw.environment)
  let environment: Environment | null = null
  if (envText !== '') {
    environment = ENVIRONMENT_ALIASES[compact(envText)] ?? null
    if (!environment) throw new InventoryRowError(line, 'environment', `environment '${envText}' is not one of ${ENVIRONMENTS.join(', ')}`)
  }

  const sensorText = cellText(raw.sensorService)
  let sensorService: SensorService = 'running'
  if (sensorText !== '') {
    const s = SENSOR_ALIASES[compact(sensorText)]
    if (!s) throw new InventoryRowError(line, 'sensorService', `sensorService '${sensorText}' is not one of ${SENSOR_SERVICE_STATES.join(', ')}`)
    sensorService = s
  }

  const lastSeenRaw = raw.lastSeen
  const record: DeviceRecord = {
    name,
    os: osText,
    version,
    ...osRecordFields(os),
    managedBy: memoManagers(memo, raw.managedBy as string | string[] | undefined, line, options.clientColumn ?? false),
    environment,
    subscription: checkText(cellText(raw.subscription), NAME_RULES.subscription, line, 'subscription') || null,
    collections: memoList(memo, raw.collections as string | string[] | undefined, line, 'collections'),
    user: checkText(cellText(raw.user), NAME_RULES.user, line, 'user') || null,
    groups: memoList(memo, raw.groups as string | string[] | undefined, line, 'groups'),
    lastSeen: lastSeenRaw === null || lastSeenRaw === undefined ? null : parseDate(String(lastSeenRaw), line),
    sensorService,
    otherFanotifySolution: cellBoolean(raw.otherFanotifySolution, line, 'otherFanotifySolution'),
    previousInstall: cellBoolean(raw.previousInstall, line, 'previousInstall'),
  }
  // Frozen with its lists and remembered: recheckRecord of this very object is then a no-op.
  Object.freeze(record.managedBy)
  Object.freeze(record.collections)
  Object.freeze(record.groups)
  CHECKED.add(Object.freeze(record))
  return record
}

/**
 * Records normaliseRow returned in this process. They are frozen (lists included), so one that
 * reaches a backend is exactly what the rules produced; anything else (an HTTP body, a record
 * built or copied by hand) is re-checked in full.
 */
const CHECKED = new WeakSet<object>()

/**
 * A device record from any caller (the CLI's own import, another process, an HTTP body) put
 * through the very rules of an inventory row (issue 15 item 3): every value re-checked and the
 * classification (OS family, build, level, up-level/down-level) recomputed from the raw OS
 * fields, never taken from the caller. `index` is the 1-based record number for messages.
 */
export function recheckRecord(given: Partial<DeviceRecord>, index: number, memo?: RowMemo): DeviceRecord {
  if (CHECKED.has(given)) return given as DeviceRecord
  return normaliseRow(
    {
      name: given.name,
      os: given.os,
      version: given.version,
      managedBy: given.managedBy,
      environment: given.environment,
      subscription: given.subscription,
      collections: given.collections,
      user: given.user,
      groups: given.groups,
      lastSeen: given.lastSeen,
      sensorService: given.sensorService,
      otherFanotifySolution: given.otherFanotifySolution,
      previousInstall: given.previousInstall,
    },
    index,
    {memo},
  )
}

/**
 * What a live sensor says of its machine (name, OS text and version, service state), checked by
 * the row rules: the record fields it contributes, classification included. Invalid input (exit
 * 7) otherwise. The backend runs it for every report, and the server before it queues a heartbeat.
 */
export function sensorMachineRecord(machine: {name: string; os: string; version?: string | null; sensorService?: string}): DeviceRecord {
  try {
    return recheckRecord({name: machine.name, os: machine.os, version: machine.version ?? null, sensorService: machine.sensorService as SensorService | undefined}, 1)
  } catch (error) {
    if (error instanceof InventoryRowError) throw new InvalidInputError(`Sensor report for '${escapeName(String(machine.name).trim())}': ${error.message}.`)
    throw error
  }
}

/** A cell as trimmed text: a list (JSON) is joined with ';', a missing cell is ''. */
function cellText(v: RawRow[InventoryField]): string {
  if (typeof v === 'string') return v.trim()
  if (v === undefined || v === null) return ''
  if (Array.isArray(v)) return v.join(';')
  return String(v).trim()
}

function cellBoolean(v: RawRow[InventoryField], line: number, field: InventoryField): boolean {
  return typeof v === 'boolean' ? v : parseBoolean(cellText(v), line, field)
}

/** JSON inventory objects: keys go through the same header aliases. */
export function jsonRow(item: unknown, index: number): RawRow {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new InventoryRowError(index, null, 'the record is not a JSON object')
  }

  const row: RawRow = {}
  for (const [key, value] of Object.entries(item)) {
    const field = HEADER_ALIASES[headerKey(key)]
    if (!field) continue
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      throw new InventoryRowError(index, field, `${field} must be a string, a boolean or a list`)
    }

    row[field] = Array.isArray(value) ? value.map(String) : typeof value === 'boolean' ? value : value === null ? null : String(value)
  }

  return row
}
