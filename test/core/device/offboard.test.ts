import {emptyJournal, offboardEnding, offboardRefusal, parseJournal, parseNameList, recordInJournal, requireOffboardComment, uniqueNames} from '../../../src/core/device/offboard.js'
import {type JournalStore, offboardDevices} from '../../../src/core/device/offboard-service.js'
import type {Device} from '../../../src/core/device/types.js'
import {NotFoundError} from '../../../src/core/errors.js'
import type {Operation} from '../../../src/core/port/operations-api.js'
import type {Backend} from '../../../src/core/port/types.js'

type Machine = Pick<Device, 'name' | 'osFamily' | 'osName' | 'onboarded' | 'onboarding'> & {offboarded?: Device['offboarded']}

const machine = (name: string, osFamily: Device['osFamily'], onboarded = true): Machine => ({
  name,
  osFamily,
  osName: {windows: 'Windows 11', 'windows-server': 'Windows Server 2019', linux: 'Ubuntu 22.04', macos: 'macOS 14.4', ios: 'iOS 17.2', android: 'Android 13', other: 'FutureOS 1'}[osFamily],
  onboarded,
  onboarding: {onboarded, path: onboarded ? 'defender-for-cloud' : null, policy: null, reason: onboarded ? 'Onboarded.' : 'Not onboarded: no policy.', reasonCode: onboarded ? 'dfc-onboarded' : 'cm-not-targeted'},
})

describe('offboarding rules (issue 12; DC9, REFERENCE §8.3)', () => {
  it('offboards Windows clients and servers; refuses Linux, macOS and mobile devices with the way to do it instead, and devices not onboarded', () => {
    expect(offboardRefusal(machine('w', 'windows'))).toBeNull()
    expect(offboardRefusal(machine('s', 'windows-server'))).toBeNull()
    expect(offboardRefusal(machine('l', 'linux'))).toMatchObject({
      code: 'REFUSED_OFFBOARD_PLATFORM',
      exitCode: 4,
      message: "Device 'l' runs Ubuntu 22.04: the offboard action does not offboard Linux or macOS machines.",
      suggestions: [expect.stringContaining('package generate offboarding --os linux'), expect.stringContaining('Microsoft Defender portal: Settings > Endpoints')],
    })
    expect(offboardRefusal(machine('m', 'macos'))?.suggestions[0]).toContain('--os macos')
    expect(offboardRefusal(machine('i', 'ios'))).toMatchObject({code: 'REFUSED_OFFBOARD_PLATFORM', message: expect.stringContaining('mobile device')})
    expect(offboardRefusal(machine('n', 'windows', false))).toMatchObject({code: 'REFUSED_NOT_ONBOARDED', exitCode: 4})
    // Already offboarded is not a refusal: a rerun skips it.
    const done = {...machine('d', 'windows', false), onboarding: {...machine('d', 'windows', false).onboarding, reasonCode: 'offboarded'}}
    expect(offboardRefusal(done)).toBeNull()
  })

  it('needs a comment without control characters, at most 1000 characters (exit 2)', () => {
    expect(requireOffboardComment('  retired ')).toBe('retired')
    expect(() => requireOffboardComment(undefined)).toThrow(expect.objectContaining({exitCode: 2}))
    expect(() => requireOffboardComment(' ')).toThrow(expect.objectContaining({exitCode: 2}))
    expect(() => requireOffboardComment('a\u202eb')).toThrow(expect.objectContaining({exitCode: 2}))
    expect(() => requireOffboardComment('x'.repeat(1001))).toThrow(expect.objectContaining({exitCode: 2, message: expect.stringContaining('the limit is 1000')}))
  })

  it('reads --from-file lists: one name a line, # comments, blank lines; a bad name is exit 7 with its line; names once each', () => {
    expect(parseNameList('\uFEFF# leavers\nPC-1\r\n  SRV-2  # the old one\n\n', 'f.txt')).toEqual(['PC-1', 'SRV-2'])
    expect(() => parseNameList('ok\nbad;name\n', 'f.txt')).toThrow(expect.objectContaining({exitCode: 7, message: expect.stringMatching(/^f\.txt line 2: /)}))
    expect(uniqueNames(['PC-1', 'pc-1', 'ÄLPHA', 'älpha', 'B'])).toEqual(['PC-1', 'ÄLPHA', 'B'])
  })

  it('keeps the journal of one backend; another backend starts afresh; a file that is not a journal is exit 7', () => {
    const journal = emptyJournal('default', '/db')
    recordInJournal(journal, {name: 'PC-1', state: 'offboarded', operationId: 'op1', at: '2026-11-20T00:00:00Z'})
    const text = JSON.stringify(journal)
    expect(parseJournal(text, {profile: 'default', backend: '/db', path: 'j'}).machines['pc-1']).toMatchObject({name: 'PC-1', state: 'offboarded'})
    expect(parseJournal(text, {profile: 'default', backend: 'https://other', path: 'j'}).machines).toEqual({})
    expect(parseJournal(null, {profile: 'default', backend: '/db', path: 'j'})).toEqual(emptyJournal('default', '/db'))
    expect(() => parseJournal('{"version": 2}', {profile: 'default', backend: '/db', path: 'j'})).toThrow(expect.objectContaining({code: 'JOURNAL_INVALID', exitCode: 7}))
    expect(() => parseJournal('not json', {profile: 'default', backend: '/db', path: 'j'})).toThrow(expect.objectContaining({exitCode: 7}))
  })

  it('ends 0 when all are done; 4 when some were refused, 3 unknown, a failure its own code, 9 only pending; naming the machines', () => {
    const r = (device: string, outcome: Parameters<typeof offboardEnding>[0][number]['outcome'], exitCode: number | null = null) => ({device, outcome, reason: '', code: null, exitCode, operationId: outcome === 'pending' ? 'op-9' : null})
    expect(offboardEnding([r('a', 'offboarded'), r('b', 'already-offboarded')])).toBeNull()
    expect(offboardEnding([r('a', 'offboarded'), r('b', 'pending')])).toMatchObject({exitCode: 9, message: '1 of 2 device(s) offboarded; 1 still pending (b).', suggestions: expect.arrayContaining(['Follow one: atpctl operation wait op-9'])})
    expect(offboardEnding([r('a', 'refused', 4), r('b', 'unknown', 3), r('c', 'pending')])).toMatchObject({exitCode: 4, message: '0 of 3 device(s) offboarded; 1 refused (a), 1 not in the inventory (b), 1 still pending (c).'})
    expect(offboardEnding([r('b', 'unknown', 3)])).toMatchObject({exitCode: 3, code: 'NOT_FOUND'})
    expect(offboardEnding([r('c', 'failed', 8), r('d', 'pending')])).toMatchObject({exitCode: 8})
  })
})

/**
 * A backend as a real tenant behaves: the offboard action stays pending until `finish` says,
 * and a second action for a machine with one pending is what the real API refuses (the test
 * fails if it is ever asked for).
 */
function pendingTenant(devices: Machine[]) {
  const operations = new Map<string, Operation>()
  const asked: string[] = []
  let seq = 0
  const files = new Map<string, string>()
  const journal: JournalStore = {path: '/home/journals/offboard-default.json', read: async () => files.get('j') ?? null, write: async (t) => void files.set('j', t)}
  const backend = {
    kind: 'microsoft',
    location: 'https://api.security.microsoft.com',
    tenant: {get: async () => ({orgId: 'org'})},
    devices: {
      async get(name: string) {
        const found = devices.find((d) => d.name.toLowerCase() === name.toLowerCase())
        if (!found) throw new NotFoundError(`Device '${name}' is not in the inventory.`)
        return found
      },
      async offboard({device, comment}: {device: string; comment: string}) {
        if ([...operations.values()].some((o) => o.target === device && o.status === 'running')) throw new Error(`a second action for ${device}`)
        asked.push(`${device}:${comment}`)
        const operation: Operation = {id: `op-${++seq}`, kind: 'device.offboard', status: 'running', target: device, startedAt: '2026-11-20T00:00:00.000Z', finishedAt: null, result: null}
        operations.set(operation.id, operation)
        return operation
      },
    },
    operations: {
      async list(filter: {status?: string} = {}) {
        return {items: [...operations.values()].filter((o) => !filter.status || o.status === filter.status), nextCursor: null}
      },
      async get(id: string) {
        const o = operations.get(id)
        if (!o) throw new NotFoundError(`Operation '${id}' does not exist.`)
        return o
      },
    },
  } as unknown as Backend
  const finish = (device: string, status: 'succeeded' | 'failed') => {
    for (const o of operations.values()) {
      if (o.target === device && o.status === 'running') {
        Object.assign(o, {status, finishedAt: '2026-11-20T00:05:00.000Z', result: status === 'failed' ? {error: {code: 'THROTTLED', message: 'try later', exitCode: 8}} : {device}})
        const d = devices.find((x) => x.name === device)!
        if (status === 'succeeded') Object.assign(d, {onboarded: false, onboarding: {...d.onboarding, onboarded: false, reasonCode: 'offboarded'}, offboarded: {at: o.finishedAt, comment: 'c', operationId: o.id}})
      }
    }
  }

  const clock = {now: 0}
  const wait = {now: () => clock.now, sleep: async (ms: number) => void (clock.now += ms), backoff: {initialMs: 10, factor: 2, maxMs: 100}}
  return {backend, asked, finish, journal, files, wait}
}

describe('bulk offboarding through the journal (issue 12)', () => {
  it('--no-wait sends one action each and ends pending; a rerun asks nothing again, then records what finished; a failed one is retried', async () => {
    const t = pendingTenant([machine('PC-1', 'windows'), machine('SRV-2', 'windows-server'), machine('LNX-3', 'linux')])
    const run = (names: string[], waitMs = 0) => offboardDevices(t.backend, {names, comment: 'refresh', dryRun: false, waitMs, profile: 'default', journal: t.journal, ...t.wait})

    // Given three machines, one of them Linux: the two others are sent and pending, Linux refused.
    const first = await run(['PC-1', 'SRV-2', 'LNX-3', 'ghost'])
    expect(first.results.map((r) => [r.device, r.outcome, r.operationId])).toEqual([
      ['PC-1', 'pending', 'op-1'],
      ['SRV-2', 'pending', 'op-2'],
      ['LNX-3', 'refused', null],
      ['ghost', 'unknown', null],
    ])
    expect(t.asked).toEqual(['PC-1:refresh', 'SRV-2:refresh'])
    expect(JSON.parse(t.files.get('j')!).machines).toMatchObject({'pc-1': {state: 'pending', operationId: 'op-1'}, 'srv-2': {state: 'pending', operationId: 'op-2'}})

    // When PC-1 finishes and SRV-2 fails, a rerun follows them: nothing for PC-1, a new action for SRV-2.
    t.finish('PC-1', 'succeeded')
    t.finish('SRV-2', 'failed')
    const second = await run(['pc-1', 'SRV-2'])
    expect(second.results.map((r) => [r.device, r.outcome, r.operationId])).toEqual([
      ['PC-1', 'offboarded', 'op-1'],
      ['SRV-2', 'pending', 'op-3'],
    ])
    expect(t.asked).toEqual(['PC-1:refresh', 'SRV-2:refresh', 'SRV-2:refresh'])

    // A rerun while SRV-2 is pending waits for it (no new action) and sees it fail with its own code.
    const third = await run(['PC-1', 'SRV-2'], 1000)
    expect(third.results.map((r) => [r.device, r.outcome])).toEqual([
      ['PC-1', 'already-offboarded'],
      ['SRV-2', 'pending'],
    ])
    t.finish('SRV-2', 'failed')
    const fourth = await run(['SRV-2'], 1000)
    expect(fourth.results[0]).toMatchObject({outcome: 'pending', operationId: 'op-4'})
    expect(t.asked.length).toBe(4)
  })

  it('waits for what it sent and records the ends; a failure keeps its exit code; the journal is rewritten whole', async () => {
    const t = pendingTenant([machine('PC-1', 'windows'), machine('PC-2', 'windows')])
    const progress: string[] = []
    const pending = offboardDevices(t.backend, {
      names: ['PC-1', 'PC-2'],
      comment: 'refresh',
      dryRun: false,
      waitMs: 10_000,
      profile: 'default',
      journal: t.journal,
      ...t.wait,
      sleep: async (ms) => {
        t.wait.sleep(ms)
        t.finish('PC-1', 'succeeded')
        t.finish('PC-2', 'failed')
      },
      onProgress: (done, total) => progress.push(`${done}/${total}`),
      onWaiting: (n) => progress.push(`waiting ${n}`),
    })
    const report = await pending
    expect(progress).toEqual(['1/2', '2/2', 'waiting 2'])
    expect(report.results).toMatchObject([
      {device: 'PC-1', outcome: 'offboarded'},
      {device: 'PC-2', outcome: 'failed', code: 'THROTTLED', exitCode: 8},
    ])
    expect(report.summary).toMatchObject({total: 2, offboarded: 1, failed: 1})
    expect(offboardEnding(report.results)).toMatchObject({exitCode: 8})
    const journal = JSON.parse(t.files.get('j')!)
    expect(journal.machines['pc-1'].state).toBe('offboarded')
    expect(journal.machines['pc-2']).toBeUndefined()
  })

  it('--dry-run sends nothing and writes no journal; no names at all is a usage error', async () => {
    const t = pendingTenant([machine('PC-1', 'windows'), machine('MAC-1', 'macos')])
    const report = await offboardDevices(t.backend, {names: ['PC-1', 'MAC-1'], comment: 'x', dryRun: true, waitMs: 0, profile: 'default', journal: t.journal})
    expect(report.results.map((r) => r.outcome)).toEqual(['would-offboard', 'refused'])
    expect(t.asked).toEqual([])
    expect(t.files.size).toBe(0)
    await expect(offboardDevices(t.backend, {names: [' '], comment: 'x', dryRun: false, waitMs: 0, profile: 'default', journal: t.journal})).rejects.toMatchObject({exitCode: 2})
    await expect(offboardDevices(t.backend, {names: ['PC-1'], comment: undefined, dryRun: false, waitMs: 0, profile: 'default', journal: t.journal})).rejects.toMatchObject({exitCode: 2})
  })
})
