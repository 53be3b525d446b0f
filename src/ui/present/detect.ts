import type {ErrorReport} from '../../base/errors.js'
import {AtpError} from '../../core/errors.js'
import type {Spinner} from '../spinner.js'
import type {TestAlertProcedure} from '../../core/detect/test-alerts.js'
import type {Verdict} from '../../core/detect/verdict.js'
import {style} from '../style.js'

/** The preflight lines, ✓ or ✗ each. */
export function presentPreflight(verdict: Verdict): string[] {
  return verdict.preflight.map((c) => `${c.ok ? style.ok('✓') : style.bad('✗')} ${c.name}: ${c.detail}`)
}

/**
 * The one verdict line of a passed check: alert id, title, seconds it took. Failures are
 * printed as errors (`Error: …` + what to do) by the command's error path.
 */
export function presentVerdictLine(verdict: Verdict): string {
  const alert = verdict.alert!
  return `${style.ok('PASS')} alert ${style.id(alert.id)} "${alert.title}" (${alert.severity}) on ${verdict.device} after ${verdict.seconds.toFixed(1)}s`
}

export function presentFileNote(verdict: Verdict): string | null {
  if (!verdict.file) return null
  return verdict.file.kept ? `Test file kept: ${verdict.file.path}` : `Test file removed: ${verdict.file.path}`
}

export function presentProcedure(p: TestAlertProcedure): string {
  return [
    style.bold(`Test alert for ${p.os}: "${p.title}" (severity ${p.severity})`),
    style.dim(`Source: ${p.source}`),
    '',
    ...numbered(p.steps),
  ].join('\n')
}

/** Numbers the steps; indented lines are commands belonging to the step above. */
function numbered(steps: string[]): string[] {
  let n = 0
  return steps.map((s) => (s.startsWith('    ') ? style.bold(s) : `${++n}. ${s}`))
}

/** The failure of a check as a domain error: exit 10–13 with what happened and what to do. */
export function verdictError(verdict: Verdict): AtpError {
  return new AtpError(verdict.code, verdict.exitCode, verdict.message, {suggestions: verdict.suggestions})
}

/** `--json` on failure: the usual error envelope plus the verdict document. */
export function verdictErrorDocument(verdict: Verdict): {error: ErrorReport; verdict: Verdict} {
  return {error: {code: verdict.code, message: verdict.message, exitCode: verdict.exitCode, suggestions: verdict.suggestions}, verdict}
}

/**
 * Spinner hooks for the wait: on a terminal the spinner shows the elapsed time every second;
 * elsewhere it is silent (the spinner itself decides).
 */
export function waitHooks(spinner: Spinner): {onWaitStart: (info: {device: string; title: string}) => void; onWaitEnd: () => void} {
  let timer: NodeJS.Timeout | undefined
  return {
    onWaitStart({device, title}) {
      const started = Date.now()
      const text = () => `Waiting for "${title}" on ${device}… ${Math.floor((Date.now() - started) / 1000)}s`
      spinner.start(text())
      timer = setInterval(() => (spinner.text = text()), 1000)
      timer.unref()
    },
    onWaitEnd() {
      if (timer) clearInterval(timer)
      spinner.stop()
    },
  }
}
