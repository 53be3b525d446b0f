/**
 * `atpctl device offboard` (issue 12): offboards many devices, one backend call each, through a
 * journal so that a rerun (after a failure, a kill, or `--no-wait`) skips machines already
 * offboarded or with an offboarding pending, and never asks for a second action. The rules are
 * in ./offboard.ts; the backend applies them again for every caller.
 */
import {readFile, stat} from 'node:fs/promises'
import {isAtpError, NotFoundError, UsageError} from '../errors.js'
import {operationFailure, type OperationWaitOptions, waitForOperations} from '../operation/wait.js'
import type {Operation} from '../port/operations-api.js'
import type {Backend} from '../port/types.js'
import {requireTenant} from '../tenant/service.js'
import {
  dropFromJournal,
  isOffboarded,
  journalEntry,
  type OffboardJournal,
  type OffboardMachineResult,
  type OffboardResult,
  type OffboardSummary,
  offboardRefusal,
  parseJournal,
  parseNameList,
  recordInJournal,
  requireOffboardComment,
  summarise,
  uniqueNames,
} from './offboard.js'

/** Where the journal lives; the command gives a file (lib/journal-file.ts), tests an object. */
export interface JournalStore {
  /** Shown in messages and the report. */
  path: string
  /** The journal's text, or null when there is none yet. */
  read(): Promise<string | null>
  /** Replaces it whole (owner-only, temp file + rename). */
  write(text: string): Promise<void>
}

export interface OffboardOptions extends Omit<OperationWaitOptions, 'timeoutMs' | 'onPoll'> {
  names: string[]
  /** A file of more names, one per line (`#` comments). */
  fromFile?: string
  comment: string | undefined
  /** Show what would happen; nothing is sent and the journal is not written. */
  dryRun: boolean
  /** How long to wait for pending offboardings (0: --no-wait). */
  waitMs: number
  profile: string
  journal: JournalStore
  /** After each machine is looked at (submitted, skipped or refused). */
  onProgress?: (done: number, total: number) => void
  /** Once every machine was submitted, when some are still pending and will be waited for. */
  onWaiting?: (pending: number) => void
}

export interface OffboardReport {
  comment: string
  dryRun: boolean
  /** The journal file that makes a rerun skip what is done. */
  journal: string
  results: OffboardMachineResult[]
  summary: OffboardSummary
}

/** The journal is rewritten after this many changes (and at the end): a kill loses at most these, which the backend then finds done. */
const JOURNAL_BATCH = 25

export async function offboardDevices(backend: Backend, options: OffboardOptions): Promise<OffboardReport> {
  await requireTenant(backend, options.profile)
  const comment = requireOffboardComment(options.comment)
  const listed = options.fromFile === undefined ? [] : await readNameList(options.fromFile)
  const names = uniqueNames([...options.names, ...listed].map((n) => n.trim()).filter((n) => n !== ''))
  if (names.length === 0) throw new UsageError('No device to offboard.', {suggestions: ['Name devices as arguments, or pass --from-file FILE with one name per line.']})
  const journal = parseJournal(await options.journal.read(), {profile: options.profile, backend: backend.location, path: options.journal.path})
  const results: OffboardMachineResult[] = []
  const pending = new Map<number, Operation>()
  let changes = 0
  const change = () => changes++
  const save = async (force: boolean) => {
    if (options.dryRun || changes === 0 || (!force && changes < JOURNAL_BATCH)) return
    await options.journal.write(JSON.stringify(journal, null, 2) + '\n')
    changes = 0
  }

  const at = () => (options.now ? new Date(options.now()) : new Date()).toISOString()
  try {
    for (const [index, given] of names.entries()) {
      const result = await offboardOne(backend, {given, comment, dryRun: options.dryRun, journal, at, change})
      results.push(result.machine)
      if (result.operation) pending.set(index, result.operation)
      options.onProgress?.(index + 1, names.length)
      await save(false)
    }

    if (pending.size > 0 && options.waitMs > 0) {
      options.onWaiting?.(pending.size)
      const indexes = [...pending.keys()]
      const settled = await waitForOperations(backend.operations, [...pending.values()], {...options, timeoutMs: options.waitMs})
      for (const [i, operation] of settled.entries()) {
        results[indexes[i]] = settledResult(results[indexes[i]], operation, journal, at, change)
      }
    }
  } finally {
    await save(true)
  }

  return {comment, dryRun: Boolean(options.dryRun), journal: options.journal.path, results, summary: summarise(results)}
}

interface OneContext {
  given: string
  comment: string
  dryRun: boolean
  journal: OffboardJournal
  at: () => string
  change: () => void
}

const machine = (device: string, outcome: OffboardMachineResult['outcome'], reason: string, extra: Partial<OffboardMachineResult> = {}): OffboardMachineResult => ({
  device,
  outcome,
  reason,
  code: null,
  exitCode: null,
  operationId: null,
  ...extra,
})

/** One machine: the journal first, then the device and the rule, then the one backend call. */
async function offboardOne(backend: Backend, c: OneContext): Promise<{machine: OffboardMachineResult; operation?: Operation}> {
  const entry = journalEntry(c.journal, c.given)
  if (entry?.state === 'offboarded') {
    return {machine: machine(entry.name, 'already-offboarded', `Offboarded already (journal, ${entry.at}).`, {operationId: entry.operationId})}
  }

  if (entry?.state === 'pending' && entry.operationId) {
    // An earlier run's action: follow it rather than asking again.
    const earlier = await backend.operations.get(entry.operationId).catch((error: unknown) => {
      if (isAtpError(error) && error.exitCode === 3) return null
      throw error
    })
    if (earlier?.status === 'running') return {machine: machine(entry.name, 'pending', 'The offboarding of an earlier run is still pending.', {operationId: earlier.id}), operation: earlier}
    if (earlier?.status === 'succeeded') {
      recordInJournal(c.journal, {...entry, state: 'offboarded', at: earlier.finishedAt ?? c.at()})
      c.change()
      return {machine: machine(entry.name, 'offboarded', 'Offboarded (the action of an earlier run finished).', {operationId: earlier.id})}
    }

    // Failed, or forgotten by the backend: try again below.
    dropFromJournal(c.journal, c.given)
    c.change()
  }

  let device
  try {
    device = await backend.devices.get(c.given)
  } catch (error) {
    if (isAtpError(error) && error.exitCode === 3) return {machine: machine(c.given, 'unknown', error.message, {code: error.code, exitCode: 3})}
    throw error
  }

  if (isOffboarded(device)) {
    const operationId = device.offboarded?.operationId ?? null
    recordInJournal(c.journal, {name: device.name, state: 'offboarded', operationId, at: device.offboarded?.at ?? c.at()})
    c.change()
    return {machine: machine(device.name, 'already-offboarded', `Offboarded already${device.offboarded ? ` (${device.offboarded.at})` : ''}.`, {operationId})}
  }

  const refusal = offboardRefusal(device)
  if (refusal) return {machine: machine(device.name, 'refused', refusal.message, {code: refusal.code, exitCode: refusal.exitCode})}
  if (c.dryRun) return {machine: machine(device.name, 'would-offboard', `Would be offboarded (${device.osName}).`)}
  let operation: Operation<OffboardResult>
  try {
    operation = await backend.devices.offboard({device: device.name, comment: c.comment})
  } catch (error) {
    // The backend decides again (another admin may have changed the device meanwhile).
    if (isAtpError(error) && (error.exitCode === 3 || error.exitCode === 4)) {
      return {machine: machine(device.name, error.exitCode === 3 ? 'unknown' : 'refused', error.message, {code: error.code, exitCode: error.exitCode})}
    }

    throw error
  }

  recordInJournal(c.journal, {name: device.name, state: 'pending', operationId: operation.id, at: operation.startedAt})
  c.change()
  const submitted = machine(device.name, 'pending', 'Offboarding sent; the machine has not confirmed it yet.', {operationId: operation.id})
  if (operation.status === 'running') return {machine: submitted, operation}
  return {machine: settledResult(submitted, operation, c.journal, c.at, c.change)}
}

/** A submitted machine once its operation is known to have finished (or not). */
function settledResult(result: OffboardMachineResult, operation: Operation, journal: OffboardJournal, at: () => string, change: () => void): OffboardMachineResult {
  if (operation.status === 'running') return result
  if (operation.status === 'succeeded') {
    recordInJournal(journal, {name: result.device, state: 'offboarded', operationId: operation.id, at: operation.finishedAt ?? at()})
    change()
    return {...result, outcome: 'offboarded', reason: 'Offboarded.'}
  }

  dropFromJournal(journal, result.device)
  change()
  const failure = operationFailure(operation)
  return {...result, outcome: 'failed', reason: failure.message, code: failure.code, exitCode: failure.exitCode}
}

/** The names of a `--from-file` list (see parseNameList); a missing file is exit 3, a folder exit 2. */
export async function readNameList(file: string): Promise<string[]> {
  let info
  try {
    info = await stat(file)
  } catch {
    throw new NotFoundError(`The name list '${file}' does not exist.`, {suggestions: ['Pass --from-file a file with one device name per line.']})
  }

  if (!info.isFile()) throw new UsageError(`--from-file '${file}' is not a regular file.`, {suggestions: ['Pass --from-file a file with one device name per line.']})
  return parseNameList(await readFile(file, 'utf8'), file)
}
