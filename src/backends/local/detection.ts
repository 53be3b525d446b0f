import {createHash} from 'node:crypto'
import {eicarAlert, judgeEicar} from '../../core/detect/eicar.js'
import {type Activity, isActivity, matchActivity, parseTestAlertOs, type TestAlertOs} from '../../core/detect/test-alerts.js'
import type {DataPath, DetectTarget} from '../../core/detect/verdict.js'
import type {Device} from '../../core/device/types.js'
import {NotFoundError, RuleError, UsageError} from '../../core/errors.js'
import type {DetectionApi, SubmitFileRequest, SubmitResult} from '../../core/port/detection-api.js'
import type {DeviceListOptions} from '../../core/port/devices-api.js'
import {listPages, type Page} from '../../core/port/page.js'
import type {NewAlert} from '../../core/alert/types.js'
import {type AlertDevice, evidenceFileNames, getAlert, insertAlert} from './alerts.js'
import {getDevice as readDevice, localDeviceApi} from './devices.js'
import {readThirdParty} from './integrations.js'
import {assertInboundAllowed, thirdPartyPath} from '../../core/integration/rules.js'
import type {LocalStore, StoreSql} from './store.js'
import {requireTenantRow} from './tenant.js'
import {requireName} from '../../core/names.js'

/** What the engine reads of the inventory (issue 4's devices API). */
export interface DeviceReader {
  get(nameOrId: string): Promise<Device>
  list(filter?: DeviceListOptions): Promise<Page<Device>>
}

/**
 * A Microsoft-style machine id (40 hex, REFERENCE §2.2) for a device, stable per tenant and
 * device name, so alerts keep pointing at the same machine across re-imports.
 */
export function machineIdOf(orgId: string, deviceName: string): string {
  return createHash('sha1').update(`${orgId}\u0000${deviceName.toLowerCase()}`).digest('hex')
}

/** Largest file the engine accepts for judging (anything over 128 bytes is not EICAR anyway). */
const MAX_FILE_BYTES = 32 * 1024 * 1024
/** The alert a second report of the same file on the same machine returns (parameters: machine id, evidence file names, since, title, evidence). */
export const DUPLICATE_FILE_SQL =
  'SELECT id FROM alert WHERE machine_id = ? AND evidence_file_names = ? AND created_at >= ? AND title = ? AND evidence = ? ORDER BY created_at DESC LIMIT 1'

/** A second report of the same file within this window returns the first alert. */
const DUPLICATE_WINDOW_MS = 60_000

const osFamilyOf = (device: Device): string => (device.osFamily === 'windows-server' ? 'windows' : device.osFamily)

/**
 * The detection engine of the embedded backend: it stands in for the endpoint sensor's cloud
 * side. Devices come from the inventory; data from a device whose integration is off is
 * refused (TP3), and the EICAR standard or the test-alert rules decide what raises an alert.
 */
export function localDetectionApi(store: LocalStore, devices: DeviceReader = localDeviceApi(store)): DetectionApi {
  return localDetectionEngine(store, devices).api
}

/**
 * The engine behind the detection API, with its file check for callers that batch many reports
 * in one transaction (the server's sensor event processing, issue 15): `submitFileIn` runs
 * through the handle `s` of the operation holding the store.
 */
export function localDetectionEngine(store: LocalStore, devices: DeviceReader = localDeviceApi(store)): {
  api: DetectionApi
  submitFileIn(s: LocalStore, request: SubmitFileRequest, known?: (name: string) => Device | undefined | Promise<Device | undefined>): Promise<SubmitResult>
} {
  /** The integrations a device's data passes through; only those its onboarding depends on. */
  async function dataPaths(s: LocalStore, device: Device): Promise<DataPath[]> {
    const paths: DataPath[] = []
    const path = device.onboarding.path
    const relevant = (kind: 'third-party' | 'defender-for-cloud') =>
      device.onboarded ? (kind === 'third-party' ? path === 'third-party' || path === 'sensor' : path === 'defender-for-cloud') : true
    if (device.thirdPartyProvider && relevant('third-party')) {
      const state = await readThirdParty(s, device.thirdPartyProvider)
      paths.push(thirdPartyPath(state.provider, state.enabled))
    }

    if (device.managedBy.includes('defender-for-cloud') && device.subscription && relevant('defender-for-cloud')) {
      const row = await s.get<{windows: number; linux: number}>('SELECT windows, linux FROM dfc_subscription WHERE subscription_id = ?', device.subscription)
      const linux = osFamilyOf(device) === 'linux'
      const enabled = linux ? row?.linux === 1 : row?.windows === 1
      paths.push({
        integration: `defender-for-cloud:${device.subscription}${linux ? ' (linux)' : ''}`,
        enabled,
        enableCommand: `atpctl integration enable defender-for-cloud --subscription ${device.subscription}${linux ? ' --linux' : ''}`,
      })
    }

    return paths
  }

  async function toTarget(s: LocalStore, device: Device, orgId: string): Promise<DetectTarget> {
    return {
      name: device.name,
      machineId: machineIdOf(orgId, device.name),
      computerDnsName: device.name.toLowerCase(),
      osFamily: osFamilyOf(device),
      onboarded: device.onboarded,
      onboarding: device.onboarding.reason,
      health: device.health,
      managedBy: device.managedBy,
      dataPaths: await dataPaths(s, device),
      // Rule (issue 5/7): a device whose record comes from a live `atpctl sensor run` reports its
      // own files; `detect eicar` then only writes into the watched directory.
      liveSensor: device.source === 'sensor' ? {watchDir: null, lastSeen: device.lastSeen ?? device.updatedAt} : null,
    }
  }

  async function alertDevice(s: StoreSql, device: Device, orgId: string): Promise<AlertDevice> {
    const row = await s.get<{id: number}>('SELECT id FROM device WHERE name = ?', device.name)
    return {deviceId: row?.id ?? null, name: device.name, machineId: machineIdOf(orgId, device.name), computerDnsName: device.name.toLowerCase()}
  }

  /** Finds the device and refuses data it would not be allowed to send. */
  async function acceptingDevice(
    s: LocalStore,
    name: unknown,
    operation: string,
    known?: (name: string) => Device | undefined | Promise<Device | undefined>,
  ): Promise<{device: Device; target: DetectTarget; orgId: string}> {
    if (typeof name !== 'string' || name.trim() === '') throw new UsageError('A device name is required.', {suggestions: ['Pass the device name or machine id.']})
    const orgId = (await requireTenantRow(s)).org_id
    const device = (await known?.(name)) ?? (await getDevice(s, name, orgId))
    const target = await toTarget(s, device, orgId)
    // TP3, audited as a refusal of this operation.
    if (target.dataPaths.some((p) => !p.enabled)) s.mutateNow(operation, `device:${device.name}`, () => assertInboundAllowed({device: device.name}, target.dataPaths))

    if (!device.onboarded) {
      throw new RuleError('', `Device '${device.name}' is not onboarded (${device.onboarding.reason}); its data is not accepted.`, {
        suggestions: [`See why: atpctl device show ${device.name}`],
      })
    }

    return {device, target, orgId}
  }

  async function getDevice(s: LocalStore, nameOrMachineId: string, orgId: string): Promise<Device> {
    if (/^[0-9a-f]{40}$/.test(nameOrMachineId)) {
      const names = await s.column<string>('SELECT name FROM device')
      const name = names.find((n) => machineIdOf(orgId, n) === nameOrMachineId)
      if (name) return readDevice(s, name)
    }

    return readDevice(s, nameOrMachineId)
  }

  function raise(s: LocalStore, device: Device, orgId: string, operation: string, alert: NewAlert, dedupe = false): Promise<SubmitResult> {
    return s.mutate(operation, `device:${device.name}`, async (tx): Promise<SubmitResult> => {
      const target = await alertDevice(tx, device, orgId)
      if (dedupe) {
        // A sensor may report one file twice (create, then rename): one file, one alert.
        const since = new Date(store.now().getTime() - DUPLICATE_WINDOW_MS).toISOString()
        // The same evidence has the same file names: one probe of alert_machine_file, however
        // many alerts the machine raised in the window (issue 15).
        const existing = await tx.value<string>(DUPLICATE_FILE_SQL, target.machineId, evidenceFileNames(alert.evidence), since, alert.title, JSON.stringify(alert.evidence))
        if (existing) return {detected: true, alert: await getAlert(tx, existing), reason: `already reported as alert ${existing}`}
      }

      return {detected: true, alert: await insertAlert(tx, target, alert), reason: `raised '${alert.title}'`}
    })
  }

  /** `known` may answer the device from the caller's cache (one batch of sensor events reads each device once). */
  async function submitFileIn(s: LocalStore, request: SubmitFileRequest, known?: (name: string) => Device | undefined | Promise<Device | undefined>): Promise<SubmitResult> {
    const {fileName, path, contentBase64} = request ?? {}
    if (typeof fileName !== 'string' || fileName === '' || fileName.length > 1024 || /[\\/]/.test(fileName)) {
      throw new UsageError('fileName must be a plain file name.', {suggestions: ['Send the base name; the directory goes in path.']})
    }

    if (typeof path !== 'string' || path === '' || path.length > 4096) throw new UsageError('path must be the file path on the device.')
    // Both end up in the alert's evidence, shown to admins: the name rule's control and bidi check (issue 15 item 4).
    requireName(fileName, {label: 'file name', max: 1024})
    requireName(path, {label: 'path', max: 4096})
    if (typeof contentBase64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(contentBase64) || contentBase64.length % 4 !== 0) {
      throw new UsageError('contentBase64 must be base64 (RFC 4648, padded).')
    }

    if ((contentBase64.length / 4) * 3 > MAX_FILE_BYTES + 3) throw new UsageError(`The file is larger than ${MAX_FILE_BYTES} bytes; nothing to judge there.`)
    const {device, orgId} = await acceptingDevice(s, request.device, 'detect.file', known)
    const judgement = judgeEicar(Buffer.from(contentBase64, 'base64'))
    if (!judgement.match) return {detected: false, alert: null, reason: `not an EICAR test file: ${judgement.reason}`}
    return raise(s, device, orgId, 'detect.file', eicarAlert({fileName, filePath: path, sha256: judgement.sha256}), true)
  }

  const api: DetectionApi = {
    async target(query) {
      const orgId = (await requireTenantRow(store)).org_id
      if (query.device) return toTarget(store, await getDevice(store, query.device, orgId), orgId)
      const wanted = query.os
      // Page by page, until the first usable one.
      let usable: DetectTarget | undefined
      for await (const d of await listPages((page) => devices.list({onboarded: true, health: 'healthy', ...page}))) {
        if (wanted && osFamilyOf(d) !== wanted) continue
        const target = await toTarget(store, d, orgId)
        if (target.dataPaths.every((p) => p.enabled)) {
          usable = target
          break
        }
      }

      if (!usable) {
        throw new NotFoundError(`No onboarded, healthy device${wanted ? ` running ${wanted}` : ''} to test.`, {
          suggestions: ['Pass --device NAME, or onboard one first (atpctl device import, atpctl policy deploy).'],
        })
      }

      return usable
    },

    async submitFile(request) {
      return store.hold((held) => submitFileIn(held, request))
    },

    async submitActivity(request) {
      return store.hold(async (held) => {
        const os: TestAlertOs = parseTestAlertOs(String(request?.os ?? ''))
        const activity: Activity = request.activity
        if (!isActivity(activity)) throw new UsageError('activity is malformed.', {suggestions: ['Send {type: process|file-access|app-launch, …}.']})
        const {device, target, orgId} = await acceptingDevice(held, request.device, 'detect.activity')
        if (target.osFamily !== os) {
          return {detected: false, alert: null, reason: `device '${device.name}' runs ${target.osFamily}, not ${os}: the ${os} test rule does not apply`}
        }

        const alert = matchActivity(os, activity)
        if (!alert) return {detected: false, alert: null, reason: `the activity does not match the ${os} test-alert rule`}
        return raise(held, device, orgId, 'detect.activity', alert)
      })
    },
  }

  return {api, submitFileIn}
}
