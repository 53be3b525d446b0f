/**
 * The plan of tenant-as-code as text, like a terraform plan (issue 14): one block per resource
 * that changes (`+` create, `~` update with `field: current -> desired`, `-` delete), the
 * resources the file does not manage, the rules' predictions, and one summary line. Colours
 * come from ui/style (only on a terminal).
 */
import type {FieldDifference, ResourceDifference, RulePrediction, SetupPlan} from '../../core/tenant-file/plan-types.js'
import {style} from '../style.js'

const KIND_LABEL: Record<ResourceDifference['kind'], string> = {
  tenant: 'tenant',
  'third-party': 'third-party provider',
  intune: 'Intune connection',
  'defender-for-cloud': 'Defender for Cloud subscription',
  group: 'group',
  collection: 'collection',
  policy: 'policy',
  deployment: 'deployment',
  'edr-profile': 'EDR profile',
  'compliance-policy': 'compliance policy',
  'access-policy': 'access policy',
  'app-config': 'app configuration',
}

/** A value as the plan shows it: strings quoted, lists in brackets, absent as (none). */
export function planValue(value: unknown): string {
  if (value === undefined || value === null) return '(none)'
  if (typeof value === 'string') return value === '(secret)' ? value : JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(planValue).join(', ')}]`
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

const where = (r: ResourceDifference): string => (r.at ? style.dim(`  (${r.at.file === '-' ? 'stdin' : r.at.file}:${r.at.line})`) : '')
const title = (r: ResourceDifference): string => `${KIND_LABEL[r.kind]} "${r.name}"`

function fieldLine(f: FieldDifference, create: boolean): string {
  if (create) return `      ${f.field}: ${planValue(f.desired)}`
  return `      ${f.field}: ${planValue(f.current)} -> ${planValue(f.desired)}`
}

function predictionLine(p: RulePrediction): string {
  const mark = p.blocking ? style.bad('✗ blocks apply') : style.warn('! note')
  return `  ${mark}  ${KIND_LABEL[p.kind]} "${p.name}" [${p.code}]: ${p.message}`
}

/** The plan as terraform-like text. */
export function renderPlanText(plan: SetupPlan): string {
  const lines: string[] = []
  const changes = plan.resources.filter((r) => r.action === 'create' || r.action === 'update' || r.action === 'delete')
  if (changes.length > 0) {
    lines.push(`atpctl will make these changes to profile '${plan.profile}' (${plan.backend}):`, '')
    for (const r of changes) {
      if (r.action === 'create') {
        lines.push(`  ${style.ok('+')} ${style.ok('create')} ${title(r)}${where(r)}`)
        for (const f of r.fields) lines.push(style.ok(fieldLine(f, true)))
      } else if (r.action === 'update') {
        lines.push(`  ${style.warn('~')} ${style.warn('update')} ${title(r)}${where(r)}`)
        for (const f of r.fields) lines.push(fieldLine(f, false))
      } else {
        lines.push(`  ${style.bad('-')} ${style.bad('delete')} ${title(r)}`)
      }
    }
  } else {
    lines.push(`No changes: profile '${plan.profile}' (${plan.backend}) matches ${plan.file === '-' ? 'the file' : plan.file}.`)
  }

  const unmanaged = plan.resources.filter((r) => r.action === 'unmanaged')
  if (unmanaged.length > 0) {
    lines.push('', `Not in the file (left alone${plan.prune ? '' : '; --prune deletes those of the kinds the file lists'}):`)
    for (const r of unmanaged) lines.push(style.dim(`  ${title(r)}`))
  }

  if (plan.predictions.length > 0) {
    lines.push('', 'What the rules predict:')
    for (const p of plan.predictions) lines.push(predictionLine(p))
  }

  const s = plan.summary
  const blocking = plan.predictions.filter((p) => p.blocking).length
  lines.push(
    '',
    `Plan: ${s.create} to create, ${s.update} to change, ${s.delete} to delete; ${s.unchanged} unchanged, ${s.unmanaged} unmanaged.` +
      (blocking > 0 ? ` ${style.bad(`${blocking} ${blocking === 1 ? 'prediction blocks' : 'predictions block'} apply.`)}` : ''),
  )
  return lines.join('\n')
}
