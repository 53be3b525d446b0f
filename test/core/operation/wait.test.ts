import type {Operation, OperationApi, OperationStatus} from '../../../src/core/port/operations-api.js'
import {DEFAULT_WAIT_MS, operationFailure, resolveWait, settleOperation, waitForOperations} from '../../../src/core/operation/wait.js'

/** A fake backend's operations that finish at given times of a fake clock (no real time passes). */
function fakeOperations(finishAt: Record<string, {at: number; status: Exclude<OperationStatus, 'running'>; result?: unknown}>) {
  const clock = {now: 0}
  const calls: string[] = []
  const state = (id: string): Operation => {
    const end = finishAt[id]
    const done = end && clock.now >= end.at
    return {
      id,
      kind: 'device.offboard',
      target: id,
      status: done ? end.status : 'running',
      startedAt: '2026-11-20T00:00:00.000Z',
      finishedAt: done ? '2026-11-20T00:01:00.000Z' : null,
      result: done ? (end.result ?? {ok: true}) : null,
    }
  }

  const api: OperationApi = {
    async list(filter = {}) {
      calls.push(`list:${filter.status ?? ''}`)
      const items = Object.keys(finishAt).map(state).filter((o) => !filter.status || o.status === filter.status)
      // Pages of one, to prove the walk follows cursors.
      const from = filter.cursor ? Number(filter.cursor) : 0
      return {items: items.slice(from, from + 1), nextCursor: from + 1 < items.length ? String(from + 1) : null}
    },
    async get(id) {
      calls.push(`get:${id}`)
      return state(id)
    },
  }
  const options = {now: () => clock.now, sleep: async (ms: number) => void (clock.now += ms), backoff: {initialMs: 100, factor: 2, maxMs: 1000}}
  return {api, clock, calls, state, options}
}

describe('following operations (issue 11 item 5)', () => {
  it('--wait alone and no flag wait the default; --wait DURATION that long; --no-wait not at all; a bare number is refused', () => {
    // Given the flags a command parsed, when resolved, then:
    expect(resolveWait({})).toBe(DEFAULT_WAIT_MS)
    expect(resolveWait({wait: 'default'})).toBe(DEFAULT_WAIT_MS)
    expect(resolveWait({wait: '90s'})).toBe(90_000)
    expect(resolveWait({wait: '5m', noWait: false})).toBe(300_000)
    expect(resolveWait({noWait: true})).toBe(0)
    expect(() => resolveWait({wait: '30'})).toThrow(expect.objectContaining({exitCode: 2, message: "The duration '30' for --wait has no unit."}))
  })

  it('an operation that has finished costs no call; --no-wait looks no further and says it still runs (exit 9, the wait command in the suggestion)', async () => {
    const {api, calls, state, options} = fakeOperations({a: {at: 500, status: 'succeeded'}})
    const done = {...state('a'), status: 'succeeded' as const}
    expect(await waitForOperations(api, [done], {...options, timeoutMs: 60_000})).toEqual([done])
    expect(calls).toEqual([])
    await expect(settleOperation(api, state('a'), {...options, timeoutMs: 0})).rejects.toMatchObject({
      code: 'STILL_RUNNING',
      exitCode: 9,
      operationId: 'a',
      suggestions: ['Follow it: atpctl operation wait a'],
    })
    expect(calls).toEqual([])
  })

  it('polls with the injected back-off until it finishes, then gives the result', async () => {
    const {api, clock, calls, state, options} = fakeOperations({a: {at: 650, status: 'succeeded', result: {device: 'a'}}})
    const settled = await settleOperation(api, state('a'), {...options, timeoutMs: 60_000})
    expect(settled.result).toEqual({device: 'a'})
    // Delays 100, 200, 400 (fake ms): looks at 100, 300, 700.
    expect(clock.now).toBe(700)
    expect(calls).toEqual(['get:a', 'get:a', 'get:a'])
  })

  it('gives up at the deadline with one last look: still running is exit 9', async () => {
    const {api, clock, state, options} = fakeOperations({a: {at: 10_000, status: 'succeeded'}})
    await expect(settleOperation(api, state('a'), {...options, timeoutMs: 2000})).rejects.toMatchObject({
      exitCode: 9,
      message: 'Operation a (device.offboard a) is still running after waiting 2s.',
    })
    expect(clock.now).toBe(2000)
  })

  it("a failed operation ends with its own error and exit code, or one its code stands for", async () => {
    const {api, state, options} = fakeOperations({
      a: {at: 100, status: 'failed', result: {error: {code: 'REFUSED_OFFBOARD_PLATFORM', message: 'Linux', exitCode: 4}}},
      b: {at: 100, status: 'failed', result: {error: {code: 'NOT_FOUND', message: 'gone'}}},
    })
    await expect(settleOperation(api, state('a'), {...options, timeoutMs: 1000})).rejects.toMatchObject({code: 'REFUSED_OFFBOARD_PLATFORM', exitCode: 4, message: 'Operation a (device.offboard a) failed: Linux'})
    expect(operationFailure({...state('b'), status: 'failed', result: {error: {code: 'NOT_FOUND', message: 'gone'}}})).toMatchObject({code: 'NOT_FOUND', exitCode: 3})
    expect(operationFailure({...state('b'), status: 'failed', result: null})).toMatchObject({code: 'OPERATION_FAILED', exitCode: 4})
  })

  it('several running: each round is one walk of the running list plus one read per finished operation, never one read per operation', async () => {
    const {api, calls, state, options} = fakeOperations({a: {at: 100, status: 'succeeded'}, b: {at: 250, status: 'failed'}, c: {at: 5000, status: 'succeeded'}})
    const settled = await waitForOperations(api, [state('a'), state('b'), state('c')], {...options, timeoutMs: 1000})
    expect(settled.map((o) => [o.id, o.status])).toEqual([
      ['a', 'succeeded'],
      ['b', 'failed'],
      ['c', 'running'],
    ])
    // At 100: b and c run (two pages of one), a is read once; at 300: c runs (one page), b is read;
    // at 700 and at the deadline 1000, c alone: a single read each.
    expect(calls).toEqual(['list:running', 'list:running', 'get:a', 'list:running', 'get:b', 'get:c', 'get:c'])
  })
})
