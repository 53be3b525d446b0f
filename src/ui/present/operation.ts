import type {Operation} from '../../core/port/operations-api.js'
import {style} from '../style.js'
import {renderFields, renderTable} from '../table.js'

const statusText = (o: Operation): string => (o.status === 'succeeded' ? style.ok(o.status) : o.status === 'failed' ? style.bad(o.status) : style.warn(o.status))

/** One line after a write that returned an operation (stderr). */
export function presentOperationLine(o: Operation): string {
  return `Operation ${style.id(o.id)} (${o.kind}) ${statusText(o)}.${o.status === 'running' ? ` Follow it: atpctl operation wait ${o.id}` : ''}`
}

export function presentOperations(operations: Operation[]): string {
  if (operations.length === 0) return 'No operations. Deployments and offboardings are recorded here.'
  const table = renderTable(
    ['ID', 'KIND', 'STATUS', 'TARGET', 'STARTED', 'FINISHED'],
    operations.map((o) => [o.id, o.kind, statusText(o), o.target, o.startedAt, o.finishedAt ?? '-']),
  )
  return table
}

function failureText(o: Operation): string | null {
  const error = (o.result as {error?: {code?: string; message?: string}} | null)?.error
  return o.status === 'failed' && error ? `${error.code ?? 'FAILED'}: ${error.message ?? ''}` : null
}

export function presentOperation(o: Operation): string {
  const failure = failureText(o)
  return renderFields([
    ['Operation', style.bold(o.id)],
    ['Kind', o.kind],
    ['Status', statusText(o)],
    ['Target', o.target],
    ['Started', o.startedAt],
    ['Finished', o.finishedAt ?? '-'],
    ...(failure ? ([['Failure', style.bad(failure)]] as [string, string][]) : []),
    ['Result', o.result === null ? '-' : 'see --json'],
  ])
}
