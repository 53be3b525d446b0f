/**
 * The JUnit view of a tenant-as-code plan (issue 14, `validate --junit`): one test case per
 * resource the plan compares (classname its kind, name the resource), failed when the tenant
 * drifts from the file, and one failed test case per blocking rule prediction. A CI system then
 * shows which resource and which field differ. Written by the project's one JUnit writer.
 */
import {renderJUnit, type JUnitCase, type JUnitSuite} from '../../lib/junit.js'
import type {ResourceDifference, RulePrediction, SetupPlan} from '../../core/tenant-file/plan-types.js'
import {terminalSafe} from '../terminal-text.js'
import {actionMeaning, isDrift, positionText} from './setup-values.js'
import {planValue} from './setup-plan.js'

/** The failure type of a drifting resource's test case; a prediction's is its reason code. */
export const DRIFT_FAILURE_TYPE = 'DRIFT'

// Names come from the tenant (device, collection, group names): a control character or a bidi
// override is written escaped (\x1b, \u202e), so a CI page shows it instead of obeying it.
const safe = (text: string) => terminalSafe(text)

function failureText(resource: ResourceDifference): string {
  const lines = [`${resource.kind} ${resource.name}: ${actionMeaning(resource)}`]
  const at = positionText(resource.at)
  if (at) lines.push(`at ${at}`)
  if (resource.action === 'update') {
    for (const f of resource.fields) lines.push(`  ${f.field}: current ${planValue(f.current)} -> desired ${planValue(f.desired)}`)
  } else if (resource.action === 'create') {
    for (const f of resource.fields) lines.push(`  ${f.field}: ${planValue(f.desired)}`)
  }

  return safe(lines.join('\n'))
}

function notesOf(predictions: RulePrediction[]): string | undefined {
  if (predictions.length === 0) return undefined
  return safe(predictions.map((p) => `note ${p.code}: ${p.message}`).join('\n'))
}

function resourceCase(resource: ResourceDifference, notes: RulePrediction[]): JUnitCase {
  const c: JUnitCase = {name: safe(resource.name), classname: resource.kind, timeSeconds: 0}
  if (isDrift(resource)) {
    c.failure = {message: safe(`${resource.kind} ${resource.name} ${actionMeaning(resource)}`), type: DRIFT_FAILURE_TYPE, text: failureText(resource)}
  } else if (resource.action === 'unmanaged') {
    // Not drift: the plan does not prune, so what the file does not name is listed and left alone.
    c.skipped = safe(`${resource.kind} ${resource.name} is ${actionMeaning(resource)}`)
  }

  const out = notesOf(notes)
  if (out) c.systemOut = out
  return c
}

function predictionCase(p: RulePrediction): JUnitCase {
  return {
    name: safe(`${p.name}: ${p.code}`),
    classname: `${p.kind}.prediction`,
    timeSeconds: 0,
    failure: {message: safe(p.message), type: p.code, text: safe(`${p.kind} ${p.name}: ${p.message}\napply would be refused (${p.code}).`)},
  }
}

/** The plan as a JUnit suite (for tests and for callers that write several suites). */
export function planJunitSuite(plan: SetupPlan): JUnitSuite {
  const key = (kind: string, name: string) => `${kind}\u0000${name}`
  const notes = new Map<string, RulePrediction[]>()
  const resources = new Set(plan.resources.map((r) => key(r.kind, r.name)))
  const cases: JUnitCase[] = []
  for (const p of plan.predictions) {
    if (p.blocking) continue
    const k = key(p.kind, p.name)
    if (resources.has(k)) notes.set(k, [...(notes.get(k) ?? []), p])
    // A note about something the plan does not list is a passed case of its own, so it is not lost.
    else cases.push({name: safe(`${p.name}: ${p.code}`), classname: `${p.kind}.prediction`, timeSeconds: 0, systemOut: notesOf([p])})
  }

  return {
    name: safe(`atpctl validate ${plan.file} (profile ${plan.profile})`),
    timestamp: plan.createdAt,
    properties: {
      profile: safe(plan.profile),
      backend: plan.backend,
      file: safe(plan.file),
      prune: String(plan.prune),
      documentSha256: plan.documentSha256,
      tenantSha256: plan.tenantSha256,
      create: String(plan.summary.create),
      update: String(plan.summary.update),
      delete: String(plan.summary.delete),
      unchanged: String(plan.summary.unchanged),
      unmanaged: String(plan.summary.unmanaged),
    },
    cases: [
      ...plan.resources.map((r) => resourceCase(r, notes.get(key(r.kind, r.name)) ?? [])),
      ...plan.predictions.filter((p) => p.blocking).map(predictionCase),
      ...cases,
    ],
  }
}

/** The JUnit XML of a plan: a failure per drifting resource and per blocking prediction. */
export function renderPlanJunit(plan: SetupPlan): string {
  return renderJUnit([planJunitSuite(plan)])
}
