/**
 * Domain errors. Core code and backends throw only these; the base command maps each to its
 * exit code, so every backend yields the same codes. Each carries a stable `code` for JSON and
 * optional suggestions ("what to do next"). Matching is by `name`/`code`, never `instanceof`,
 * because jest module registries and the HTTP boundary both break `instanceof`.
 */
export interface AtpErrorOptions {
  suggestions?: string[]
  details?: Record<string, unknown>
}

export class AtpError extends Error {
  readonly code: string
  readonly exitCode: number
  readonly suggestions: string[]
  readonly details?: Record<string, unknown>
  readonly isAtpError = true

  constructor(code: string, exitCode: number, message: string, options: AtpErrorOptions = {}) {
    super(message)
    this.name = 'AtpError'
    this.code = code
    this.exitCode = exitCode
    this.suggestions = options.suggestions ?? []
    this.details = options.details
  }
}

export class UsageError extends AtpError {
  constructor(message: string, options?: AtpErrorOptions) {
    super('USAGE', 2, message, options)
  }
}

export class NotFoundError extends AtpError {
  constructor(message: string, options?: AtpErrorOptions) {
    super('NOT_FOUND', 3, message, options)
  }
}

/** An operation refused by a rule (CM3, DC3, TP3, IN3, T1…). */
export class RuleError extends AtpError {
  constructor(rule: string, message: string, options?: AtpErrorOptions) {
    super(rule === '' ? 'REFUSED' : `REFUSED_${rule}`, 4, message, options)
  }
}

/**
 * An operation this backend cannot do (SPEC §1): exit 4, code UNSUPPORTED, and the message says
 * what to do instead (the portal path, or the backend that can).
 */
export class UnsupportedError extends AtpError {
  constructor(message: string, options?: AtpErrorOptions) {
    super('UNSUPPORTED', 4, message, options)
  }
}

/**
 * The name exists with different content (SPEC §3): exit 4, code CONFLICT, for every resource.
 * The same create again is not a conflict: backends answer it with `changed: false`.
 */
export class ConflictError extends AtpError {
  constructor(message: string, options?: AtpErrorOptions) {
    super('CONFLICT', 4, message, options)
  }
}

/**
 * The backend refuses for now (a rate limit or a call budget): exit 8. `retryAfterMs` says when
 * the same call may succeed, and the message says it in words.
 */
export class ThrottledError extends AtpError {
  readonly retryAfterMs: number | undefined
  constructor(message: string, options: AtpErrorOptions & {retryAfterMs?: number} = {}) {
    super('THROTTLED', 8, message, {...options, details: {...options.details, ...(options.retryAfterMs === undefined ? {} : {retryAfterMs: options.retryAfterMs})}})
    this.retryAfterMs = options.retryAfterMs
  }
}

/**
 * A write was accepted and is still running (`--no-wait`, or `--wait` ran out): exit 9, with the
 * operation's id so `atpctl operation wait ID` can follow it.
 */
export class StillRunningError extends AtpError {
  readonly operationId: string
  constructor(message: string, options: AtpErrorOptions & {operationId: string}) {
    super('STILL_RUNNING', 9, message, {...options, details: {...options.details, operationId: options.operationId}})
    this.operationId = options.operationId
  }
}

export class AuthError extends AtpError {
  constructor(message: string, options?: AtpErrorOptions & {code?: string}) {
    super(options?.code ?? 'AUTH', 5, message, options)
  }
}

export class UnreachableError extends AtpError {
  constructor(message: string, options?: AtpErrorOptions) {
    super('UNREACHABLE', 6, message, options)
  }
}

export class InvalidInputError extends AtpError {
  constructor(message: string, options?: AtpErrorOptions & {code?: string}) {
    super(options?.code ?? 'INVALID_INPUT', 7, message, options)
  }
}

/**
 * `validate`: the tenant differs from the file (issue 14): exit 14, code DRIFT. Not a failure of
 * atpctl; the pipeline's signal that the tenant drifted from its reviewed set-up.
 */
export class DriftError extends AtpError {
  constructor(message: string, options?: AtpErrorOptions) {
    super('DRIFT', 14, message, options)
  }
}

/**
 * atpctl itself is installed incompletely (a native module missing or built for another Node.js):
 * nothing the user passed is wrong and retrying does not help, so neither 1 nor 6.
 */
export class InstallError extends AtpError {
  constructor(message: string, options?: AtpErrorOptions) {
    super('INSTALL_INCOMPLETE', 15, message, options)
  }
}

export function isAtpError(err: unknown): err is AtpError {
  return typeof err === 'object' && err !== null && (err as {isAtpError?: unknown}).isAtpError === true
}
