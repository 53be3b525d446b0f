/**
 * Defender for Cloud on the microsoft backend (issue 13) against the stub's Azure Resource
 * Manager: DC1/DC2 through the settings WDATP and WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW (inverted),
 * DC3, DC5, DC6 (403 AuthorizationFailed → exit 5 naming the roles), Defender for Servers,
 * api-version, nextLink paging and 429.
 */
import {armCloud, defenderForCloud, subscriptionState} from '../../../src/backends/microsoft/arm.js'
import {expectAtpError} from '../contract/expect.js'
import {type MicrosoftTarget, openMicrosoftTarget} from '../contract/microsoft.js'
import {makeSubscription, STUB_SUBSCRIPTION_ID} from '../../stub/microsoft/index.js'

let t: MicrosoftTarget
const SUB = STUB_SUBSCRIPTION_ID
const LEGACY = '00000000-0000-4000-8000-00000000d002'
const enable = (subscriptionId: string, extra: {linux?: boolean; windowsOnly?: boolean; cloud?: 'commercial' | 'china'} = {}) =>
  t.backend.integrations.enableDefenderForCloud({subscriptionId, cloud: extra.cloud ?? 'commercial', linux: Boolean(extra.linux), windowsOnly: Boolean(extra.windowsOnly)})
const caught = async (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as {message: string; suggestions: string[]; code: string; exitCode: number})
const armWrites = () => t.stub.requests.filter((r) => r.api === 'arm' && r.method === 'PUT')

beforeEach(async () => {
  t = await openMicrosoftTarget()
  t.stub.arm.subscriptions.push(
    makeSubscription({subscriptionId: LEGACY, displayName: 'Legacy', settings: {WDATP: true, WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW: true, WDATP_UNIFIED_SOLUTION: false}}),
  )
})
afterEach(async () => t.cleanup())

describe('the state of the settings', () => {
  it('reads the Linux exclusion inverted: enabled true excludes Linux', () => {
    expect(subscriptionState('s', 'commercial', {wdatp: true, excludeLinux: true, unified: undefined})).toMatchObject({windows: true, linux: false})
    expect(subscriptionState('s', 'commercial', {wdatp: true, excludeLinux: false, unified: undefined})).toMatchObject({windows: true, linux: true})
    expect(subscriptionState('s', 'commercial', {wdatp: true, excludeLinux: undefined, unified: undefined})).toMatchObject({windows: true, linux: true})
    expect(subscriptionState('s', 'commercial', {wdatp: false, excludeLinux: false, unified: undefined})).toMatchObject({windows: false, linux: false})
    expect(armCloud('gcc-high')).toBe('government')
    expect(armCloud('gcc')).toBe('commercial')
  })
})

describe('enable and disable (DC1–DC3)', () => {
  it('a subscription that never had it gets Windows and Linux together with one write (DC2); again is a no-op', async () => {
    const first = await enable(SUB)
    expect(first).toEqual({changed: true, state: {subscriptionId: SUB, cloud: 'commercial', windows: true, linux: true, changedAt: null}})
    expect(armWrites().map((r) => r.path)).toEqual([`/subscriptions/${SUB}/providers/Microsoft.Security/settings/WDATP`])
    expect(armWrites()[0].query['api-version']).toBe('2022-05-01')
    const again = await enable(SUB, {linux: true})
    expect(again.changed).toBe(false)
    expect(armWrites()).toHaveLength(1)
  })

  it('a legacy subscription with Windows on gets Linux only with --linux, by turning the exclusion off (and the unified solution on)', async () => {
    const plain = await enable(LEGACY)
    expect(plain).toMatchObject({changed: false, state: {windows: true, linux: false}})
    const sub = t.stub.arm.subscriptions.find((s) => s.subscriptionId === LEGACY)!
    const linux = await enable(LEGACY, {linux: true})
    expect(linux).toMatchObject({changed: true, state: {windows: true, linux: true}})
    expect(sub.settings).toMatchObject({WDATP: true, WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW: false, WDATP_UNIFIED_SOLUTION: true})
  })

  it('--windows-only on a new subscription excludes Linux; refused once Linux is on (DC3)', async () => {
    expect(await enable(SUB, {windowsOnly: true})).toMatchObject({changed: true, state: {windows: true, linux: false}})
    expect(t.stub.arm.subscriptions[0].settings).toMatchObject({WDATP: true, WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW: true})
    expect(await enable(SUB, {linux: true})).toMatchObject({changed: true, state: {linux: true}})
    await expectAtpError(enable(SUB, {windowsOnly: true}), {code: 'REFUSED_DC3', exitCode: 4})
  })

  it('disable: Linux alone is refused before any call (DC3); the whole integration goes off with WDATP', async () => {
    await enable(SUB)
    const before = t.stub.requests.length
    await expectAtpError(t.backend.integrations.disableDefenderForCloud({subscriptionId: SUB, linuxOnly: true}), {code: 'REFUSED_DC3', exitCode: 4})
    expect(t.stub.requests.length).toBe(before)
    expect(await t.backend.integrations.disableDefenderForCloud({subscriptionId: SUB, linuxOnly: false})).toMatchObject({changed: true, state: {windows: false, linux: false}})
    expect(t.stub.arm.subscriptions[0].settings.WDATP).toBe(false)
    expect((await t.backend.integrations.disableDefenderForCloud({subscriptionId: SUB, linuxOnly: false})).changed).toBe(false)
  })

  it('China is refused before any call (DC5); an unseen subscription is not found (exit 3)', async () => {
    const before = t.stub.requests.length
    await expectAtpError(enable(SUB, {cloud: 'china'}), {code: 'REFUSED_DC5', exitCode: 4})
    expect(t.stub.requests.length).toBe(before)
    await expectAtpError(enable('00000000-0000-4000-8000-0000000000ee'), {exitCode: 3})
    t.stub.arm.subscriptions[0].role = null
    await expectAtpError(enable(SUB), {exitCode: 3})
  })
})

describe('list: the subscriptions the credential sees', () => {
  it('follows nextLink, reads each one\'s settings, and leaves out subscriptions without a role', async () => {
    t.stub.arm.pageSize = 1
    t.stub.arm.subscriptions.push(makeSubscription({subscriptionId: '00000000-0000-4000-8000-00000000d003', role: null}))
    const dfc = defenderForCloud({client: async () => t.raw.client('arm'), cloud: 'commercial'})
    expect(await dfc.list()).toEqual([
      {subscriptionId: SUB, cloud: 'commercial', windows: false, linux: false, changedAt: null},
      {subscriptionId: LEGACY, cloud: 'commercial', windows: true, linux: false, changedAt: null},
    ])
    expect(t.stub.requests.filter((r) => r.path === '/subscriptions').map((r) => r.query.$skiptoken ?? '0')).toEqual(['0', '1'])
  })

  it('the stub refuses a call without api-version the way ARM does (400 MissingApiVersionParameter, exit 7)', async () => {
    const client = await t.raw.client('arm')
    await expectAtpError(client.get('/subscriptions'), {code: 'MICROSOFT_REFUSED', exitCode: 7, message: /MissingApiVersionParameter/})
    await expectAtpError(client.get(`/subscriptions/${SUB}/providers/Microsoft.Security/mdeOnboardings/default`, {query: {'api-version': '2022-05-01'}}), {exitCode: 7, message: /InvalidApiVersionParameter/})
  })
})

describe('what Azure insists on', () => {
  it('without Defender for Servers: exit 4 saying how to turn it on, nothing written', async () => {
    t.stub.arm.subscriptions[0].serversPlan = 'Free'
    await expectAtpError(enable(SUB), {code: 'REFUSED_DEFENDER_FOR_SERVERS', exitCode: 4})
    expect((await caught(enable(SUB)))!.suggestions.join(' ')).toMatch(/Defender plans > Servers: On/)
    expect(armWrites()).toHaveLength(0)
    const pricing = t.stub.requests.find((r) => r.path.endsWith('/pricings/VirtualMachines'))!
    expect(pricing.query['api-version']).toBe('2024-01-01')
  })

  it('a Reader gets exit 5 naming the roles of DC6 (Security Admin or Owner)', async () => {
    t.stub.arm.subscriptions[0].role = 'Reader'
    const error = (await caught(enable(SUB)))!
    expect({code: error.code, exitCode: error.exitCode}).toEqual({code: 'FORBIDDEN', exitCode: 5})
    expect(error.message).toMatch(/Owner or Security Admin|Security Admin or Owner/)
    expect(error.suggestions.join(' ')).toMatch(/Access control \(IAM\)/)
    expect(armWrites().map((r) => r.status)).toEqual([403])
  })

  it('a 429 with Retry-After is waited out through the scheduler', async () => {
    t.stub.inject({api: 'arm', method: 'PUT', status: 429, retryAfterSec: 1})
    expect((await enable(SUB)).changed).toBe(true)
    expect(t.stub.requests.filter((r) => r.api === 'arm' && r.method === 'PUT').map((r) => r.status)).toEqual([429, 200])
  })

  it('every ARM call carries the api-version the stub insists on', async () => {
    await enable(SUB)
    await t.backend.integrations.disableDefenderForCloud({subscriptionId: SUB, linuxOnly: false})
    const arm = t.stub.requests.filter((r) => r.api === 'arm')
    expect(arm.length).toBeGreaterThan(3)
    expect(arm.every((r) => r.status < 400)).toBe(true)
  })
})
