/**
 * Seed 002 on the microsoft backend end to end (issue 13 Proof): bin/run.js against the stub's
 * Azure Resource Manager. Enable Windows on a subscription, then Linux (DC2), refuse a
 * Linux-only disable (DC3), refuse without Defender for Servers (exit 4, how to turn it on) and
 * without Security Admin or Owner (exit 5, DC6), then disable the whole integration.
 */
import {runCli, tempHome} from '../helpers/cli.js'
import {type MicrosoftStub, startMicrosoftStub, STUB_CLIENT_SECRET, STUB_SUBSCRIPTION_ID} from '../stub/microsoft/index.js'

let stub: MicrosoftStub
let home: string
let cleanup: () => void
const SUB = STUB_SUBSCRIPTION_ID

const run = (args: string[], options: {input?: string} = {}) => runCli(args, {home, ...options})
const urls = () => ['--authority-host', stub.authorityHost, '--defender-url', stub.defenderUrl, '--graph-url', stub.graphUrl, '--arm-url', stub.armUrl, '--ca-file', stub.caFile]

beforeAll(async () => {
  stub = await startMicrosoftStub()
  ;({home, cleanup} = tempHome('atpctl-ms-dfc-e2e-'))
  const init = await run(['init', '--backend', 'microsoft', '--tenant-id', stub.tenantId, '--client-id', stub.clientId, '--client-secret-file', '-', ...urls(), '--json'], {input: STUB_CLIENT_SECRET + '\n'})
  expect(init.code).toBe(0)
})
afterAll(async () => {
  await stub.close()
  cleanup()
})

describe('seed 002 on a real tenant (the stub)', () => {
  it('enable Windows, then Linux; a Linux-only disable is refused (DC3); the whole integration goes off', async () => {
    const windows = await run(['integration', 'enable', 'defender-for-cloud', '--subscription', SUB, '--windows-only', '--json'])
    expect(windows.code).toBe(0)
    expect(windows.json()).toMatchObject({kind: 'defender-for-cloud', changed: true, subscription: {subscriptionId: SUB, windows: true, linux: false}})
    expect(stub.arm.subscriptions[0].settings).toMatchObject({WDATP: true, WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW: true})

    const linux = await run(['integration', 'enable', 'defender-for-cloud', '--subscription', SUB, '--linux'])
    expect(linux.code).toBe(0)
    expect(stub.arm.subscriptions[0].settings.WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW).toBe(false)

    const writes = stub.requests.filter((r) => r.api === 'arm' && r.method === 'PUT').length
    const refused = await run(['integration', 'disable', 'defender-for-cloud', '--subscription', SUB, '--linux', '--json'])
    expect(refused.code).toBe(4)
    expect(refused.json().error.code).toBe('REFUSED_DC3')
    expect(stub.requests.filter((r) => r.api === 'arm' && r.method === 'PUT').length).toBe(writes)

    const off = await run(['integration', 'disable', 'defender-for-cloud', '--subscription', SUB, '--yes', '--json'])
    expect(off.code).toBe(0)
    expect(off.json().subscription).toMatchObject({windows: false, linux: false})
  })

  it('without Defender for Servers: exit 4 saying how to turn it on; as a Reader: exit 5 naming the roles', async () => {
    stub.arm.subscriptions[0].serversPlan = 'Free'
    const plan = await run(['integration', 'enable', 'defender-for-cloud', '--subscription', SUB])
    expect(plan.code).toBe(4)
    expect(plan.stderr).toMatch(/Defender for Servers/)
    expect(plan.stderr).toMatch(/Defender plans > Servers: On/)
    expect(plan.stderr).not.toMatch(/\n\s+at /)

    stub.arm.subscriptions[0].serversPlan = 'Standard'
    stub.arm.subscriptions[0].role = 'Reader'
    const reader = await run(['integration', 'enable', 'defender-for-cloud', '--subscription', SUB])
    expect(reader.code).toBe(5)
    expect(reader.stderr).toMatch(/Security Admin/)
    expect(reader.stderr).toMatch(/Owner/)
    stub.arm.subscriptions[0].role = 'Security Admin'
  })
})
