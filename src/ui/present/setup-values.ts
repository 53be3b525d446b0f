/**
 * What the reports of a tenant-as-code plan (JUnit, HTML) share: which lines a plan's
 * differences make and what each action means. Both reports render the same `SetupPlan`, so a
 * difference the JUnit report fails on is a row of the HTML report, and the other way round;
 * values are written by the plan text's own `planValue` (strings quoted, absent as (none)).
 */
import type {FieldDifference, ResourceAction, ResourceDifference, SetupPlan, SourcePosition} from '../../core/tenant-file/plan-types.js'

/** The actions that make a resource differ from the file. `unmanaged` is listed but is not drift. */
export const DRIFT_ACTIONS: readonly ResourceAction[] = ['create', 'update', 'delete']

export function isDrift(resource: ResourceDifference): boolean {
  return DRIFT_ACTIONS.includes(resource.action)
}

/** Where the file names a resource, `file:line:column` (stdin as `stdin`, as the plan text says). */
export function positionText(at: SourcePosition | undefined): string {
  return at ? `${at.file === '-' ? 'stdin' : at.file}:${at.line}:${at.column}` : ''
}

/** One line of a report's difference list: a field of an update, or the resource itself. */
export interface DifferenceLine {
  resource: ResourceDifference
  /** Absent: the resource as a whole (created with no field listed, deleted, unmanaged). */
  field?: FieldDifference
}

/**
 * The lines of a plan's differences, in apply order: one per field of an update (or of a create
 * that lists the fields the file sets), one for a create without fields, a delete or an
 * unmanaged resource. Unchanged resources make none.
 */
export function differenceLines(plan: SetupPlan): DifferenceLine[] {
  const lines: DifferenceLine[] = []
  for (const resource of plan.resources) {
    if (resource.action === 'unchanged') continue
    if ((resource.action === 'update' || resource.action === 'create') && resource.fields.length > 0) {
      for (const field of resource.fields) lines.push({resource, field})
    } else {
      lines.push({resource})
    }
  }

  return lines
}

/** What an action means for a resource, in words (the JUnit failure message, the HTML cell title). */
export function actionMeaning(resource: ResourceDifference): string {
  switch (resource.action) {
    case 'create': {
      return 'missing in the tenant; apply creates it'
    }

    case 'update': {
      const n = resource.fields.length
      return `differs from the file in ${n} field${n === 1 ? '' : 's'} (${resource.fields.map((f) => f.field).join(', ')}); apply changes it`
    }

    case 'delete': {
      return 'in the tenant but not in the file; apply --prune deletes it'
    }

    case 'unmanaged': {
      return 'in the tenant but not in the file; left alone (--prune would delete it)'
    }

    case 'unchanged': {
      return 'as the file says'
    }
  }
}
