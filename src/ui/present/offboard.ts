import type {OffboardMachineResult, OffboardOutcome} from '../../core/device/offboard.js'
import type {OffboardReport} from '../../core/device/offboard-service.js'
import {style} from '../style.js'
import {renderTable} from '../table.js'

const OUTCOME_TEXT: Record<OffboardOutcome, (s: string) => string> = {
  offboarded: style.ok,
  'already-offboarded': style.dim,
  'would-offboard': style.ok,
  pending: style.warn,
  refused: style.bad,
  unknown: style.bad,
  failed: style.bad,
}

/** The per-machine table and a summary line. */
export function presentOffboard(report: OffboardReport): string {
  const table = renderTable(
    ['DEVICE', 'RESULT', 'WHY', 'OPERATION'],
    report.results.map((r: OffboardMachineResult) => [r.device, OUTCOME_TEXT[r.outcome](r.outcome), r.reason, r.operationId ?? '-']),
  )
  const s = report.summary
  const counts = (
    [
      ['offboarded', s.offboarded],
      ['would be offboarded', s['would-offboard']],
      ['already offboarded', s['already-offboarded']],
      ['pending', s.pending],
      ['refused', s.refused],
      ['unknown', s.unknown],
      ['failed', s.failed],
    ] as [string, number][]
  )
    .filter(([, n]) => n > 0)
    .map(([what, n]) => `${n} ${what}`)
    .join(', ')
  const line = report.dryRun ? `Dry run, nothing sent: ${counts}.` : `${s.total} device(s): ${counts}.`
  return `${table}\n${line}`
}
