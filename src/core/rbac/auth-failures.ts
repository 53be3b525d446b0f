/**
 * Failed authentications per client address (issue 15): past a limit in one window, the
 * address is refused (429 with Retry-After) until the window ends, so a guesser cannot try
 * keys or tokens at the speed of the server. Pure: the caller keeps the windows and the clock.
 */

/** `serve --auth-failure-limit` default: failed authentications per minute per client address. */
export const DEFAULT_AUTH_FAILURE_LIMIT = 30
export const AUTH_FAILURE_WINDOW_MS = 60_000

/** One address's failures in its current window. */
export interface FailureWindow {
  start: number
  count: number
}

/** The window after one more failure at `now`. */
export function recordAuthFailure(window: FailureWindow | undefined, now: number): FailureWindow {
  if (!window || now - window.start >= AUTH_FAILURE_WINDOW_MS) return {start: now, count: 1}
  return {start: window.start, count: window.count + 1}
}

/** How long (ms) the address must wait before it may authenticate again; 0 when it may now. `limit` 0 turns the rule off. */
export function authRetryAfterMs(window: FailureWindow | undefined, now: number, limit: number): number {
  if (limit <= 0 || !window || now - window.start >= AUTH_FAILURE_WINDOW_MS || window.count < limit) return 0
  return window.start + AUTH_FAILURE_WINDOW_MS - now
}
