import type {JUnitCase, JUnitSuite} from '../../lib/junit.js'
import type {Verdict} from './verdict.js'

/**
 * The JUnit view of a verdict: one test case per preflight check and one for the alert itself,
 * so a CI system shows which step failed (device, data path, onboarding, sensor, alert).
 */
export function verdictToJUnit(verdict: Verdict, hostname?: string): JUnitSuite {
  const classname = `atpctl.detect.${verdict.check}${verdict.os ? `.${verdict.os}` : ''}`
  const cases: JUnitCase[] = verdict.preflight.map((check) => ({
    name: `preflight: ${check.name} (${check.detail})`,
    classname,
    timeSeconds: 0,
    ...(check.ok ? {} : {failure: {message: verdict.message, type: verdict.code, text: [verdict.message, ...verdict.suggestions.map((s) => `Try this: ${s}`)].join('\n')}}),
  }))
  const preflightFailed = verdict.preflight.some((c) => !c.ok)
  const alertCase: JUnitCase = {
    name: `alert "${verdict.expectedTitle}" on ${verdict.device ?? 'the device'}`,
    classname,
    timeSeconds: verdict.seconds,
    systemOut: verdict.alert
      ? `Alert ${verdict.alert.id} "${verdict.alert.title}" severity ${verdict.alert.severity}, created ${verdict.alert.alertCreationTime}, after ${verdict.seconds}s and ${verdict.polls} poll(s).`
      : verdict.file
        ? `Test file ${verdict.file.path} (sha256 ${verdict.file.sha256}) ${verdict.file.kept ? 'kept' : 'removed'}.`
        : undefined,
  }
  if (preflightFailed) alertCase.skipped = 'preflight failed'
  else if (!verdict.passed) alertCase.failure = {message: verdict.message, type: verdict.code, text: [verdict.message, ...verdict.suggestions.map((s) => `Try this: ${s}`)].join('\n')}
  return {
    name: `atpctl detect ${verdict.check}${verdict.os ? ` --os ${verdict.os}` : ''}`,
    timestamp: verdict.startedAt,
    hostname,
    properties: {
      outcome: verdict.outcome,
      exitCode: String(verdict.exitCode),
      device: verdict.device ?? '',
      machineId: verdict.machineId ?? '',
      alertId: verdict.alert?.id ?? '',
      timeoutSeconds: String(verdict.timeoutSeconds),
    },
    cases: [...cases, alertCase],
  }
}
