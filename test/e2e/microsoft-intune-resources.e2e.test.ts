/**
 * Intune groups, EDR profiles and the iOS supervised-mode app configuration on a real tenant
 * (issue 13, G2): bin/run.js against the HTTPS stub's Microsoft Graph, signed in by the real
 * @azure/identity. A group with a device, an EDR profile assigned to it (onboarded per IN2/IN4,
 * the conflict Intune reports per IN5), the app configuration (IN6), deletes with --yes.
 */
import {runCli, tempHome} from '../helpers/cli.js'
import {INTUNE_RESOURCE_ROLES, type MicrosoftStub, sampleIntuneResources, startMicrosoftStub, STUB_CLIENT_SECRET} from '../stub/microsoft/index.js'

let stub: MicrosoftStub
let home: string
let cleanup: () => void

const run = (args: string[], options: {input?: string} = {}) => runCli(args, {home, ...options})

beforeAll(async () => {
  stub = await startMicrosoftStub({graph: sampleIntuneResources(), roles: {graph: INTUNE_RESOURCE_ROLES}})
  ;({home, cleanup} = tempHome('atpctl-ms-intune-e2e-'))
  const urls = ['--authority-host', stub.authorityHost, '--defender-url', stub.defenderUrl, '--graph-url', stub.graphUrl, '--arm-url', stub.armUrl, '--ca-file', stub.caFile]
  const init = await run(['init', '--backend', 'microsoft', '--tenant-id', stub.tenantId, '--client-id', stub.clientId, '--client-secret-file', '-', ...urls, '--json'], {input: STUB_CLIENT_SECRET + '\n'})
  expect(init.code).toBe(0)
})
afterAll(async () => {
  await stub.close()
  cleanup()
})

describe('Intune resources on a real tenant (the stub)', () => {
  it('group create/add/show, edr-profile create/show/list, app-config, then deletes with --yes', async () => {
    expect((await run(['group', 'create', 'Windows fleet'])).code).toBe(0)
    const again = await run(['group', 'create', 'Windows fleet', '--description', 'other', '--json'])
    expect(again.code).toBe(4)
    expect(again.json().error.code).toBe('CONFLICT')
    expect((await run(['group', 'add', 'Windows fleet', '--device', 'ws-001', '--device', 'ws-old'])).code).toBe(0)
    const shown = (await run(['group', 'show', 'Windows fleet', '--json'])).json()
    expect(shown.group).toMatchObject({name: 'Windows fleet', devices: 2, users: 0})

    const created = await run(['edr-profile', 'create', '--name', 'EDR onboarding', '--assign-device-group', 'Windows fleet', '--json'])
    expect(created.code).toBe(0)
    const detail = await run(['edr-profile', 'show', 'EDR onboarding'])
    expect(detail.code).toBe(0)
    expect(detail.stdout).toContain('ws-001')
    expect(detail.stdout).toMatch(/below the minimum 10\.0\.15063/)
    expect(detail.stdout).toContain('Legacy ATP onboarding')
    const listed = (await run(['edr-profile', 'list', '--json'])).json()
    expect(JSON.stringify(listed)).toMatch(/"onboarded":1/)

    const config = await run(['intune', 'app-config', 'ios-supervised', '--json'])
    expect(config.code).toBe(0)
    expect(JSON.stringify(config.json())).toContain('{{issupervised}}')

    // In use (the EDR profile is assigned to it): without a terminal it needs --yes.
    const refused = await run(['group', 'delete', 'Windows fleet', '--json'])
    expect(refused.code).toBe(2)
    expect(JSON.stringify(refused.json())).toContain("EDR profile 'EDR onboarding'")
    expect((await run(['edr-profile', 'delete', 'EDR onboarding', '--yes'])).code).toBe(0)
    expect((await run(['group', 'delete', 'Windows fleet', '--yes'])).code).toBe(0)
    expect(stub.graph.groups).toHaveLength(0)
    expect(stub.graph.configurationPolicies).toHaveLength(0)
  })

  it('a missing Graph permission exits 5 naming it', async () => {
    stub.setRoles('graph', ['Group.Read.All'])
    try {
      const result = await run(['group', 'create', 'Ops', '--json'])
      expect(result.code).toBe(5)
      expect(result.json().error.message).toMatch(/Group\.ReadWrite\.All/)
    } finally {
      stub.setRoles('graph', INTUNE_RESOURCE_ROLES)
    }
  })
})
