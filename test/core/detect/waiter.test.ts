import {backoffDelay, DEFAULT_BACKOFF, waitFor} from '../../../src/core/detect/waiter.js'

/** A fake clock: sleeping advances time instantly. */
function fakeTime() {
  let now = 0
  const sleeps: number[] = []
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms)
      now += ms
    },
    advance: (ms: number) => (now += ms),
    sleeps,
  }
}

describe('back-off waiter (DT1/DT3 waiting)', () => {
  it('polls at once and returns the value with the elapsed time', async () => {
    const t = fakeTime()
    const result = await waitFor({poll: async () => 'alert', timeoutMs: 1000, now: t.now, sleep: t.sleep})
    expect(result).toEqual({found: true, value: 'alert', elapsedMs: 0, polls: 1})
    expect(t.sleeps).toEqual([])
  })

  it('backs off exponentially up to the cap', async () => {
    const t = fakeTime()
    let polls = 0
    const result = await waitFor({poll: async () => (++polls === 8 ? 'x' : null), timeoutMs: 600_000, now: t.now, sleep: t.sleep})
    expect(t.sleeps).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000])
    expect(result).toMatchObject({found: true, polls: 8, elapsedMs: 17_750})
    expect(backoffDelay(1)).toBe(DEFAULT_BACKOFF.initialMs)
    expect(backoffDelay(50)).toBe(DEFAULT_BACKOFF.maxMs)
  })

  it('DT3 timeout: gives up at the deadline after one last poll, never sleeping past it', async () => {
    const t = fakeTime()
    const result = await waitFor({poll: async () => null, timeoutMs: 10_000, now: t.now, sleep: t.sleep})
    expect(result.found).toBe(false)
    expect(result.elapsedMs).toBe(10_000)
    expect(t.sleeps.reduce((a, b) => a + b, 0)).toBe(10_000)
    expect(t.sleeps.at(-1)).toBe(10_000 - (250 + 500 + 1000 + 2000 + 4000))
  })

  it('never hammers: a 10-minute wait makes at most 12 polls a minute on average', async () => {
    const t = fakeTime()
    const result = await waitFor({poll: async () => null, timeoutMs: 600_000, now: t.now, sleep: t.sleep})
    expect(result.polls).toBeLessThanOrEqual(130)
    expect(result.polls / 10).toBeLessThanOrEqual(13)
    expect(Math.min(...t.sleeps.slice(0, -1))).toBeGreaterThanOrEqual(250)
  })

  it('counts slow polls against the timeout', async () => {
    const t = fakeTime()
    const result = await waitFor({
      poll: async () => {
        t.advance(3000)
        return null
      },
      timeoutMs: 5000,
      now: t.now,
      sleep: t.sleep,
    })
    expect(result.found).toBe(false)
    expect(result.polls).toBe(2)
  })

  it('reports each empty poll for progress display', async () => {
    const t = fakeTime()
    const seen: number[] = []
    let n = 0
    await waitFor({poll: async () => (++n === 3 ? 1 : null), timeoutMs: 10_000, now: t.now, sleep: t.sleep, onPoll: (s) => seen.push(s.nextDelayMs)})
    expect(seen).toEqual([250, 500])
  })
})
