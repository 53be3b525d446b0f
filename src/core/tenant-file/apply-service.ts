/**
 * The backend side of `atpctl apply` (issue 14), shared by every backend's `setup.apply`: the
 * plan is computed again from the file and the tenant as the backend sees it (the server trusts
 * no client), a stale saved plan and the plan's blocking predictions are refused, and the steps
 * run through the port. The embedded backend calls it inside one transaction; the microsoft
 * backend with a journal (ApplyJournal), so a rerun after a failure continues where it stopped
 * and sends no finished step again.
 */
import {createHash} from 'node:crypto'
import {InvalidInputError} from '../errors.js'
import type {Backend} from '../port/types.js'
import type {SetupApplyRequest} from '../port/setup-api.js'
import {
  assertNoBlockingPredictions,
  assertPlanFresh,
  assertStepsSupported,
  executeSteps,
  resolvedSecretFacts,
  type SetupApplyResult,
  type SetupStep,
  setupSteps,
  type StepJournal,
  summariseApply,
} from './apply.js'
import {computePlan} from './plan.js'

/** Where a journal lives: the microsoft backend gives an owner-only file, tests an object. */
export interface ApplyJournalStore {
  /** Shown in messages and the result. */
  path: string
  read(): Promise<string | null>
  /** Replaces it whole (temp file + rename). */
  write(text: string): Promise<void>
}

/** The journal of one apply of one file: its steps in order and those finished. No secret is in it. */
export interface ApplyJournalState {
  format: 'atpctl-apply-journal/1'
  documentSha256: string
  prune: boolean
  /** The tenant's fingerprint when the apply started. */
  tenantSha256: string
  steps: SetupStep[]
  done: string[]
  finished: boolean
}

/** The journal's name for an apply of this file (the same file and prune resume the same journal). */
export function applyJournalName(documentSha256: string, prune: boolean): string {
  return `apply-${createHash('sha256').update(`${documentSha256}\n${prune ? 'prune' : 'keep'}`).digest('hex').slice(0, 32)}`
}

export function parseApplyJournal(text: string | null, path: string): ApplyJournalState | null {
  if (text === null) return null
  try {
    const state = JSON.parse(text) as ApplyJournalState
    if (state.format === 'atpctl-apply-journal/1' && Array.isArray(state.steps) && Array.isArray(state.done)) return state
  } catch {
    // Reported below.
  }

  throw new InvalidInputError(`The apply journal ${path} is damaged.`, {code: 'JOURNAL_INVALID', suggestions: [`Remove ${path}, run atpctl plan to see what is left, and apply again.`]})
}

export interface ApplyContext {
  profile: string
  now: () => Date
  /** The microsoft backend's journal of an apply by its name (an owner-only file); absent where one transaction does it all. */
  journal?: (name: string) => ApplyJournalStore
  /** After each step. */
  onStep?: Parameters<typeof executeSteps>[3]['onStep']
}

/** Applies a tenant file through the backend's port: the one implementation behind every `setup.apply`. */
export async function applyTenantDocument(backend: Backend, request: SetupApplyRequest, context: ApplyContext): Promise<SetupApplyResult> {
  const plan = await computePlan(backend, request.document, {
    prune: request.prune,
    file: request.file,
    profile: context.profile,
    now: context.now,
    secrets: resolvedSecretFacts(request.document, request.secrets),
  })
  const store = context.journal?.(applyJournalName(plan.documentSha256, request.prune))
  const earlier = store ? parseApplyJournal(await store.read(), store.path) : null
  const resuming = earlier !== null && !earlier.finished && earlier.documentSha256 === plan.documentSha256 && earlier.prune === request.prune ? earlier : null
  // A journal's own finished steps changed the tenant: the fingerprint it started from still counts.
  if (request.expectedTenantSha256 !== undefined && request.expectedTenantSha256 !== resuming?.tenantSha256) assertPlanFresh(request.expectedTenantSha256, plan.tenantSha256)
  const steps = resuming ? resuming.steps : setupSteps(plan, request.document)
  // A kind the backend cannot hold is refused with its capability's "instead", then the rules' refusals.
  assertStepsSupported(backend, steps)
  assertNoBlockingPredictions(plan)
  const state: ApplyJournalState = resuming ?? {
    format: 'atpctl-apply-journal/1',
    documentSha256: plan.documentSha256,
    prune: request.prune,
    tenantSha256: plan.tenantSha256,
    steps,
    done: [],
    finished: false,
  }
  let journal: StepJournal | undefined
  if (store) {
    const done = new Set(state.done)
    const save = async () => store.write(JSON.stringify(state, null, 2) + '\n')
    if (steps.length > 0) await save()
    journal = {
      done: (id) => done.has(id),
      async record(id) {
        done.add(id)
        state.done = [...done]
        await save()
      },
    }
  }

  const results = await executeSteps(backend, request.document, steps, {secrets: request.secrets, journal, onStep: context.onStep})
  if (store && steps.length > 0) {
    state.finished = true
    await store.write(JSON.stringify(state, null, 2) + '\n')
  }

  return {
    profile: context.profile,
    backend: backend.kind,
    file: request.file,
    prune: request.prune,
    documentSha256: plan.documentSha256,
    tenantSha256: resuming?.tenantSha256 ?? plan.tenantSha256,
    steps: results,
    summary: summariseApply(plan, results),
    ...(store ? {journal: store.path} : {}),
  }
}
