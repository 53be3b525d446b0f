/**
 * How domain errors cross HTTP: `{"error": {"code", "message", "exitCode", "suggestions"}}`
 * with a status that means the same as the SPEC §3 exit code, and back into the same core
 * error on the client, so a command exits with the same code on every backend.
 */
import {
  AtpError,
  AuthError,
  type AtpErrorOptions,
  ConflictError,
  InvalidInputError,
  isAtpError,
  NotFoundError,
  RuleError,
  StillRunningError,
  ThrottledError,
  UnreachableError,
  UsageError,
} from '../core/errors.js'

export interface ErrorEnvelope {
  error: {code: string; message: string; exitCode: number; suggestions: string[]; details?: Record<string, unknown>}
}

/** Codes of authentication (who are you: 401) as opposed to permission (not allowed: 403). */
const UNAUTHENTICATED_CODES = new Set(['UNAUTHENTICATED', 'TOKEN_INVALID', 'API_KEY_INVALID'])

/** The HTTP status for an exit code (and code, to tell 401 from 403). */
export function statusForExit(exitCode: number, code = ''): number {
  switch (exitCode) {
    case 2: {
      return 400
    }

    case 3: {
      return 404
    }

    case 4: {
      return 409
    }

    case 5: {
      return UNAUTHENTICATED_CODES.has(code) ? 401 : 403
    }

    case 6: {
      return 503
    }

    case 7: {
      return 422
    }

    case 8: {
      return 429
    }

    case 10:
    case 11:
    case 12:
    case 13: {
      return 409
    }

    default: {
      return 500
    }
  }
}

/** The exit code an HTTP status means, for responses without our envelope. */
export function exitForStatus(status: number): number {
  if (status === 400 || status === 405 || status === 411 || status === 413 || status === 414 || status === 415 || status === 431) return 2
  if (status === 401 || status === 403) return 5
  if (status === 404) return 3
  if (status === 409) return 4
  if (status === 422) return 7
  if (status === 429) return 8
  // 408: the server gave up waiting for the request (a slow link or proxy): reachable, but try again.
  if (status === 408 || status === 502 || status === 503 || status === 504) return 6
  return 1
}

/** Turns anything thrown by a backend into a status and envelope; unknown errors stay vague. */
export function toEnvelope(err: unknown): {status: number; body: ErrorEnvelope} {
  if (isAtpError(err)) {
    const e = err as AtpError
    return {
      status: statusForExit(e.exitCode, e.code),
      body: {error: {code: e.code, message: e.message, exitCode: e.exitCode, suggestions: e.suggestions, ...(e.details ? {details: e.details} : {})}},
    }
  }

  return {
    status: 500,
    body: {
      error: {
        code: 'INTERNAL',
        message: 'The server hit an unexpected error; it is in the server log.',
        exitCode: 1,
        suggestions: ['Ask the server operator to look at the atpctl serve log.'],
      },
    },
  }
}

/**
 * Milliseconds a `Retry-After` header asks to wait: delay-seconds or an HTTP date (RFC 9110
 * 10.2.3); undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header
  if (value === undefined || value.trim() === '') return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** "30 s", "2 min": when to retry, in words. */
export function inWords(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000))
  return seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`
}

/**
 * Rebuilds the core error an envelope (or a bare status) describes. A 429, and a 503 with
 * Retry-After, is the backend refusing for now: ThrottledError (exit 8) with when to retry,
 * whatever exit code an older server put in the body (issue 11 item 4).
 */
export function fromEnvelope(status: number, body: unknown, url: string, retryAfter?: string | string[]): AtpError {
  const e = (body as Partial<ErrorEnvelope> | undefined)?.error
  const code = typeof e?.code === 'string' ? e.code : undefined
  const exitCode = typeof e?.exitCode === 'number' ? e.exitCode : exitForStatus(status)
  const message = typeof e?.message === 'string' ? e.message : `The server at ${url} answered HTTP ${status}.`
  const options: AtpErrorOptions = {suggestions: Array.isArray(e?.suggestions) ? e.suggestions.filter((s) => typeof s === 'string') : []}
  if (e?.details && typeof e.details === 'object') options.details = e.details
  const waitMs = retryAfterMs(retryAfter) ?? (typeof e?.details?.retryAfterMs === 'number' ? e.details.retryAfterMs : undefined)
  if (status === 429 || (status === 503 && waitMs !== undefined) || exitCode === 8) {
    const base = typeof e?.message === 'string' ? e.message : `The server at ${url} refuses requests for now (HTTP ${status}).`
    const text = waitMs === undefined || /retry in /i.test(base) ? base : `${base.replace(/\.?$/, '.')} Retry in ${inWords(waitMs)}.`
    return new ThrottledError(text, {...options, retryAfterMs: waitMs, suggestions: options.suggestions!.length > 0 ? options.suggestions : ['Wait and run the command again.']})
  }

  return rebuild(exitCode, code, message, options)
}

function rebuild(exitCode: number, code: string | undefined, message: string, options: AtpErrorOptions): AtpError {
  switch (exitCode) {
    case 2: {
      return code === undefined || code === 'USAGE' ? new UsageError(message, options) : new AtpError(code, 2, message, options)
    }

    case 3: {
      return code === undefined || code === 'NOT_FOUND' ? new NotFoundError(message, options) : new AtpError(code, 3, message, options)
    }

    case 4: {
      if (code === 'CONFLICT') return new ConflictError(message, options)
      if (code === undefined || code === 'REFUSED') return new RuleError('', message, options)
      if (code.startsWith('REFUSED_')) return new RuleError(code.slice('REFUSED_'.length), message, options)
      return new AtpError(code, 4, message, options)
    }

    case 5: {
      return new AuthError(message, {...options, code: code ?? 'AUTH'})
    }

    case 6: {
      return code === undefined || code === 'UNREACHABLE' ? new UnreachableError(message, options) : new AtpError(code, 6, message, options)
    }

    case 7: {
      return new InvalidInputError(message, {...options, code: code ?? 'INVALID_INPUT'})
    }

    case 9: {
      const operationId = options.details?.operationId
      if (typeof operationId === 'string') return new StillRunningError(message, {...options, operationId})
      return new AtpError(code ?? 'STILL_RUNNING', 9, message, options)
    }

    default: {
      return new AtpError(code ?? 'REMOTE_ERROR', exitCode, message, options)
    }
  }
}
