/**
 * Waits for something to appear by polling with exponential back-off, as a pure function of
 * injected clock and sleep so it can be tested without real time. The default schedule polls at
 * 0, 0.25, 0.75, 1.75, 3.75 s… then every 5 s: fast when the alert is quick, and at most 12
 * queries a minute on a long wait (Microsoft's alert API allows 100 a minute, REFERENCE §2.3).
 */
export interface BackoffOptions {
  initialMs: number
  factor: number
  maxMs: number
}

export const DEFAULT_BACKOFF: BackoffOptions = {initialMs: 250, factor: 2, maxMs: 5000}

export interface WaitOptions<T> {
  /** One cheap query; returns the awaited thing or null. */
  poll: () => Promise<T | null>
  timeoutMs: number
  /** Milliseconds of a monotonic clock. */
  now: () => number
  sleep: (ms: number) => Promise<void>
  backoff?: BackoffOptions
  /** Called after every poll that found nothing (a spinner shows the elapsed time). */
  onPoll?: (state: {polls: number; elapsedMs: number; nextDelayMs: number}) => void
}

export type WaitResult<T> = {found: true; value: T; elapsedMs: number; polls: number} | {found: false; elapsedMs: number; polls: number}

/** The delay before poll number `n` + 1 (n ≥ 1 polls done). */
export function backoffDelay(pollsDone: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  return Math.min(options.maxMs, Math.round(options.initialMs * options.factor ** (pollsDone - 1)))
}

export async function waitFor<T>(options: WaitOptions<T>): Promise<WaitResult<T>> {
  const backoff = options.backoff ?? DEFAULT_BACKOFF
  const start = options.now()
  let polls = 0
  for (;;) {
    const value = await options.poll()
    polls++
    const elapsedMs = options.now() - start
    if (value !== null) return {found: true, value, elapsedMs, polls}
    const remaining = options.timeoutMs - elapsedMs
    if (remaining <= 0) return {found: false, elapsedMs, polls}
    // Never sleep past the deadline, but always poll once more at the deadline itself.
    const delay = Math.min(backoffDelay(polls, backoff), remaining)
    options.onPoll?.({polls, elapsedMs, nextDelayMs: delay})
    await options.sleep(delay)
  }
}
