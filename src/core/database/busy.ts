import {AtpError, UsageError} from '../errors.js'
import {formatDuration, parseDuration} from '../duration.js'

/**
 * How long a command waits for another atpctl to finish writing the same tenant database
 * before it gives up (exit 6). Parallel CI jobs queue on it: a minute covers dozens of writers
 * and a large import's one write transaction; ATPCTL_BUSY_TIMEOUT raises (or lowers) it.
 */
export const DEFAULT_BUSY_TIMEOUT_MS = 60_000

/** SQLite keeps the busy timeout in an int of milliseconds; a day is far beyond any queue. */
const MAX_BUSY_TIMEOUT_MS = 86_400_000

/** The busy timeout from ATPCTL_BUSY_TIMEOUT ("90s", "5m"; a bare number is refused, like every duration); unset or empty is the default. */
export function busyTimeoutMs(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_BUSY_TIMEOUT_MS
  let ms: number
  try {
    ms = parseDuration(value, 'ATPCTL_BUSY_TIMEOUT')
  } catch {
    ms = Number.NaN
  }

  if (!Number.isFinite(ms) || ms > MAX_BUSY_TIMEOUT_MS) {
    throw new UsageError(`ATPCTL_BUSY_TIMEOUT is '${value}', not a wait between 0s and 24h.`, {
      suggestions: ['Set it to a duration with its unit, such as 90s or 5m, or unset it for the default of 60s.'],
    })
  }

  return ms
}

/**
 * Is this SQLite error code "another connection holds the lock"? better-sqlite3 reports the
 * extended code (SQLITE_BUSY_SNAPSHOT, SQLITE_BUSY_RECOVERY, SQLITE_LOCKED_SHAREDCACHE…), so
 * the primary code is matched as a prefix.
 */
export function isBusyCode(code: unknown): boolean {
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)(_|$)/.test(code)
}

const waitText = (ms: number): string => (ms < 1000 ? `${ms}ms` : formatDuration(ms))

/** The refusal after waiting the whole busy timeout: exit 6 (busy), never an unexpected error. */
export function databaseBusyError(waitedMs: number): AtpError {
  return new AtpError(
    'DATABASE_BUSY',
    6,
    `The tenant database is busy: another atpctl is writing to it, and it was still busy after waiting ${waitText(waitedMs)}. Nothing was changed.`,
    {
      suggestions: [
        'Try again once the other command has finished.',
        `Or wait longer: set ATPCTL_BUSY_TIMEOUT, for example ATPCTL_BUSY_TIMEOUT=5m (now ${waitText(waitedMs)}).`,
      ],
    },
  )
}
