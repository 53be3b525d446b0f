/**
 * The microsoft backend end to end (issue 12 Proof): bin/run.js against the local HTTPS stub of
 * Entra ID and the Defender for Endpoint API, signed in by the real @azure/identity. init with a
 * secret from stdin and from a file, status with permissions, device list/show, monitor, alert
 * list/show/resolve, detect eicar answered by the stub's sensor, a missing permission (exit 5),
 * unsupported commands (exit 4 with the portal path), logout; never a secret in output or config.
 */
import {mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli, tempHome} from '../helpers/cli.js'
import {makeAlert, type MicrosoftStub, startMicrosoftStub, STUB_CLIENT_SECRET} from '../stub/microsoft/index.js'

let stub: MicrosoftStub
let home: string
let cleanup: () => void

function urls(): string[] {
  return ['--authority-host', stub.authorityHost, '--defender-url', stub.defenderUrl, '--graph-url', stub.graphUrl, '--arm-url', stub.armUrl, '--ca-file', stub.caFile]
}

const run = (args: string[], options: {input?: string; env?: Record<string, string>} = {}) => runCli(args, {home, ...options})

function expectNoSecret(...texts: string[]): void {
  for (const t of texts) expect(t).not.toContain(STUB_CLIENT_SECRET)
}

beforeAll(async () => {
  // Every permission the backend uses, Graph's included (issue 13), so status finds all usable.
  stub = await startMicrosoftStub({
    roles: {
      graph: [
        'DeviceManagementServiceConfig.ReadWrite.All',
        'DeviceManagementConfiguration.ReadWrite.All',
        'DeviceManagementManagedDevices.Read.All',
        'Group.Read.All',
        'Group.ReadWrite.All',
        'Device.Read.All',
        'User.Read.All',
        'DeviceManagementApps.ReadWrite.All',
        'Policy.Read.All',
        'Policy.ReadWrite.ConditionalAccess',
      ],
    },
  })
  ;({home, cleanup} = tempHome('atpctl-ms-e2e-'))
  const [ws1] = stub.state.machines
  stub.state.alerts.push(makeAlert(ws1, {severity: 'High', title: 'Suspicious process injection observed'}))
})
afterAll(async () => {
  await stub.close()
  cleanup()
})

describe('atpctl on a real tenant (the stub)', () => {
  it('init --backend microsoft with the secret on stdin: signs in first, keeps the secret owner-only and out of config.json', async () => {
    const bad = await run(['init', '--backend', 'microsoft', '--tenant-id', stub.tenantId, '--client-id', stub.clientId, '--client-secret-file', '-', ...urls(), '--json'], {input: 'wrong-secret\n'})
    expect(bad.code).toBe(5)
    expect(bad.json().error.message).toMatch(/AADSTS7000215|secret/i)
    expect(() => readFileSync(join(home, 'config.json'), 'utf8')).toThrow()

    const result = await run(['init', '--backend', 'microsoft', '--tenant-id', stub.tenantId, '--client-id', stub.clientId, '--client-secret-file', '-', ...urls(), '--json'], {input: STUB_CLIENT_SECRET + '\n'})
    expect(result.code).toBe(0)
    const doc = result.json()
    expect(doc.status.signIn).toMatchObject({tenantId: stub.tenantId, cloud: 'commercial'})
    const config = readFileSync(join(home, 'config.json'), 'utf8')
    expect(JSON.parse(config).profiles.default.backend).toBe('microsoft')
    expectNoSecret(config, result.stdout, result.stderr)
    const kept = join(home, 'profiles', 'default', 'client-secret')
    expect(statSync(kept).mode & 0o777).toBe(0o600)
  })

  it('status lists the token roles and every capability: usable, or refused with the portal path', async () => {
    const result = await run(['status'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(stub.tenantId)
    expect(result.stdout).toMatch(/WindowsDefenderATP.*Machine\.Offboard/)
    expect(result.stdout).toMatch(/offboard machines/)
    expect(result.stdout).toMatch(/third-party-tokens: .*Microsoft Defender portal/)
    const doc = (await run(['status', '--json'])).json()
    type Usability = {capability: string; usable: boolean; missing: string[]}
    // The stub's tokens carry every role this suite needs; each operation's needs are met.
    expect(doc.permissions.filter((p: Usability) => !p.usable)).toEqual([])
    expect(doc.capabilities.find((c: {id: string}) => c.id === 'devices').supported).toBe(true)
  })

  it('device list and show read the machines with the core rules', async () => {
    const list = await run(['device', 'list', '--json'])
    expect(list.code).toBe(0)
    const devices = list.json().devices as {name: string; health: string; level: string}[]
    expect(devices).toHaveLength(8)
    expect(devices.find((d) => d.name.startsWith('srv-002'))).toMatchObject({health: 'agent-state', level: 'down-level'})
    const table = await run(['device', 'list', '--health', 'not-onboarded'])
    expect(table.stdout).toContain('ws-099.contoso.local')
    expect(table.stdout).not.toContain('ws-001')
    const show = await run(['device', 'show', 'ws-099'])
    expect(show.code).toBe(0)
    expect(show.stdout).toMatch(/CanBeOnboarded/)
    expect((await run(['device', 'show', 'nope'])).code).toBe(3)
  })

  it('monitor counts from the machines; --collection is a machine tag', async () => {
    const doc = (await run(['monitor', '--collection', 'Servers', '--json'])).json()
    expect(doc.devices).toBe(3)
    expect(doc.collection).toBe('Servers')
  })

  it('alert list, show and resolve', async () => {
    const list = (await run(['alert', 'list', '--json'])).json()
    expect(list.alerts).toHaveLength(1)
    const id = list.alerts[0].id as string
    expect((await run(['alert', 'show', id])).stdout).toContain('Suspicious process injection observed')
    const resolved = await run(['alert', 'resolve', id, '--comment', 'checked', '--json'])
    expect(resolved.code).toBe(0)
    expect(resolved.json().alert.status).toBe('Resolved')
    expect(stub.state.alerts[0].status).toBe('Resolved')
  })

  it('detect eicar: writes the file into --path, the stub sensor raises the alert, exit 0 (DT1)', async () => {
    const folder = mkdtempSync(join(home, 'watched-'))
    const ws1 = stub.state.machines[0]
    stub.watchForEicar({folder, machineId: ws1.id, delayMs: 300})
    const result = await run(['detect', 'eicar', '--device', 'ws-001', '--path', folder, '--timeout', '60s', '--json'])
    expect(result.code).toBe(0)
    const doc = result.json()
    expect(doc.outcome).toBe('alert-seen')
    expect(doc.machineId).toBe(ws1.id)
    // Not onboarded: exit 11, before anything is written.
    expect((await run(['detect', 'eicar', '--device', 'ws-099', '--path', folder, '--timeout', '5s'])).code).toBe(11)
  })

  it('a missing permission exits 5 naming it and the API', async () => {
    stub.setRoles('defender', ['Machine.Read.All'])
    stub.inject({expireTokens: true})
    const result = await run(['alert', 'list'])
    expect(result.code).toBe(5)
    expect(result.stderr).toMatch(/Alert\.Read\.All/)
    expect(result.stderr).toMatch(/WindowsDefenderATP/)
    const status = (await run(['status', '--json'])).json()
    expect(status.permissions.find((p: {operation: string}) => p.operation === 'list and show alerts')).toMatchObject({usable: false})
    stub.setRoles('defender', ['Machine.Read.All', 'Machine.ReadWrite.All', 'Alert.Read.All', 'Alert.ReadWrite.All', 'Machine.Offboard'])
    stub.inject({expireTokens: true})
  })

  it('what Microsoft has no API for exits 4 with the portal path', async () => {
    for (const args of [['token', 'mint', '--provider', 'sentinelone'], ['workspace', 'show'], ['policy', 'list'], ['collection', 'list']]) {
      const result = await run([...args, '--json'])
      expect({args, code: result.code}).toEqual({args, code: 4})
      const error = result.json().error
      expect(error.code).toBe('UNSUPPORTED')
    }

    const mint = await run(['token', 'mint', '--provider', 'sentinelone'])
    expect(mint.stderr).toMatch(/Microsoft Defender portal/)
  })

  it('--verbose prints each request without the token', async () => {
    const result = await run(['device', 'list', '--verbose', '--limit', '1'])
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/GET \/api\/machines/)
    const tokens = stub.requests.map((r) => r.token).filter((t): t is string => Boolean(t))
    for (const t of tokens) expect(result.stderr).not.toContain(t)
  })

  it('device offboard: two Windows machines get one Offboard action each, the Linux one is refused with the reason; the rerun sends nothing (DC9)', async () => {
    const names = ['ws-002.contoso.local', 'srv-001.contoso.local', 'lnx-001.contoso.local']
    const before = stub.state.machineActions.length
    const first = await run(['device', 'offboard', ...names, '--comment', 'decommissioned', '--wait', '30s', '--json'])
    expect(first.code).toBe(4)
    const doc = first.json()
    expect(doc.summary).toMatchObject({total: 3, offboarded: 2, refused: 1})
    expect(doc.results.find((r: {device: string}) => r.device.startsWith('lnx-001')).reason).toMatch(/Linux or macOS/)
    expect(stub.state.machineActions.length - before).toBe(2)
    expect(stub.state.machineActions.slice(before).map((a) => a.requestorComment)).toEqual(['decommissioned', 'decommissioned'])

    const rerun = await run(['device', 'offboard', ...names, '--comment', 'decommissioned', '--json'])
    expect(rerun.json().summary).toMatchObject({total: 3, 'already-offboarded': 2, refused: 1, offboarded: 0})
    expect(stub.state.machineActions.length - before).toBe(2)
    expect(stub.duplicateActions()).toBe(0)

    const operations = await run(['operation', 'list', '--kind', 'device.offboard', '--json'])
    expect(operations.code).toBe(0)
    expect(operations.json().operations.filter((o: {status: string}) => o.status === 'succeeded').length).toBeGreaterThanOrEqual(2)
  })

  it('init with a secret file keeps the path, not the secret; logout removes what it kept', async () => {
    const secretFile = join(home, 'secret.txt')
    writeFileSync(secretFile, STUB_CLIENT_SECRET + '\n', {mode: 0o600})
    const init = await run(['init', '--backend', 'microsoft', '--profile', 'filed', '--tenant-id', stub.tenantId, '--client-id', stub.clientId, '--client-secret-file', secretFile, ...urls()])
    expect(init.code).toBe(0)
    const config = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8'))
    expect(config.profiles.filed.settings['client-secret-file']).toBe(secretFile)
    expectNoSecret(JSON.stringify(config), init.stdout, init.stderr)
    expect((await run(['device', 'list', '--profile', 'filed', '--json'])).code).toBe(0)

    const logout = await run(['logout', '--json'])
    expect(logout.json().removed).toEqual(['client secret'])
    // Signed out: the profile cannot sign in until init runs again.
    const after = await run(['device', 'list'])
    expect(after.code).not.toBe(0)
    expect((await run(['logout', '--profile', 'filed', '--json'])).json().removed).toEqual([])
  })
})
