/**
 * The endpoint side of seed 000: what a third-party sensor calls with its provider's access
 * token (TP2). Tokens authenticate only these routes, and only for their own provider: a sensor
 * can report machines as managed by its provider and files seen on those machines, nothing
 * else. A provider that is turned off gets its data refused (TP3, checked at authentication).
 */
import type {FastifyInstance} from 'fastify'
import {sensorMachineRecord} from '../core/device/inventory.js'
import {AuthError, RuleError} from '../core/errors.js'
import {obj, str} from '../backends/remote/operations.js'
import {SENSOR_PATHS, type SensorFile, type SensorMachine} from '../backends/remote/sensor-api.js'
import type {Principal, SensorPrincipal} from './auth.js'
import type {ServedBackend} from './served-backend.js'
import {type Spool, type SpoolDrainer, type SpooledEvent, startDrainer} from './spool.js'
import {processSpooledEvent} from './spool-processor.js'

const SENSOR_ROUTES = SENSOR_PATHS
/** How long a machine's provider is remembered; registration through this server refreshes it. */
const OWNER_CACHE_MS = 10_000

const machineSchema = obj({name: str(255), os: str(255), version: {anyOf: [str(64), {type: 'null'}]}}, ['name', 'os'])
const fileSchema = obj({device: str(255), fileName: str(1024), path: str(4096), contentBase64: str(1_000_000)}, ['device', 'fileName', 'path', 'contentBase64'])

interface DeviceView {
  name: string
  thirdPartyProvider: string | null
  onboarded: boolean
  lastSeen: string | null
  health?: string
}

type Loose = Record<string, Record<string, ((...args: unknown[]) => Promise<unknown>) | undefined> | undefined>

export function registerSensorRoutes(
  app: FastifyInstance,
  options: {served: ServedBackend; bodyLimit: number; spool: Spool; drainer?: SpoolDrainer; errorLog?: (message: string) => void},
): SpoolDrainer {
  const {backend, withActor} = options.served
  const loose = backend as unknown as Loose
  const owners = new Map<string, {provider: string | null; until: number}>()

  const need = (resource: string, method: string) => {
    const fn = loose[resource]?.[method]
    if (typeof fn !== 'function') {
      throw new RuleError('', `This server cannot accept sensor ${resource} yet (no ${resource}.${method} in its backend).`, {
        suggestions: ['Upgrade atpctl on the server.'],
      })
    }

    return (...args: unknown[]) => fn.apply(loose[resource], args)
  }

  const sensorOf = (p: Principal | null) => p as SensorPrincipal
  const actorOf = (p: SensorPrincipal, device: string) => `sensor:${p.provider}:${device}`.slice(0, 300)

  async function report(p: SensorPrincipal, machine: SensorMachine): Promise<DeviceView> {
    // A token never takes over a machine another provider manages.
    const owner = await ownerOf(machine.name)
    if (owner !== undefined && owner !== null && owner !== p.provider) throw notYours(p, machine.name)
    const device = (await withActor(actorOf(p, machine.name), () =>
      need('devices', 'reportFromSensor')({name: machine.name, os: machine.os, version: machine.version ?? null, provider: p.provider}),
    )) as DeviceView
    owners.set(device.name.toLowerCase(), {provider: device.thirdPartyProvider, until: Date.now() + OWNER_CACHE_MS})
    return device
  }

  /** The third-party provider managing a device: null for none, undefined for an unknown device. */
  async function ownerOf(name: string): Promise<string | null | undefined> {
    const key = name.toLowerCase()
    const hit = owners.get(key)
    if (hit && hit.until >= Date.now()) return hit.provider
    let provider: string | null | undefined
    try {
      provider = ((await need('devices', 'get')(name)) as DeviceView).thirdPartyProvider
    } catch (error) {
      if ((error as {exitCode?: number}).exitCode !== 3) throw error
      return undefined
    }

    if (owners.size > 100_000) owners.clear()
    owners.set(key, {provider, until: Date.now() + OWNER_CACHE_MS})
    return provider
  }

  const notYours = (p: SensorPrincipal, name: string) =>
    new AuthError(`Device '${name}' is not managed by provider '${p.provider}'; its token cannot report for it.`, {
      code: 'FORBIDDEN',
      suggestions: ['Each provider token speaks only for the machines its own sensors registered (POST /v1/sensor/register).'],
    })

  /** A token may only speak for machines its provider manages. */
  async function assertOwnDevice(p: SensorPrincipal, name: string): Promise<void> {
    if ((await ownerOf(name)) !== p.provider) throw notYours(p, name)
  }

  const config = (operation: string) => ({auth: 'sensor' as const, operation})

  app.get(SENSOR_ROUTES.tenant, {config: config('sensor.tenant')}, async () => {
    const tenant = await backend.tenant.get()
    if (!tenant) throw new RuleError('', 'The server has no tenant yet.', {suggestions: ['Run `atpctl init --location us` on the server.']})
    return {orgId: tenant.orgId, location: tenant.location, datacenter: tenant.datacenter, certificateSha256: tenant.certificateSha256}
  })

  // Registration answers at once: the sensor needs to know whether its machine is onboarded.
  app.post(SENSOR_ROUTES.register, {config: config('sensor.register'), bodyLimit: options.bodyLimit, schema: {body: machineSchema}}, async (request) => {
    const device = await report(sensorOf(request.principal), request.body as SensorMachine)
    return {device: {name: device.name, onboarded: device.onboarded, lastSeen: device.lastSeen, health: device.health ?? null}}
  })

  // Heartbeats and file events are checked (token, provider on, own machine), committed to the
  // spool and acknowledged with 202; the drainer hands them to the backend in arrival order.
  // A worker thread drains when the server runs from the build; otherwise this thread does.
  const drainer =
    options.drainer ??
    startDrainer({
      spool: options.spool,
      process: (event: SpooledEvent) => processSpooledEvent(backend, withActor, event),
      onError(event, error) {
        options.errorLog?.(`sensor event ${event.id} (${event.kind}) dropped: ${(error as Error).stack ?? String(error)}`)
      },
    })

  app.post(SENSOR_ROUTES.heartbeat, {config: config('sensor.heartbeat'), bodyLimit: options.bodyLimit, schema: {body: machineSchema}}, async (request, reply) => {
    const p = sensorOf(request.principal)
    const machine = request.body as SensorMachine
    sensorMachineRecord(machine) // the backend's own rule, before anything is queued (issue 15 item 3)
    await assertOwnDevice(p, machine.name)
    const eventId = await options.spool.enqueueCommitted('heartbeat', p.provider, p.tokenId, {name: machine.name, os: machine.os, version: machine.version ?? null})
    drainer.kick()
    return reply.code(202).send({accepted: true, eventId})
  })

  app.post(SENSOR_ROUTES.files, {config: config('sensor.file'), bodyLimit: options.bodyLimit, schema: {body: fileSchema}}, async (request, reply) => {
    const p = sensorOf(request.principal)
    const file = request.body as SensorFile
    await assertOwnDevice(p, file.device)
    const eventId = await options.spool.enqueueCommitted('file', p.provider, p.tokenId, {...file})
    drainer.kick()
    return reply.code(202).send({accepted: true, eventId})
  })

  drainer.kick()
  return drainer
}
