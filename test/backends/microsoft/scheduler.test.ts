/**
 * The request scheduler on a virtual clock: the budget is never exceeded, Retry-After is
 * honoured by every caller, 5xx and network errors back off with jitter, calls that are not
 * safe to repeat are never retried, and a wait longer than the allowance is a ThrottledError.
 */
import {type AttemptOutcome, type Clock, RequestScheduler} from '../../../src/backends/microsoft/scheduler.js'

/** Discrete-event clock: time moves only when every task is waiting on it. */
class VirtualClock implements Clock {
  time = 1_000_000
  private sleepers: {at: number; resolve: () => void}[] = []
  now = () => this.time
  sleep = (ms: number) => new Promise<void>((resolve) => this.sleepers.push({at: this.time + Math.max(0, ms), resolve}))

  /** Runs until `done` settles, advancing time to the next sleeper whenever all tasks are idle. */
  async run<T>(done: Promise<T>): Promise<T> {
    let settled = false
    done.then(() => (settled = true), () => (settled = true))
    for (;;) {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r))
      if (settled) return done
      if (this.sleepers.length === 0) throw new Error('deadlock: nothing is waiting on the clock')
      this.sleepers.sort((a, b) => a.at - b.at)
      const next = this.sleepers.shift()!
      this.time = Math.max(this.time, next.at)
      next.resolve()
    }
  }
}

const ok = <T>(value: T): AttemptOutcome<T> => ({kind: 'ok', value})

describe('request scheduler', () => {
  it('never sends more calls than the budget allows in any window, and sends them as soon as it allows', async () => {
    const clock = new VirtualClock()
    const scheduler = new RequestScheduler({apiName: 'the test API', limits: [{max: 5, windowMs: 1000}, {max: 12, windowMs: 10_000}], marginMs: 0, maxWaitMs: Infinity, maxConcurrent: 4, clock})
    const sends: number[] = []
    const calls = Array.from({length: 30}, (_, i) =>
      scheduler.run(async () => {
        sends.push(clock.now())
        await clock.sleep(10)
        return ok(i)
      }, {retry: true}),
    )
    const values = (await clock.run(Promise.all(calls))).map((r) => r.value)
    expect(values).toEqual([...Array(30).keys()])
    for (const t of sends) {
      expect(sends.filter((s) => s > t - 1000 && s <= t).length).toBeLessThanOrEqual(5)
      expect(sends.filter((s) => s > t - 10_000 && s <= t).length).toBeLessThanOrEqual(12)
    }

    // 12 per 10 s: calls 25-30 form the third batch, two long windows after the first; within a
    // batch, 5 per 1 s puts its 6th call one short window later. So the minimum is 21 s (plus the
    // 10 ms answers the windows count from), and the scheduler takes no longer.
    const elapsed = sends.at(-1)! - sends[0]
    expect(elapsed).toBeGreaterThanOrEqual(21_000)
    expect(elapsed).toBeLessThanOrEqual(21_000 + 50)
    expect(scheduler.stats()).toMatchObject({sent: 30, throttled: 0, retried: 0})
  })

  it('keeps at most maxConcurrent calls in flight', async () => {
    const clock = new VirtualClock()
    const scheduler = new RequestScheduler({apiName: 'x', maxConcurrent: 3, clock})
    let inFlight = 0
    let peak = 0
    const calls = Array.from({length: 10}, () =>
      scheduler.run(async () => {
        peak = Math.max(peak, ++inFlight)
        await clock.sleep(50)
        inFlight--
        return ok(null)
      }, {retry: true}),
    )
    await clock.run(Promise.all(calls))
    expect(peak).toBe(3)
  })

  it('honours Retry-After on 429 for every caller of the API, then retries the call (even a POST: it was not processed)', async () => {
    const clock = new VirtualClock()
    const scheduler = new RequestScheduler({apiName: 'x', clock, maxConcurrent: 1})
    const starts: {call: string; at: number}[] = []
    let first = true
    const a = scheduler.run(async () => {
      starts.push({call: 'a', at: clock.now()})
      if (first) {
        first = false
        return {kind: 'throttled', retryAfterMs: 3000, error: new Error('429')}
      }

      return ok('a')
    }, {retry: false})
    const b = scheduler.run(async () => {
      starts.push({call: 'b', at: clock.now()})
      return ok('b')
    }, {retry: true})
    await clock.run(Promise.all([a, b]))
    const t0 = starts[0].at
    expect(starts.map((s) => [s.call, s.at - t0])).toEqual([
      ['a', 0],
      ['b', 3000],
      ['a', 3000],
    ])
    expect((await a).retries).toBe(1)
  })

  it('backs off with jitter on 5xx and network errors, doubling each time', async () => {
    const clock = new VirtualClock()
    const scheduler = new RequestScheduler({apiName: 'x', clock, baseDelayMs: 1000, random: () => 1})
    const starts: number[] = []
    const result = scheduler.run(async (attempt) => {
      starts.push(clock.now())
      return attempt < 3 ? {kind: 'transient', error: new Error('HTTP 503')} : ok('done')
    }, {retry: true})
    expect(await clock.run(result)).toEqual({value: 'done', retries: 3})
    expect(starts.slice(1).map((t, i) => t - starts[i])).toEqual([1000, 2000, 4000])

    const jittered = new RequestScheduler({apiName: 'x', clock, baseDelayMs: 1000, random: () => 0})
    const times: number[] = []
    await clock.run(jittered.run(async (attempt) => (times.push(clock.now()), attempt === 0 ? {kind: 'transient', error: new Error('ECONNRESET')} : ok(1)), {retry: true}))
    expect(times[1] - times[0]).toBe(500)
  })

  it('gives up after the retries with the last error, and never retries a call that is not safe to repeat', async () => {
    const clock = new VirtualClock()
    const scheduler = new RequestScheduler({apiName: 'x', clock, retries: 2, baseDelayMs: 10})
    let attempts = 0
    const get = scheduler.run(async () => (attempts++, {kind: 'transient', error: new Error('HTTP 502')}), {retry: true})
    await expect(clock.run(get)).rejects.toThrow('HTTP 502')
    expect(attempts).toBe(3)

    let posts = 0
    const post = scheduler.run(async () => (posts++, {kind: 'transient', error: new Error('socket hang up')}), {retry: false})
    await expect(clock.run(post)).rejects.toThrow('socket hang up')
    expect(posts).toBe(1)

    let fatal = 0
    const refused = scheduler.run(async () => (fatal++, {kind: 'fatal', error: new Error('HTTP 400')}), {retry: true})
    await expect(clock.run(refused)).rejects.toThrow('HTTP 400')
    expect(fatal).toBe(1)
  })

  it('throws ThrottledError (exit 8, when to retry) when the budget wait is longer than the allowance', async () => {
    const clock = new VirtualClock()
    const scheduler = new RequestScheduler({apiName: 'the Defender for Endpoint API', limits: [{max: 2, windowMs: 60_000}], marginMs: 0, maxWaitMs: 5000, clock})
    const calls = [0, 1, 2].map(() => scheduler.run(async () => ok(1), {retry: true}))
    const settled = await clock.run(Promise.allSettled(calls))
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected'])
    const error = (settled[2] as PromiseRejectedResult).reason
    expect(error).toMatchObject({code: 'THROTTLED', exitCode: 8})
    expect(error.retryAfterMs).toBeGreaterThan(59_000)
    expect(error.message).toMatch(/^The Defender for Endpoint API is throttling this app \(its budget is 2 calls per 1 min\): the next call could go in 1 min/)
    expect(error.suggestions[0]).toMatch(/^Run the command again after \d{4}-\d\d-\d\d \d\d:\d\d UTC\.$/)
    // Nothing was sent for the refused call.
    expect(scheduler.stats().sent).toBe(2)
  })

  it('throws ThrottledError at once when Retry-After is longer than the allowance', async () => {
    const clock = new VirtualClock()
    const scheduler = new RequestScheduler({apiName: 'x', clock, maxWaitMs: 10_000})
    let attempts = 0
    const call = scheduler.run(async () => (attempts++, {kind: 'throttled', retryAfterMs: 120_000, error: new Error('429')}), {retry: true})
    await expect(clock.run(call)).rejects.toMatchObject({code: 'THROTTLED', retryAfterMs: 120_000})
    expect(attempts).toBe(1)
    // A per-call allowance can be longer (bulk work that may wait).
    let n = 0
    const patient = scheduler.run(async () => (n++ === 0 ? {kind: 'throttled', retryAfterMs: 120_000, error: new Error('429')} : ok('late')), {retry: true, maxWaitMs: 600_000})
    expect((await clock.run(patient)).value).toBe('late')
  })
})
