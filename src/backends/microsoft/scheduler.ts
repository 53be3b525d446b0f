/**
 * One request scheduler per Microsoft API and app registration. It keeps the API's documented
 * budget on the client side (Defender for Endpoint: 100 calls a minute and 1,500 an hour per
 * app, tenant and API, REFERENCE §2.5, §8.3), so atpctl never sends a call that would exceed it;
 * honours Retry-After on 429 (for every caller: the app's budget is shared); backs off with
 * jitter on 5xx and network errors; retries only what is safe to send twice (GETs, and actions
 * the caller has checked for a pending twin); and turns a wait longer than the command may
 * spend into ThrottledError (exit 8) saying when to retry. Clock and randomness are injectable.
 *
 * A call holds its budget slot from the moment it is sent until its answer is in, and the slot
 * counts for a full window after that answer: the service counts the call when it arrives, which
 * is between the two, so the client's count can only be higher than the service's.
 */
import {ThrottledError} from '../../core/errors.js'

export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
}

/** At most `max` calls in any `windowMs`. */
export interface BudgetLimit {
  max: number
  windowMs: number
}

/** The Defender for Endpoint API's documented budget (machines, alerts, machine actions). */
export const DEFENDER_BUDGET: readonly BudgetLimit[] = [
  {max: 100, windowMs: 60_000},
  {max: 1500, windowMs: 3_600_000},
]

export interface SchedulerOptions {
  /** The API in messages, e.g. "the Defender for Endpoint API". */
  apiName: string
  limits?: readonly BudgetLimit[]
  /** Calls in flight at once (default 8). */
  maxConcurrent?: number
  /** The longest one call may wait for budget or Retry-After before ThrottledError (default 60 s). */
  maxWaitMs?: number
  /** Retries of a retryable call after 5xx or network errors (default 3). */
  retries?: number
  /** Retries after 429 (default 6); each also bounded by maxWaitMs. */
  throttleRetries?: number
  /** First back-off delay (default 500 ms), doubled each retry up to maxDelayMs (default 20 s), jittered. */
  baseDelayMs?: number
  maxDelayMs?: number
  /** Safety margin added to every window (default 100 ms), for clock and latency differences. */
  marginMs?: number
  clock?: Clock
  random?: () => number
}

/** What one attempt of a call came to, as the transport classifies it. */
export type AttemptOutcome<T> =
  | {kind: 'ok'; value: T}
  /** 429: not processed; `retryAfterMs` from Retry-After. */
  | {kind: 'throttled'; retryAfterMs?: number; error: Error}
  /** 5xx, a timeout, a reset connection: maybe processed. */
  | {kind: 'transient'; retryAfterMs?: number; error: Error}
  | {kind: 'fatal'; error: Error}

export interface RunOptions {
  /** Whether the call may be sent again after a 5xx or network error (GETs; POSTs marked safe). */
  retry: boolean
  /** This call's own allowance (default the scheduler's). */
  maxWaitMs?: number
  /** Told before each retry (for --verbose). */
  onRetry?: (info: {attempt: number; reason: string; delayMs: number}) => void
}

export interface SchedulerStats {
  /** Attempts sent. */
  sent: number
  /** 429 answers received. */
  throttled: number
  /** Attempts that were retries. */
  retried: number
  /** Total time calls waited for budget or Retry-After. */
  waitedMs: number
}

interface Slot {
  start: number
  end?: number
}

export class RequestScheduler {
  private readonly slots: Slot[] = []
  private inFlight = 0
  private blockedUntil = 0
  private queue: Promise<unknown> = Promise.resolve()
  private releaseSignal!: Promise<void>
  private signalRelease!: () => void
  private readonly clock: Clock
  private readonly random: () => number
  private readonly limits: readonly BudgetLimit[]
  private readonly maxWindowMs: number
  private readonly counters: SchedulerStats = {sent: 0, throttled: 0, retried: 0, waitedMs: 0}

  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? systemClock
    this.random = options.random ?? Math.random
    this.limits = options.limits ?? []
    for (const limit of this.limits) {
      if (!(limit.max >= 1) || !(limit.windowMs > 0)) throw new RangeError('a budget limit needs max >= 1 and windowMs > 0')
    }

    this.maxWindowMs = Math.max(0, ...this.limits.map((l) => l.windowMs))
    this.newSignal()
  }

  stats(): SchedulerStats {
    return {...this.counters}
  }

  /**
   * Runs one call: waits for budget, sends, and retries as its outcome allows. Resolves with the
   * value and how many retries it took; rejects with the attempt's error or ThrottledError.
   */
  async run<T>(send: (attempt: number) => Promise<AttemptOutcome<T>>, options: RunOptions): Promise<{value: T; retries: number}> {
    const deadline = this.clock.now() + (options.maxWaitMs ?? this.options.maxWaitMs ?? 60_000)
    let failures = 0
    let throttles = 0
    for (let attempt = 0; ; attempt++) {
      const slot = await this.acquire(deadline)
      this.counters.sent++
      if (attempt > 0) this.counters.retried++
      let outcome: AttemptOutcome<T>
      try {
        outcome = await send(attempt)
      } finally {
        this.release(slot)
      }

      if (outcome.kind === 'ok') return {value: outcome.value, retries: attempt}
      if (outcome.kind === 'fatal') throw outcome.error
      if (outcome.kind === 'throttled') {
        this.counters.throttled++
        throttles++
        const delayMs = outcome.retryAfterMs ?? this.backoff(throttles - 1)
        // The app's budget is shared: every call of this API waits, not only this one.
        this.blockedUntil = Math.max(this.blockedUntil, this.clock.now() + delayMs)
        if (throttles > (this.options.throttleRetries ?? 6) || this.clock.now() + delayMs > deadline) throw this.throttledError(delayMs)
        options.onRetry?.({attempt: attempt + 1, reason: `429, Retry-After ${Math.ceil(delayMs / 1000)} s`, delayMs})
        continue
      }

      failures++
      if (!options.retry || failures > (this.options.retries ?? 3)) throw outcome.error
      const delayMs = outcome.retryAfterMs ?? this.backoff(failures - 1)
      options.onRetry?.({attempt: attempt + 1, reason: outcome.error.message, delayMs})
      await this.clock.sleep(delayMs)
    }
  }

  /** Full back-off for retry `n` (0-based), jittered into its upper half. */
  private backoff(n: number): number {
    const capped = Math.min(this.options.maxDelayMs ?? 20_000, (this.options.baseDelayMs ?? 500) * 2 ** n)
    return Math.round(capped / 2 + (this.random() * capped) / 2)
  }

  private newSignal(): void {
    this.releaseSignal = new Promise((resolve) => (this.signalRelease = resolve))
  }

  private release(slot: Slot): void {
    slot.end = this.clock.now()
    this.inFlight--
    const signal = this.signalRelease
    this.newSignal()
    signal()
  }

  /** Slots are granted in arrival order: one grant at a time, through a promise chain. */
  private acquire(deadline: number): Promise<Slot> {
    const granted = this.queue.then(() => this.grant(deadline))
    this.queue = granted.catch(() => undefined)
    return granted
  }

  private async grant(deadline: number): Promise<Slot> {
    const startedAt = this.clock.now()
    for (;;) {
      const now = this.clock.now()
      this.prune(now)
      const wait = this.waitMs(now, false)
      if (wait <= 0) {
        const slot: Slot = {start: now}
        this.slots.push(slot)
        this.inFlight++
        this.counters.waitedMs += now - startedAt
        return slot
      }

      // Blocked by calls still in flight: at best they end now; that bounds the wait from below.
      const atLeast = Number.isFinite(wait) ? wait : this.waitMs(now, true)
      if (now + atLeast > deadline) throw this.throttledError(atLeast)
      await (Number.isFinite(wait) ? this.clock.sleep(wait) : this.releaseSignal)
    }
  }

  /**
   * How long until a new call fits: 0 now, a number of ms, or Infinity when it depends on calls
   * still in flight (`assumeEndNow` estimates those as ending now).
   */
  private waitMs(now: number, assumeEndNow: boolean): number {
    let wait = Math.max(0, this.blockedUntil - now)
    if (!assumeEndNow && this.inFlight >= (this.options.maxConcurrent ?? 8)) return Infinity
    const margin = this.options.marginMs ?? 100
    for (const limit of this.limits) {
      const expiries: number[] = []
      for (const slot of this.slots) {
        const end = slot.end ?? (assumeEndNow ? now : Infinity)
        const expiry = end + limit.windowMs + margin
        if (expiry > now) expiries.push(expiry)
      }

      if (expiries.length >= limit.max) {
        expiries.sort((a, b) => a - b)
        wait = Math.max(wait, expiries[expiries.length - limit.max] - now)
      }
    }

    return wait
  }

  private prune(now: number): void {
    const horizon = this.maxWindowMs + (this.options.marginMs ?? 100)
    let drop = 0
    // Slots are pushed in start order; ended slots older than every window no longer count.
    while (drop < this.slots.length) {
      const slot = this.slots[drop]
      if (slot.end === undefined || slot.end + horizon > now) break
      drop++
    }

    if (drop > 0) this.slots.splice(0, drop)
  }

  private throttledError(waitMs: number): ThrottledError {
    const at = new Date(this.clock.now() + waitMs)
    const budget = this.limits.map((l) => `${l.max} calls per ${duration(l.windowMs)}`).join(' and ')
    return new ThrottledError(
      `${capitalize(this.options.apiName)} is throttling this app${budget ? ` (its budget is ${budget})` : ''}: the next call could go in ${duration(waitMs)}, longer than this command waits.`,
      {
        retryAfterMs: waitMs,
        suggestions: [`Run the command again after ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC.`, 'Other tools using the same app registration share its budget; pause them, or give atpctl its own app.'],
      },
    )
  }
}

export function duration(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000))
  if (s < 60) return `${s} s`
  const m = Math.ceil(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

const shared = new Map<string, RequestScheduler>()

/**
 * The scheduler of one API and app in this process (`key` names both, e.g.
 * `defender:<tenant>:<client>`): every client of that pair shares its budget.
 */
export function sharedScheduler(key: string, options: SchedulerOptions): RequestScheduler {
  let scheduler = shared.get(key)
  if (!scheduler) {
    scheduler = new RequestScheduler(options)
    shared.set(key, scheduler)
  }

  return scheduler
}
