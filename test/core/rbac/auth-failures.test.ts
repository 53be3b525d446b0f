import {AUTH_FAILURE_WINDOW_MS, authRetryAfterMs, recordAuthFailure, type FailureWindow} from '../../../src/core/rbac/auth-failures.js'

describe('failed authentications per client address (issue 15)', () => {
  const failures = (n: number, at: number) => {
    let w: FailureWindow | undefined
    for (let i = 0; i < n; i++) w = recordAuthFailure(w, at + i)
    return w
  }

  it('lets an address fail up to the limit, then makes it wait until its window ends', () => {
    expect(authRetryAfterMs(undefined, 0, 3)).toBe(0)
    expect(authRetryAfterMs(failures(2, 1000), 1002, 3)).toBe(0)
    const w = failures(3, 1000)
    expect(authRetryAfterMs(w, 1003, 3)).toBe(AUTH_FAILURE_WINDOW_MS - 3)
    expect(authRetryAfterMs(w, 1000 + AUTH_FAILURE_WINDOW_MS - 1, 3)).toBe(1)
    expect(authRetryAfterMs(w, 1000 + AUTH_FAILURE_WINDOW_MS, 3)).toBe(0)
  })

  it('starts a new window after the old one ended', () => {
    const w = recordAuthFailure(failures(3, 0), AUTH_FAILURE_WINDOW_MS + 5)
    expect(w).toEqual({start: AUTH_FAILURE_WINDOW_MS + 5, count: 1})
    expect(authRetryAfterMs(w, AUTH_FAILURE_WINDOW_MS + 6, 3)).toBe(0)
  })

  it('a limit of 0 turns the rule off', () => {
    expect(authRetryAfterMs(failures(1000, 0), 1000, 0)).toBe(0)
  })
})
