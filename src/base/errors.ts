import {type AtpError, isAtpError} from '../core/errors.js'
import {ExitCode} from './exit-codes.js'

/** The public shape of a failure, printed as `{"error": …}` under --json. */
export interface ErrorReport {
  code: string
  message: string
  exitCode: number
  suggestions: string[]
}

interface OclifLikeError extends Error {
  code?: string
  parse?: unknown
  oclif?: {exit?: number}
  exitCode?: number
}

/** Maps anything thrown to the exit-code table of SPEC §3. */
export function toErrorReport(err: unknown): ErrorReport {
  if (isAtpError(err)) {
    const e = err as AtpError
    return {code: e.code, message: e.message, exitCode: e.exitCode, suggestions: e.suggestions}
  }

  const e = err as OclifLikeError
  if (e?.name === 'ExitPromptError' || e?.name === 'AbortPromptError') {
    return {code: 'CANCELLED', message: 'Cancelled.', exitCode: ExitCode.cancelled, suggestions: []}
  }

  // oclif parse errors (missing/unknown flags and args, a value a flag's parser refuses) carry
  // oclif.exit = 2 (package.json oclif.exitCodes, failedFlagParsing included). A single-value
  // flag given twice is a plain CLIError of the parser, with the default exit: usage too.
  if (e?.oclif?.exit === ExitCode.usage || e?.parse !== undefined || /^Flag --[\w-]+ can only be specified once$/.test(e?.message ?? '')) {
    return {
      code: 'USAGE',
      message: cleanOclifMessage(e.message),
      exitCode: ExitCode.usage,
      suggestions: ['Run the command with --help to see its flags and examples.'],
    }
  }

  if (e?.code === 'EACCES' || e?.code === 'EPERM') {
    return {code: 'PERMISSION', message: e.message, exitCode: ExitCode.auth, suggestions: ['Check the file permissions or ATPCTL_HOME.']}
  }

  return {
    code: 'UNEXPECTED',
    message: `Unexpected error: ${e?.message ?? String(err)}`,
    exitCode: ExitCode.unexpected,
    suggestions: ['Run again with ATPCTL_DEBUG=1 for the stack trace, and report it as an issue.'],
  }
}

function cleanOclifMessage(message: string): string {
  return message
    .replace(/\u001B\[[0-9;]*m/g, '')
    // A flag's own parser refused the value (oclif: "Parsing --limit \n\tExpected an integer …").
    .replace(/^Parsing (--[\w-]+)\s*\n\s*(\S)/, (_, flag: string, first: string) => `Invalid value for ${flag}: ${first.toLowerCase()}`)
    .replace(/^The following errors? occurred:\s*/i, '')
    .replace(/\s*See more help with --help\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim()
}
