import {hostname} from 'node:os'
import {verdictToJUnit} from '../core/detect/report.js'
import type {Verdict} from '../core/detect/verdict.js'
import {writeJUnit} from '../lib/junit.js'
import {presentPreflight, presentVerdictLine, verdictError, verdictErrorDocument} from '../ui/present/detect.js'
import {UsageError} from '../core/errors.js'
import {AdminCommand} from './command.js'

function tryWriteJUnit(path: string, verdict: Verdict): UsageError | undefined {
  try {
    writeJUnit(path, [verdictToJUnit(verdict, hostname())])
    return undefined
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    return new UsageError(`Cannot write the JUnit report '${path}' (${reason}); the check itself ran.`, {
      suggestions: ['Pass --junit a file path in a folder you can write to.'],
    })
  }
}

/** The detection checks: they end the same way, whatever they checked (DT3). */
export abstract class DetectCommand<T> extends AdminCommand<T> {
  /**
   * Writes the JUnit report if asked, prints the preflight notes, then the verdict line, or fails
   * with the verdict's exit code (10–13); under --json the failure document carries the verdict.
   */
  protected reportVerdict(verdict: Verdict, options: {junit?: string; notes?: string[]; failureExtras?: Record<string, unknown>} = {}): void {
    // The check has run (an alert may be raised already): a report that cannot be written must
    // not lose the verdict. It is said on stderr; a failed verdict keeps its own exit code.
    const junitError = options.junit ? tryWriteJUnit(options.junit, verdict) : undefined
    if (junitError && !verdict.passed) this.note(`Error: ${junitError.message}`)
    for (const line of [...presentPreflight(verdict), ...(options.notes ?? [])]) this.note(line)
    if (!verdict.passed) {
      if (this.jsonEnabled()) {
        this.logJson({...verdictErrorDocument(verdict), ...options.failureExtras})
        this.exit(verdict.exitCode)
      }

      throw verdictError(verdict)
    }

    this.log(presentVerdictLine(verdict))
    if (junitError) throw junitError
  }
}
