import {busyTimeoutMs, databaseBusyError, DEFAULT_BUSY_TIMEOUT_MS, isBusyCode} from '../../../src/core/database/busy.js'

describe('busy database rules (issue 15 item 9)', () => {
  it('reads ATPCTL_BUSY_TIMEOUT as a duration with its unit; unset or empty is the default', () => {
    expect(busyTimeoutMs(undefined)).toBe(DEFAULT_BUSY_TIMEOUT_MS)
    expect(busyTimeoutMs('  ')).toBe(DEFAULT_BUSY_TIMEOUT_MS)
    expect(busyTimeoutMs('90s')).toBe(90_000)
    expect(busyTimeoutMs('5m')).toBe(300_000)
    expect(busyTimeoutMs('2s')).toBe(2000)
    expect(busyTimeoutMs('0.25s')).toBe(250)
    expect(busyTimeoutMs('0s')).toBe(0)
  })

  it('refuses a value that is not a wait between 0 and 24h as a usage error (exit 2)', () => {
    for (const bad of ['soon', '-1', '5 minutes', '2d', '2']) {
      expect(() => busyTimeoutMs(bad)).toThrow(expect.objectContaining({code: 'USAGE', exitCode: 2, message: expect.stringContaining('ATPCTL_BUSY_TIMEOUT')}))
    }
  })

  it('knows the busy answers by their extended codes too', () => {
    // Given the codes better-sqlite3 reports (extended result codes)
    for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY', 'SQLITE_BUSY_TIMEOUT', 'SQLITE_LOCKED', 'SQLITE_LOCKED_SHAREDCACHE']) {
      expect(isBusyCode(code)).toBe(true)
    }

    for (const code of ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'SQLITE_BUSYX', undefined, 5]) expect(isBusyCode(code)).toBe(false)
  })

  it('a wait that ran out is exit 6 naming the wait and the variable, never an unexpected error', () => {
    const error = databaseBusyError(60_000)
    expect(error).toMatchObject({code: 'DATABASE_BUSY', exitCode: 6})
    expect(error.message).toContain('another atpctl is writing')
    expect(error.message).toContain('1m')
    expect(error.suggestions.join(' ')).toContain('ATPCTL_BUSY_TIMEOUT=5m')
    expect(databaseBusyError(300).message).toContain('300ms')
  })
})
