/**
 * The endpoint side of seed 000: what a third-party sensor calls with its provider's access
 * token (TP2). Tokens authenticate only these routes, and only for their own provider: a sensor
 * can register new machines and report for the machines its provider alone manages, nothing
 * else (issue 15: the rule is core/integration/sensor.ts, applied by the backend's sensor side).
 * A provider that is turned off gets its data refused (TP3, checked at authentication).
 */
import type {FastifyInstance} from 'fastify'
import {sensorMachineRecord} from '../core/device/inventory.js'
import {RuleError} from '../core/errors.js'
import {obj, str} from '../backends/remote/operations.js'
import {SENSOR_PATHS, type SensorFile, type SensorMachine} from '../backends/remote/sensor-api.js'
import type {Principal, SensorPrincipal} from './auth.js'
import type {ServedBackend} from './served-backend.js'
import {type Spool, type SpoolDrainer, type SpooledEvent, startDrainer} from './spool.js'

const SENSOR_ROUTES = SENSOR_PATHS
/** How long a token's right to speak for a machine is remembered; registration through this server refreshes it. */
const OWNER_CACHE_MS = 10_000

const machineSchema = obj({name: str(255), os: str(255), version: {anyOf: [str(64), {type: 'null'}]}}, ['name', 'os'])
const fileSchema = obj({device: str(255), fileName: str(1024), path: str(4096), contentBase64: str(1_000_000)}, ['device', 'fileName', 'path', 'contentBase64'])

export function registerSensorRoutes(
  app: FastifyInstance,
  options: {served: ServedBackend; bodyLimit: number; spool: Spool; drainer?: SpoolDrainer; errorLog?: (message: string) => void},
): SpoolDrainer {
  const {backend} = options.served

  const sensorOf = (p: Principal | null) => p as SensorPrincipal

  /**
   * A token speaks only for its provider's machines: the backend decides (one rule, refusals
   * audited) and this thread remembers a yes for a few seconds, so a fleet's heartbeats and
   * files do not each wait for the database. The spool processing checks again.
   */
  const allowed = new Map<string, number>()
  const allowedKey = (provider: string, name: string) => `${provider}\u0000${name.toLowerCase()}`
  const remember = (provider: string, name: string) => {
    if (allowed.size > 100_000) allowed.clear()
    allowed.set(allowedKey(provider, name), Date.now() + OWNER_CACHE_MS)
  }

  async function assertOwnDevice(p: SensorPrincipal, name: string, operation: 'heartbeat' | 'file'): Promise<void> {
    if ((allowed.get(allowedKey(p.provider, name)) ?? 0) >= Date.now()) return
    await options.served.sensor.authorize(p.provider, name, operation)
    remember(p.provider, name)
  }

  const config = (operation: string) => ({auth: 'sensor' as const, operation})

  app.get(SENSOR_ROUTES.tenant, {config: config('sensor.tenant')}, async () => {
    const tenant = await backend.tenant.get()
    if (!tenant) throw new RuleError('', 'The server has no tenant yet.', {suggestions: ['Run `atpctl init --location us` on the server.']})
    return {orgId: tenant.orgId, location: tenant.location, datacenter: tenant.datacenter, certificateSha256: tenant.certificateSha256}
  })

  // Registration answers at once: the sensor needs to know whether its machine is onboarded.
  app.post(SENSOR_ROUTES.register, {config: config('sensor.register'), bodyLimit: options.bodyLimit, schema: {body: machineSchema}}, async (request) => {
    const p = sensorOf(request.principal)
    const machine = request.body as SensorMachine
    const device = await options.served.sensor.register({name: machine.name, os: machine.os, version: machine.version ?? null, provider: p.provider})
    remember(p.provider, device.name)
    return {device: {name: device.name, onboarded: device.onboarded, lastSeen: device.lastSeen, health: device.health}}
  })

  // Heartbeats and file events are checked (token, provider on, own machine), committed to the
  // spool and acknowledged with 202; the drainer hands them to the backend in arrival order.
  // A worker thread drains when the server runs from the build; otherwise this thread does.
  const drainer =
    options.drainer ??
    startDrainer({
      spool: options.spool,
      ingest: (events: SpooledEvent[]) => options.served.sensor.ingest(options.spool.id, events),
      onError: (message) => options.errorLog?.(message),
    })

  app.post(SENSOR_ROUTES.heartbeat, {config: config('sensor.heartbeat'), bodyLimit: options.bodyLimit, schema: {body: machineSchema}}, async (request, reply) => {
    const p = sensorOf(request.principal)
    const machine = request.body as SensorMachine
    sensorMachineRecord(machine) // the backend's own rule, before anything is queued (issue 15 item 3)
    await assertOwnDevice(p, machine.name, 'heartbeat')
    const eventId = await options.spool.enqueueCommitted('heartbeat', p.provider, p.tokenId, {name: machine.name, os: machine.os, version: machine.version ?? null})
    drainer.kick()
    return reply.code(202).send({accepted: true, eventId})
  })

  app.post(SENSOR_ROUTES.files, {config: config('sensor.file'), bodyLimit: options.bodyLimit, schema: {body: fileSchema}}, async (request, reply) => {
    const p = sensorOf(request.principal)
    const file = request.body as SensorFile
    await assertOwnDevice(p, file.device, 'file')
    const eventId = await options.spool.enqueueCommitted('file', p.provider, p.tokenId, {...file})
    drainer.kick()
    return reply.code(202).send({accepted: true, eventId})
  })

  drainer.kick()
  return drainer
}
