/**
 * What `atpctl apply` did (issue 14): one line per step in the order it ran, then the counts.
 * A step the backend found done already (a rerun after a failure) says so.
 */
import type {SetupApplyResult, SetupStepResult} from '../../core/tenant-file/apply.js'
import {style} from '../style.js'

const VERB: Record<SetupStepResult['action'], string> = {create: 'Created', update: 'Updated', delete: 'Deleted'}

function stepLine(s: SetupStepResult): string {
  const what = `${s.kind} "${s.name}"`
  if (s.resumed) return `${style.ok('✓')} ${VERB[s.action]} ${what} ${style.dim('(by the interrupted run the journal recorded)')}`
  if (!s.changed) return `${style.dim('-')} ${what} was already as the file says`
  return `${style.ok('✓')} ${VERB[s.action]} ${what}`
}

export function renderApplyResult(result: SetupApplyResult): string {
  const s = result.summary
  if (result.steps.length === 0) return `${style.ok('✓')} No changes: profile '${result.profile}' already matches ${result.file === '-' ? 'the file' : result.file}.`
  const already = s.alreadyDone > 0 ? `, ${s.alreadyDone} already done` : ''
  return [...result.steps.map(stepLine), '', `Applied: ${s.created} created, ${s.updated} updated, ${s.deleted} deleted${already}.`].join('\n')
}
