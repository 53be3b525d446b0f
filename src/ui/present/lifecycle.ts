import type {DeleteImpact} from '../../core/endpoint-lifecycle.js'
import {style} from '../style.js'

/** The question asked before changing something in use: what it affects, then the action. */
export function impactQuestion(lead: string, impact: DeleteImpact, question: string): string {
  return `${lead} ${impact.summary} ${question}`
}

/** What a delete or undeploy did to what used it, one line per use (empty when nothing used it). */
export function presentImpact(impact: DeleteImpact): string {
  return impact.uses.map((u) => style.dim(u.effect)).join('\n')
}

/** The one status line of a create or update: what happened, or that nothing did. */
export function changeLine(subject: string, changed: boolean, verb: 'created' | 'updated'): string {
  return changed ? `${style.ok('✓')} ${subject} ${verb}.` : `${subject} ${verb === 'created' ? 'already exists' : 'already has these values'}; unchanged.`
}
