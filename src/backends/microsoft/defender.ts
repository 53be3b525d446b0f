/**
 * The port's resources on a real tenant, through the Defender for Endpoint API (REFERENCE §2,
 * §8.3): devices ↔ /api/machines, monitor ↔ the same machines, alerts ↔ /api/alerts and
 * /api/machines/{id}/alerts, detection ↔ the machine entity and its alerts, offboarding and
 * operations ↔ machine actions. Every value rule is core's (core/device/machine.ts,
 * core/alert/wire.ts, core/device/machine-action.ts); this file only talks to the API.
 */
import {spawn} from 'node:child_process'
import {mkdirSync} from 'node:fs'
import os from 'node:os'
import type {Alert, AlertFilter} from '../../core/alert/types.js'
import {deviceRisk, type RiskLevel, RISK_LEVELS} from '../../core/alert/rules.js'
import {alertFromWire, alertMatches, resolvePatch, type WireAlert} from '../../core/alert/wire.js'
import {actionToOperation, actionType, isOpenAction, type WireMachineAction} from '../../core/device/machine-action.js'
import {type DefenderMachine, type MachineDevice, machineToDevice} from '../../core/device/machine.js'
import {type OffboardResult, offboardRefusal, requireOffboardComment} from '../../core/device/offboard.js'
import {hasNamePrefix, nameKey} from '../../core/names.js'
import type {DetectTarget} from '../../core/detect/verdict.js'
import {TEST_ALERTS, WINDOWS_TEST_COMMAND} from '../../core/detect/test-alerts.js'
import {isAtpError, NotFoundError, RuleError, UnsupportedError, UsageError} from '../../core/errors.js'
import {monitorFromMachines} from '../../core/monitor/machines.js'
import type {Operation, OperationApi, OperationStatus} from '../../core/port/operations-api.js'
import {decodeCursor, encodeCursor, listAll, type Page, type PageRequest, pageLimit} from '../../core/port/page.js'
import type {AlertsApi, DetectionApi} from '../../core/port/detection-api.js'
import type {DeviceApi, DeviceListOptions} from '../../core/port/devices-api.js'
import type {MonitorApi} from '../../core/port/policies-api.js'
import type {ApiClient} from './http.js'
import {literal, machineFilter} from './odata.js'

const DAY = 86_400_000
const DEFAULT_PERIOD_MS = 7 * DAY
/** The API's largest page (REFERENCE §2.2). */
export const MAX_PAGE = 10_000

const MACHINE_READ = 'Machine.Read.All'
const ALERT_READ = 'Alert.Read.All'
const ALERT_WRITE = 'Alert.ReadWrite.All'
const MACHINE_OFFBOARD = 'Machine.Offboard'

export interface DefenderContext {
  client: () => Promise<ApiClient>
  now: () => Date
  /** This machine's host name (the default device of detection checks). */
  hostname: () => string
  platform: NodeJS.Platform
}

/** The offboard request of the port (one device per call; issue 11). */
export interface OffboardRequest {
  device: string
  comment: string
}

export interface MicrosoftDeviceApi extends DeviceApi {
  list(options?: DeviceListOptions & PageRequest): Promise<Page<MachineDevice>>
  get(name: string, options?: {periodMs?: number}): Promise<MachineDevice>
  /**
   * Sends the offboard machine action (Machine.Offboard) unless one is open or succeeded already
   * for that machine: then that one is the answer, so a rerun never sends a duplicate (§8.3).
   * Linux and macOS machines are refused (exit 4) with the reason.
   */
  offboard(request: OffboardRequest): Promise<Operation<OffboardResult>>
}

/** An empty collection is 404 on /api/machines (documented); every list reads it as empty. */
async function* pagesOrEmpty<T>(client: ApiClient, path: string, options: Parameters<ApiClient['pages']>[1]): AsyncIterable<T[]> {
  try {
    for await (const page of client.pages<T>(path, options)) yield page
  } catch (error) {
    if (isAtpError(error) && error.exitCode === 3) return
    throw error
  }
}

/**
 * The API pages a command has read, one per list query: a port page smaller than the API's
 * 10,000 is served from the API page read for the one before it, so listing 50,000 machines a
 * thousand at a time costs five calls, not fifty. It lives as long as the backend (one command).
 */
export type ReadAhead = Map<string, {offset: number; items: unknown[]; more: boolean}>

/**
 * One page of an OData list in the API's own order. The cursor is the offset (`$skip`) of the
 * next item in the API's listing, so filters the API cannot apply (`convert` returns null) still
 * page exactly: the next page starts right after the last item looked at.
 */
async function odataPage<W, T>(
  client: ApiClient,
  path: string,
  options: {query: Record<string, string>; permission: string},
  request: PageRequest,
  list: string,
  readAhead: ReadAhead,
  convert: (wire: W) => T | null,
): Promise<Page<T>> {
  const limit = pageLimit(request.limit, MAX_PAGE)
  let offset = request.cursor === undefined ? 0 : Number(decodeCursor(list, request.cursor, ['number'])[0])
  const key = `${path}?${JSON.stringify(options.query)}`
  /** The API's items from `at` on (up to one API page), and whether it has more after them. */
  const slice = async (at: number): Promise<{items: W[]; more: boolean}> => {
    // Only a continuation is served from what was read: a listing from the start (a poll for new
    // alerts) always asks the API again.
    const held = readAhead.get(key)
    if (held && at > 0 && at >= held.offset && at < held.offset + held.items.length) return {items: held.items.slice(at - held.offset) as W[], more: held.more}
    let body: {value: W[]; '@odata.nextLink'?: string}
    try {
      body = await client.get<{value: W[]; '@odata.nextLink'?: string}>(path, {query: {...options.query, $top: String(MAX_PAGE), ...(at > 0 ? {$skip: String(at)} : {})}, permission: options.permission})
    } catch (error) {
      // An empty collection is 404 on /api/machines (documented): an empty list.
      if (isAtpError(error) && error.exitCode === 3) return {items: [], more: false}
      throw error
    }

    const more = body['@odata.nextLink'] !== undefined || body.value.length === MAX_PAGE
    readAhead.set(key, {offset: at, items: body.value, more})
    return {items: body.value, more}
  }

  const items: T[] = []
  for (;;) {
    const {items: wires, more} = await slice(offset)
    for (const wire of wires) {
      const item = convert(wire)
      if (item !== null) {
        if (items.length === limit) return {items, nextCursor: encodeCursor(list, [offset])}
        items.push(item)
      }

      offset++
    }

    if (!more || wires.length === 0) return {items, nextCursor: null}
  }
}

function unknownDevice(name: string): NotFoundError {
  return new NotFoundError(`Device '${name}' is not a machine of this tenant.`, {
    suggestions: ['List machines: atpctl device list (or --name PREFIX)', 'Pass the machine id or its full DNS name (computerDnsName).'],
  })
}

/** Finds a machine by id, full DNS name or host name (the part before the first dot). */
export async function findMachine(client: ApiClient, name: string): Promise<DefenderMachine> {
  const wanted = name.trim()
  if (wanted === '') throw new UsageError('The device name is empty.', {suggestions: ['Pass a machine id or DNS name.']})
  try {
    return await client.get<DefenderMachine>(`/api/machines/${encodeURIComponent(wanted)}`, {permission: MACHINE_READ})
  } catch (error) {
    if (!isAtpError(error) || error.exitCode !== 3) throw error
  }

  if (wanted.includes('.')) throw unknownDevice(wanted)
  // A short host name: the machines whose DNS name starts with it and a dot.
  const key = nameKey(wanted)
  const found: DefenderMachine[] = []
  for await (const page of pagesOrEmpty<DefenderMachine>(client, '/api/machines', {
    query: {$filter: `startswith(computerDnsName,${literal(wanted.toLowerCase() + '.')})`, $top: '100'},
    permission: MACHINE_READ,
  })) {
    for (const m of page) if (nameKey(m.computerDnsName.split('.')[0]) === key) found.push(m)
    if (found.length > 1) break
  }

  if (found.length === 0) throw unknownDevice(wanted)
  if (found.length > 1) {
    throw new UsageError(`'${wanted}' names more than one machine (${found.map((m) => m.computerDnsName).join(', ')}).`, {suggestions: ['Pass the full DNS name or the machine id.']})
  }

  return found[0]
}

export function defenderDevices(ctx: DefenderContext): MicrosoftDeviceApi {
  const offboarding = offboardIndex()
  const readAhead: ReadAhead = new Map()
  const refuse = (what: string, instead: string) => async () => Promise.reject(new UnsupportedError(`The microsoft backend cannot ${what}.`, {suggestions: [instead]}))
  return {
    import: refuse(
      'import a device inventory',
      'Machines appear in the tenant when they are onboarded: deploy the onboarding package (Microsoft Defender portal: Settings > Endpoints > Onboarding), then atpctl device list.',
    ),
    delete: refuse(
      'delete machines',
      'A real tenant keeps a machine until it stops reporting: offboard it (atpctl device offboard NAME --comment …), then exclude it in the Microsoft Defender portal: Assets > Devices > (device) > Exclude.',
    ),
    reportFromSensor: refuse('take reports from third-party sensors', 'On a real tenant the partner\'s own connector reports its machines (Microsoft Defender portal: Settings > Endpoints > Onboarding, non-Windows partners).'),

    async list(options = {}) {
      const client = await ctx.client()
      const now = ctx.now()
      const periodMs = options.periodMs ?? DEFAULT_PERIOD_MS
      const filter = machineFilter(options, now)
      const query: Record<string, string> = {$orderby: 'computerDnsName'}
      if (filter) query.$filter = filter
      return odataPage<DefenderMachine, MachineDevice>(client, '/api/machines', {query, permission: MACHINE_READ}, options, 'microsoft-devices', readAhead, (machine) => {
        const device = machineToDevice(machine, now, periodMs)
        return matches(device, options) ? device : null
      })
    },

    async get(name, options = {}) {
      const client = await ctx.client()
      return machineToDevice(await findMachine(client, name), ctx.now(), options.periodMs ?? DEFAULT_PERIOD_MS)
    },

    async offboard(request) {
      const comment = requireOffboardComment(request.comment)
      const client = await ctx.client()
      const machine = await offboarding.machine(client, request.device)
      const device = machineToDevice(machine, ctx.now(), DEFAULT_PERIOD_MS)
      const refusal = offboardRefusal(device)
      if (refusal) throw refusal
      const existing = await offboarding.action(client, machine.id)
      if (existing) return actionToOperation(existing, device.osName)
      try {
        const action = await client.post<WireMachineAction>(`/api/machines/${encodeURIComponent(machine.id)}/offboard`, {Comment: comment}, {permission: MACHINE_OFFBOARD})
        offboarding.sent(action)
        return actionToOperation(action, device.osName)
      } catch (error) {
        // Refused because one is already open (another admin, an answer lost on the way): that one is the answer.
        if (isAtpError(error) && (error.exitCode === 4 || error.exitCode === 6)) {
          const raced = await offboardActionOf(client, machine.id)
          if (raced) return actionToOperation(raced, device.osName)
        }

        throw error
      }
    },
  }
}

/** Filters the API cannot apply (OS text, level, Linux, managed-by) are applied here. */
function needsLocalFilter(options: DeviceListOptions): boolean {
  return Boolean(options.os || options.level || options.managedBy || options.osFamily === 'linux' || options.osFamily === 'other')
}

function matches(device: MachineDevice, options: DeviceListOptions): boolean {
  if (options.namePrefix && !hasNamePrefix(device.name, options.namePrefix)) return false
  if (options.collection !== undefined && !device.collections.some((c) => c.toLowerCase() === options.collection!.toLowerCase())) return false
  if (options.osFamily && device.osFamily !== options.osFamily) return false
  if (options.os) {
    const needle = options.os.toLowerCase()
    if (!device.os.toLowerCase().includes(needle) && !device.osName.toLowerCase().includes(needle)) return false
  }

  if (options.level && device.level !== options.level) return false
  if (options.health && device.health !== options.health) return false
  if (options.onboarded !== undefined && device.onboarded !== options.onboarded) return false
  if (options.managedBy && !device.managedBy.includes(options.managedBy as never)) return false
  return true
}

/**
 * What one backend instance (one command) learns while it offboards, so a bulk offboarding costs
 * about one call per machine within the budget: from the second machine on, the machines are
 * looked up in one listing, and the tenant's open and succeeded Offboard actions are read once
 * (then kept with the actions this instance sends). An action another admin sends meanwhile is
 * caught by the API's own refusal of a duplicate (ActiveRequestAlreadyExists), answered with that action.
 */
function offboardIndex() {
  let calls = 0
  let machines: Promise<Map<string, DefenderMachine>> | undefined
  let actions: Promise<Map<string, WireMachineAction>> | undefined
  const keep = (map: Map<string, WireMachineAction>, a: WireMachineAction) => {
    const known = map.get(a.machineId)
    // An open action wins over a succeeded one; the newer of two alike.
    if (!known || (isOpenAction(a) && !isOpenAction(known)) || (isOpenAction(a) === isOpenAction(known) && a.creationDateTimeUtc > known.creationDateTimeUtc)) map.set(a.machineId, a)
  }

  return {
    async machine(client: ApiClient, name: string): Promise<DefenderMachine> {
      if (++calls === 1) return findMachine(client, name)
      machines ??= (async () => {
        const index = new Map<string, DefenderMachine>()
        for await (const page of pagesOrEmpty<DefenderMachine>(client, '/api/machines', {query: {$top: String(MAX_PAGE)}, permission: MACHINE_READ})) {
          for (const m of page) {
            index.set(m.id.toLowerCase(), m)
            index.set(nameKey(m.computerDnsName), m)
          }
        }

        return index
      })()
      const found = (await machines).get(name.trim().toLowerCase()) ?? (await machines).get(nameKey(name.trim()))
      // Short host names and machines onboarded since the listing: ask the API.
      return found ?? findMachine(client, name)
    },

    async action(client: ApiClient, machineId: string): Promise<WireMachineAction | null> {
      actions ??= (async () => {
        const map = new Map<string, WireMachineAction>()
        for await (const page of pagesOrEmpty<WireMachineAction>(client, '/api/machineactions', {
          query: {$filter: "Type eq 'Offboard' and (Status eq 'Pending' or Status eq 'InProgress' or Status eq 'Succeeded')", $top: String(MAX_PAGE)},
          permission: MACHINE_READ,
        })) {
          for (const a of page) keep(map, a)
        }

        return map
      })()
      return (await actions).get(machineId) ?? null
    },

    sent(action: WireMachineAction): void {
      void actions?.then((map) => keep(map, action))
    },
  }
}

/** The machine's open offboard action, else its succeeded one, else null (newest first). */
async function offboardActionOf(client: ApiClient, machineId: string): Promise<WireMachineAction | null> {
  const actions = await client.get<{value: WireMachineAction[]}>('/api/machineactions', {
    query: {$filter: `MachineId eq ${literal(machineId)} and Type eq 'Offboard'`, $orderby: 'CreationDateTimeUtc desc', $top: '20'},
    permission: MACHINE_READ,
  })
  return actions.value.find((a) => isOpenAction(a)) ?? actions.value.find((a) => a.status.toLowerCase() === 'succeeded') ?? null
}

export function defenderMonitor(ctx: DefenderContext, devices: MicrosoftDeviceApi): MonitorApi {
  return {
    async report(request) {
      const list = await listAll((page) => devices.list({collection: request.collection, periodMs: request.periodMs, ...page}))
      if (request.collection !== undefined && list.length === 0) {
        throw new NotFoundError(`No machine carries the tag '${request.collection}'.`, {
          suggestions: ['On a real tenant a collection is a machine tag: tag machines in the Microsoft Defender portal (Assets > Devices > Manage tags).'],
        })
      }

      return monitorFromMachines(list, {collection: request.collection ?? null, periodMs: request.periodMs, now: ctx.now()})
    },
  }
}

const ALERT_STATUS_FILTER: Record<string, string> = {New: "status eq 'New'", InProgress: "status eq 'InProgress'", Resolved: "status eq 'Resolved'"}

export function defenderAlerts(ctx: DefenderContext): AlertsApi {
  const readAhead: ReadAhead = new Map()
  const api: AlertsApi = {
    async list(filter: AlertFilter & PageRequest = {}) {
      const client = await ctx.client()
      const parts: string[] = []
      if (filter.since) parts.push(`alertCreationTime ge ${new Date(filter.since).toISOString()}`)
      if (filter.severity) parts.push(`severity eq ${literal(filter.severity)}`)
      if (filter.status) parts.push(ALERT_STATUS_FILTER[filter.status])
      const query: Record<string, string> = {$expand: 'evidence', $orderby: 'alertCreationTime desc'}
      if (parts.length > 0) query.$filter = parts.join(' and ')
      // --device: that machine's alerts (the alerts API has no machine filter).
      const path = filter.device ? `/api/machines/${encodeURIComponent((await findMachine(client, filter.device)).id)}/alerts` : '/api/alerts'
      return odataPage<WireAlert, Alert>(client, path, {query, permission: ALERT_READ}, filter, 'microsoft-alerts', readAhead, (a) => alertFromWire(a))
    },

    async get(id) {
      const client = await ctx.client()
      try {
        return alertFromWire(await client.get<WireAlert>(`/api/alerts/${encodeURIComponent(id)}`, {query: {$expand: 'evidence'}, permission: ALERT_READ}))
      } catch (error) {
        if (isAtpError(error) && error.exitCode === 3) {
          throw new NotFoundError(`Alert '${id}' does not exist in this tenant.`, {suggestions: ['List alerts: atpctl alert list']})
        }

        throw error
      }
    },

    async resolve(id, options) {
      const patch = resolvePatch(options)
      const client = await ctx.client()
      const updated = await client.patch<WireAlert>(`/api/alerts/${encodeURIComponent(id)}`, patch, {permission: ALERT_WRITE})
      // The PATCH answer has no evidence; show the alert as `alert show` would.
      return {...alertFromWire(updated), evidence: (await api.get(id)).evidence}
    },

    async find(query) {
      const client = await ctx.client()
      const page = await client.get<{value: WireAlert[]}>(`/api/machines/${encodeURIComponent(query.machineId)}/alerts`, {
        query: {$filter: `alertCreationTime ge ${new Date(query.since).toISOString()}`, $expand: 'evidence', $orderby: 'alertCreationTime desc', $top: '100'},
        permission: ALERT_READ,
      })
      const match = page.value.find((a) => alertMatches(a, query))
      return match ? alertFromWire(match) : null
    },

    async risks(machineIds) {
      // The tenant computes each machine's risk itself (riskScore); atpctl reads it.
      const client = await ctx.client()
      const wanted = machineIds ? new Set(machineIds.map((m) => m.toLowerCase())) : null
      const out: Record<string, RiskLevel> = {}
      const query: Record<string, string> = {$top: String(MAX_PAGE)}
      if (!wanted) query.$filter = "riskScore ne 'None'"
      for await (const page of pagesOrEmpty<DefenderMachine>(client, '/api/machines', {query, permission: MACHINE_READ})) {
        for (const m of page) {
          if (wanted && !wanted.has(m.id.toLowerCase())) continue
          out[m.id] = (RISK_LEVELS as readonly string[]).includes(m.riskScore ?? '') ? (m.riskScore as RiskLevel) : deviceRisk([])
        }
      }

      if (wanted) for (const id of machineIds!) out[id] ??= 'None'
      return out
    },
  }
  return api
}

/** Is this machine the one atpctl runs on? Its DNS name is the host name, or starts with it and a dot. */
export function isThisHost(machine: Pick<DefenderMachine, 'computerDnsName'>, hostname: string): boolean {
  const dns = machine.computerDnsName.toLowerCase()
  const host = hostname.toLowerCase()
  return dns === host || dns.startsWith(host.split('.')[0] + '.') || dns.split('.')[0] === host.split('.')[0]
}

export function defenderDetection(ctx: DefenderContext): DetectionApi {
  return {
    async target(query) {
      const client = await ctx.client()
      const hostname = ctx.hostname()
      let machine: DefenderMachine
      try {
        machine = await findMachine(client, query.device ?? hostname)
      } catch (error) {
        if (!query.device && isAtpError(error) && error.exitCode === 3) {
          throw new NotFoundError(`This machine (${hostname}) is not a machine of the tenant.`, {
            suggestions: ['Pass --device NAME with the machine to check (atpctl device list), and --path with a folder it sees.'],
          })
        }

        throw error
      }

      const device = machineToDevice(machine, ctx.now(), DEFAULT_PERIOD_MS)
      const target: DetectTarget = {
        name: device.name,
        machineId: machine.id,
        computerDnsName: machine.computerDnsName,
        osFamily: device.osFamily === 'windows-server' ? 'windows' : device.osFamily,
        onboarded: device.onboarded,
        onboarding: device.onboarding.reason,
        health: device.health,
        managedBy: [],
        dataPaths: [],
        // The endpoint's own sensor reports what it sees; atpctl only writes the file.
        liveSensor: {watchDir: null, lastSeen: machine.lastSeen ?? '', anyFolder: isThisHost(machine, hostname)},
      }
      return target
    },

    async submitFile() {
      throw new UnsupportedError('A real tenant takes no files from atpctl: the device\'s own sensor reports the file it sees.', {
        suggestions: ['Write the file where the device sees it: atpctl detect eicar --device NAME --path DIR'],
      })
    },

    async submitActivity(request) {
      const procedure = TEST_ALERTS[request.os]
      const client = await ctx.client()
      const machine = await findMachine(client, request.device)
      if (request.os !== 'windows' || ctx.platform !== 'win32' || !isThisHost(machine, ctx.hostname())) {
        throw new UsageError(`--run performs the ${request.os} procedure only on the Windows device itself; atpctl runs on ${ctx.hostname()} (${ctx.platform}).`, {
          suggestions: [`Run atpctl detect test-alert --os ${request.os} --run on ${machine.computerDnsName}, or follow the steps there and wait here with --wait.`],
        })
      }

      // The documented command, as an administrator would run it (REFERENCE §6.2); it returns at once.
      mkdirSync('C:\\test-MDATP-test', {recursive: true})
      const child = spawn('cmd.exe', ['/c', WINDOWS_TEST_COMMAND], {detached: true, stdio: 'ignore', windowsHide: true})
      child.unref()
      return {detected: false, alert: null, reason: `Ran the ${procedure.os} test command on ${machine.computerDnsName}; its sensor reports it.`}
    },
  }
}

const STATUS_FILTERS: Record<OperationStatus, string> = {
  running: "(Status eq 'Pending' or Status eq 'InProgress')",
  succeeded: "Status eq 'Succeeded'",
  failed: "(Status eq 'Failed' or Status eq 'TimeOut' or Status eq 'Cancelled')",
}

/** Machine actions as operations; the cursor is the API's own `$skip`. */
export function defenderOperations(ctx: DefenderContext): OperationApi {
  return {
    async list(filter = {}) {
      const client = await ctx.client()
      const parts: string[] = []
      if (filter.kind) {
        const type = actionType(filter.kind)
        if (!type) return {items: [], nextCursor: null}
        parts.push(`Type eq ${literal(type)}`)
      }

      if (filter.status) parts.push(STATUS_FILTERS[filter.status])
      const limit = Math.min(MAX_PAGE, filter.limit && filter.limit > 0 ? filter.limit : 100)
      const skip = filter.cursor ? Number.parseInt(filter.cursor, 10) : 0
      if (!Number.isInteger(skip) || skip < 0) throw new UsageError(`'${filter.cursor}' is not a cursor of this list.`, {suggestions: ['Pass the nextCursor of the previous page.']})
      const query: Record<string, string> = {$orderby: 'CreationDateTimeUtc desc', $top: String(limit + 1), $skip: String(skip)}
      if (parts.length > 0) query.$filter = parts.join(' and ')
      const page = await client.get<{value: WireMachineAction[]}>('/api/machineactions', {query, permission: MACHINE_READ})
      const items = page.value.slice(0, limit).map((a) => actionToOperation(a))
      const result: Page<Operation> = {items, nextCursor: page.value.length > limit ? String(skip + limit) : null}
      return result
    },

    async get(id) {
      const client = await ctx.client()
      try {
        return actionToOperation(await client.get<WireMachineAction>(`/api/machineactions/${encodeURIComponent(id)}`, {permission: MACHINE_READ}))
      } catch (error) {
        if (isAtpError(error) && error.exitCode === 3) throw new NotFoundError(`Operation '${id}' does not exist in this tenant.`, {suggestions: ['List operations: the machine actions of the Microsoft Defender portal (Action center > History).']})
        throw error
      }
    },
  }
}

export const defaultHostname = () => os.hostname()
