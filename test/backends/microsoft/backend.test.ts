/**
 * The microsoft backend against the local stub, signed in by the real @azure/identity with a
 * client secret: machines as devices (CM1, CM2, CM6), server-side filters, monitor, alerts,
 * the detection target and an EICAR check the stub's sensor answers (DT1, DT3), offboarding
 * through machine actions without duplicates (DC9, REFERENCE §8.3), status permissions, and the
 * unsupported capabilities with their portal paths (SPEC §1).
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {type MicrosoftBackend, openMicrosoftBackend} from '../../../src/backends/microsoft/index.js'
import {checkMicrosoftSettings} from '../../../src/backends/microsoft/settings.js'
import {guardCapabilities} from '../../../src/core/capabilities.js'
import {runEicarCheck} from '../../../src/core/detect/service.js'
import {isAtpError} from '../../../src/core/errors.js'
import {getStatus} from '../../../src/core/status.js'
import {makeAlert, manyMachines, type MicrosoftStub, startMicrosoftStub, STUB_CLIENT_SECRET} from '../../stub/microsoft/index.js'

let dir: string
let secretFile: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'atpctl-msbackend-'))
  secretFile = join(dir, 'secret')
  writeFileSync(secretFile, STUB_CLIENT_SECRET + '\n', {mode: 0o600})
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const BIG = {perMinute: 100_000, perHour: 1_000_000}

function open(stub: MicrosoftStub, options: {hostname?: string} = {}): MicrosoftBackend {
  const settings = checkMicrosoftSettings({tenantId: stub.tenantId, clientId: stub.clientId, secretFile, authorityHost: stub.authorityHost, defenderUrl: stub.defenderUrl, graphUrl: stub.graphUrl, armUrl: stub.armUrl, caFile: stub.caFile})
  return openMicrosoftBackend({settings, context: {profile: 'test', actor: 'test'}, env: {}, budget: [{max: 100_000, windowMs: 60_000}], hostname: () => options.hostname ?? 'not-a-tenant-machine'})
}

async function rejection(promise: Promise<unknown>): Promise<{exitCode: number; code: string; message: string; suggestions: string[]}> {
  try {
    await promise
  } catch (error) {
    if (isAtpError(error)) return {exitCode: error.exitCode, code: error.code, message: error.message, suggestions: error.suggestions}
    throw error
  }

  throw new Error('expected a rejection')
}

describe('microsoft backend against the stub', () => {
  let stub: MicrosoftStub
  let backend: MicrosoftBackend
  beforeEach(async () => {
    stub = await startMicrosoftStub({budget: BIG, actions: {pendingMs: 50, inProgressMs: 50}})
    backend = open(stub, {hostname: 'ws-001'})
  })
  afterEach(async () => {
    await backend.close()
    await stub.close()
  })

  it('lists machines as devices with OS level and CM6 health from the table', async () => {
    const devices = (await backend.devices.list()).items
    const by = Object.fromEntries(devices.map((d) => [d.name.split('.')[0], d]))
    expect(devices).toHaveLength(8)
    expect(by['ws-001']).toMatchObject({osFamily: 'windows', osName: 'Windows 11 23H2', level: 'up-level', health: 'healthy', onboarded: true, collections: ['Finance']})
    expect(by['ws-003']).toMatchObject({osName: 'Windows 10 1607', level: 'up-level', health: 'inactive'})
    expect(by['srv-001']).toMatchObject({osFamily: 'windows-server', osName: 'Windows Server 2019', level: 'up-level'})
    expect(by['srv-002']).toMatchObject({osName: 'Windows Server 2012 R2', level: 'down-level', health: 'agent-state'})
    expect(by['lnx-001']).toMatchObject({osFamily: 'linux', level: 'unsupported'})
    expect(by['mac-001']).toMatchObject({osFamily: 'macos', health: 'agent-state', sensorService: 'stopped'})
    expect(by['ws-099']).toMatchObject({onboarded: false, health: 'not-onboarded'})
    expect(by['ws-099'].onboarding.reason).toMatch(/CanBeOnboarded/)
    expect(by['ws-001'].machine.id).toMatch(/^[0-9a-f]{40}$/)
  })

  it('sends filters to the server as $filter and applies the same rules to what comes back', async () => {
    const notOnboarded = (await backend.devices.list({health: 'not-onboarded'})).items
    expect(notOnboarded.map((d) => d.name)).toEqual(['ws-099.contoso.local'])
    const servers = (await backend.devices.list({osFamily: 'windows-server', collection: 'Servers'})).items
    expect(servers.map((d) => d.name.split('.')[0])).toEqual(['srv-001', 'srv-002'])
    const filters = stub.requests.filter((r) => r.path === '/api/machines').map((r) => r.query.$filter ?? '')
    expect(filters.some((f) => f.includes("onboardingStatus ne 'Onboarded'"))).toBe(true)
    expect(filters.some((f) => f.includes("machineTags/any(t: t eq 'Servers')") && f.includes("startswith(osPlatform,'WindowsServer')"))).toBe(true)
    const agent = (await backend.devices.list({health: 'agent-state'})).items
    expect(agent.map((d) => d.name.split('.')[0]).sort()).toEqual(['mac-001', 'srv-002'])
  })

  it('shows a machine by short name, DNS name or id; an unknown one is exit 3', async () => {
    const short = await backend.devices.get('ws-002')
    expect(short.name).toBe('ws-002.contoso.local')
    expect((await backend.devices.get(short.machine.id)).name).toBe('ws-002.contoso.local')
    expect((await rejection(backend.devices.get('nope'))).exitCode).toBe(3)
  })

  it('counts the monitor figures from the machines, per tag', async () => {
    const report = await backend.monitor.report({periodMs: 7 * 86_400_000})
    // Eligible: the seven onboarded machines and the one that can be onboarded.
    expect(report.deployment).toEqual({eligible: 8, onboarded: 7, percent: 87.5})
    expect(report.health).toEqual({healthy: 4, inactive: 1, agentState: 2, notOnboarded: 1})
    expect(report.collections.map((c) => c.name)).toEqual(['Finance', 'Servers'])
    const servers = await backend.monitor.report({collection: 'Servers', periodMs: 7 * 86_400_000})
    expect(servers.devices).toBe(3)
    expect((await rejection(backend.monitor.report({collection: 'Nope', periodMs: 86_400_000}))).exitCode).toBe(3)
  })

  it('lists, shows and resolves alerts; --device goes through the machine', async () => {
    const [ws1, ws2] = stub.state.machines
    stub.state.alerts.push(makeAlert(ws1, {severity: 'High', alertCreationTime: '2026-01-02T00:00:00Z'}), makeAlert(ws2, {title: 'Other', alertCreationTime: '2026-01-03T00:00:00Z'}))
    const all = (await backend.alerts.list()).items
    expect(all.map((a) => a.computerDnsName)).toEqual([ws2.computerDnsName, ws1.computerDnsName])
    expect(((await backend.alerts.list({device: 'ws-001'})).items).map((a) => a.machineId)).toEqual([ws1.id])
    expect((await backend.alerts.list({severity: 'High'})).items).toHaveLength(1)
    expect((await backend.alerts.list({since: '2026-01-02T12:00:00Z'})).items).toHaveLength(1)
    const resolved = await backend.alerts.resolve(all[0].id, {comment: 'tested'})
    expect(resolved.status).toBe('Resolved')
    expect(stub.state.alerts.find((a) => a.id === all[0].id)?.status).toBe('Resolved')
    expect((await rejection(backend.alerts.get('da000000000000000000_1'))).exitCode).toBe(3)
    expect(await backend.alerts.risks([ws1.id])).toEqual({[ws1.id]: 'None'})
  })

  it('runs an EICAR check: this host by default, the stub sensor raises the alert (DT1)', async () => {
    const ws1 = stub.state.machines[0]
    const folder = mkdtempSync(join(dir, 'watch-'))
    stub.watchForEicar({folder, machineId: ws1.id, delayMs: 100})
    let now = 0
    const verdict = await runEicarCheck(backend, {profile: 'test', dir: folder, timeoutMs: 20_000, keep: false}, {
      now: () => performance.now(),
      date: () => new Date(),
      sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 200))),
      onWaitStart: () => (now = Date.now()),
    })
    expect(now).toBeGreaterThan(0)
    expect(verdict.outcome).toBe('alert-seen')
    expect(verdict.exitCode).toBe(0)
    expect(verdict.machineId).toBe(ws1.id)
    expect(verdict.reportedBy).toBe('live-sensor')
  })

  it('refuses the EICAR check of a machine that is not onboarded or not Active (DT3)', async () => {
    const deps = {now: () => performance.now(), date: () => new Date(), sleep: async () => {}}
    const notOnboarded = await runEicarCheck(backend, {profile: 'test', device: 'ws-099', dir, timeoutMs: 1000, keep: false}, deps)
    expect(notOnboarded.exitCode).toBe(11)
    const inactive = await runEicarCheck(backend, {profile: 'test', device: 'ws-003', dir, timeoutMs: 1000, keep: false}, deps)
    expect(inactive.exitCode).toBe(12)
    const unknown = await runEicarCheck(backend, {profile: 'test', device: 'nope', dir, timeoutMs: 1000, keep: false}, deps)
    expect(unknown.exitCode).toBe(11)
    // Another machine without --path: its sensor cannot see a file written here.
    expect((await rejection(runEicarCheck(backend, {profile: 'test', device: 'ws-002', timeoutMs: 1000, keep: false}, deps))).exitCode).toBe(2)
  })

  it('offboards a Windows machine once: a rerun returns the same action, Linux is refused (DC9, §8.3)', async () => {
    const first = await backend.devices.offboard({device: 'ws-002', comment: 'leaving'})
    expect(first).toMatchObject({kind: 'device.offboard', status: 'running', target: 'ws-002.contoso.local'})
    const again = await backend.devices.offboard({device: 'ws-002.contoso.local', comment: 'leaving'})
    expect(again.id).toBe(first.id)
    expect(stub.state.machineActions).toHaveLength(1)
    expect(stub.state.machineActions[0].requestorComment).toBe('leaving')
    const linux = await rejection(backend.devices.offboard({device: 'lnx-001', comment: 'leaving'}))
    expect(linux.exitCode).toBe(4)
    expect(linux.message).toMatch(/Linux/)
    expect((await rejection(backend.devices.offboard({device: 'ws-002', comment: ' '}))).exitCode).toBe(2)
    let op = await backend.operations.get(first.id)
    for (let i = 0; i < 50 && op.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 30))
      op = await backend.operations.get(first.id)
    }

    expect(op.status).toBe('succeeded')
    expect(op.finishedAt).not.toBeNull()
    // Already offboarded: the succeeded action is the answer, nothing is sent again.
    expect((await backend.devices.offboard({device: 'ws-002', comment: 'again'})).id).toBe(first.id)
    expect(stub.duplicateActions()).toBe(0)
    const page = await backend.operations.list({kind: 'device.offboard', status: 'succeeded'})
    expect(page.items.map((o) => o.id)).toEqual([first.id])
    expect((await rejection(backend.operations.get('00000000-0000-0000-0000-000000000000'))).exitCode).toBe(3)
  })

  it('reports the sign-in and which operation lacks which permission', async () => {
    stub.setRoles('defender', ['Machine.Read.All', 'Alert.Read.All'])
    const status = await getStatus(guardCapabilities(backend), 'test')
    expect(status.tenant).toBeNull()
    expect(status.signIn).toMatchObject({tenantId: stub.tenantId, cloud: 'commercial'})
    expect(status.signIn!.apis.find((a) => a.api === 'defender')!.roles).toEqual(['Machine.Read.All', 'Alert.Read.All'])
    const offboard = status.permissions!.find((p) => p.operation === 'offboard machines')!
    expect(offboard).toMatchObject({usable: false, missing: ['Machine.Offboard on WindowsDefenderATP']})
    expect(status.permissions!.find((p) => p.operation === 'list and show machines')!.usable).toBe(true)
    expect(status.integrations).toBeNull()
    expect(status.capabilities.find((c) => c.id === 'third-party-tokens')).toMatchObject({supported: false})
  })

  it('names the missing permission when the API refuses (exit 5)', async () => {
    stub.setRoles('defender', ['Machine.Read.All'])
    const refused = await rejection(backend.alerts.list())
    expect(refused.exitCode).toBe(5)
    expect(`${refused.message} ${refused.suggestions.join(' ')}`).toMatch(/Alert\.Read\.All/)
  })

  it('refuses what Microsoft has no API for with exit 4 and the portal path', async () => {
    const guarded = guardCapabilities(backend)
    for (const call of [() => guarded.tokens.mint({provider: 'x', ttlMs: 1000}), () => guarded.tenant.secrets(), () => guarded.packages.list(), () => guarded.policies.list(), () => guarded.devices.import({records: []})]) {
      const refused = await rejection(call())
      expect(refused).toMatchObject({exitCode: 4, code: 'UNSUPPORTED'})
      expect(refused.suggestions.join(' ')).toMatch(/portal|console|Machines appear/)
    }

    // Without the guard too: the backend itself refuses.
    expect((await rejection(backend.tokens.mint({provider: 'x', ttlMs: 1000}))).exitCode).toBe(4)
  })
})

describe('bulk offboarding through one backend', () => {
  it('costs about one call per machine, and a rerun sends nothing (no duplicate, DC9)', async () => {
    const stub = await startMicrosoftStub({machines: manyMachines(40), budget: BIG, actions: {pendingMs: 10_000}})
    const names = stub.state.machines.map((m) => m.computerDnsName)
    try {
      let backend = open(stub)
      const first = await Promise.all(names.map((device) => backend.devices.offboard({device, comment: 'bulk'})))
      await backend.close()
      expect(new Set(first.map((o) => o.id)).size).toBe(40)
      const calls = stub.requests.filter((r) => r.api === 'defender')
      // One lookup, one listing of the machines, one of the Offboard actions; then one POST per machine.
      expect(calls.map((r) => `${r.method} ${r.path}`).filter((p) => !p.endsWith('/offboard'))).toEqual(['GET /api/machines/bulk-00001.contoso.local', 'GET /api/machines', 'GET /api/machineactions'])
      expect(calls.filter((r) => r.method === 'POST')).toHaveLength(40)
      backend = open(stub)
      const before = stub.requests.length
      const again = await Promise.all(names.map((device) => backend.devices.offboard({device, comment: 'bulk'})))
      await backend.close()
      expect(again.map((o) => o.id)).toEqual(first.map((o) => o.id))
      expect(stub.requests.slice(before).filter((r) => r.method === 'POST' && r.api === 'defender')).toHaveLength(0)
      expect(stub.duplicateActions()).toBe(0)
    } finally {
      await stub.close()
    }
  })
})

describe('microsoft backend on an empty tenant', () => {
  it('reads the 404 of /api/machines as no machines', async () => {
    const stub = await startMicrosoftStub({machines: [], budget: BIG})
    const backend = open(stub)
    try {
      expect((await backend.devices.list()).items).toEqual([])
      expect((await backend.monitor.report({periodMs: 86_400_000})).devices).toBe(0)
    } finally {
      await backend.close()
      await stub.close()
    }
  })
})
