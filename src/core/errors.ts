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
