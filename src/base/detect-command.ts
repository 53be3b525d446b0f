import {hostname} from 'node:os'
import {verdictToJUnit} from '../core/detect/report.js'
import type {Verdict} from '../core/detect/verdict.js'
import {writeJUnit} from '../lib/junit.js'
import {presentPreflight, presentVerdictLine, verdictError, verdictErrorDocument} from '../ui/present/detect.js'
import {AdminCommand} from './command.js'

/** The detection checks: they end the same way, whatever they checked (DT3). */
export abstract class DetectCommand<T> extends AdminCommand<T> {
  /**
   * Writes the JUnit report if asked, prints the preflight notes, then the verdict line, or fails
   * with the verdict's exit code (10–13); under --json the failure document carries the verdict.
   */
  protected reportVerdict(verdict: Verdict, options: {junit?: string; notes?: string[]; failureExtras?: Record<string, unknown>} = {}): void {
    if (options.junit) writeJUnit(options.junit, [verdictToJUnit(verdict, hostname())])
    for (const line of [...presentPreflight(verdict), ...(options.notes ?? [])]) this.note(line)
    if (!verdict.passed) {
      if (this.jsonEnabled()) {
        this.logJson({...verdictErrorDocument(verdict), ...options.failureExtras})
        this.exit(verdict.exitCode)
      }

      throw verdictError(verdict)
    }

    this.log(presentVerdictLine(verdict))
  }
}
