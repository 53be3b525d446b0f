/**
 * Offboarding devices (issue 12; seed 001 "offboarding", DC9). Pure rules, shared by every
 * backend (the embedded one applies them inside its write, a real tenant before it sends the
 * offboard machine action) and by `device offboard --dry-run`:
 * - which devices the action can offboard: Windows clients and servers only; Linux and macOS
 *   machines are refused (the API does not offboard them, REFERENCE §8.3), and so are mobile
 *   devices (they leave through Intune or by removing the app); a device that is not onboarded
 *   has nothing to offboard;
 * - the comment: required (the API answers 400 without one), stored, no control characters;
 * - the journal of a bulk run, so that a rerun skips machines already offboarded or pending.
 */
import {InvalidInputError, RuleError, UsageError} from '../errors.js'
import {escapeName, NAME_RULES, type NameRule, nameKey, requireName} from '../names.js'
import type {Device} from './types.js'

export interface OffboardRequest {
  /** Device name (case-insensitive), as the inventory has it. */
  device: string
  comment: string
}

/** What an offboarding operation did, in its `result`. */
export interface OffboardResult {
  device: string
  /** Known when the backend looked the device up (a real tenant's machine action does not name it). */
  osName?: string
  comment: string
  offboardedAt: string
}

/** The reason code of the agent model for a device offboarded by the machine action (core/device/onboarding.ts). */
export const OFFBOARDED_CODE = 'offboarded'

export const OFFBOARD_COMMENT_RULE: NameRule = {label: 'offboarding comment', max: 1000}

/** The comment, trimmed; exit 2 when it is missing, too long or holds control characters. */
export function requireOffboardComment(comment: string | undefined): string {
  if (comment === undefined || comment.trim() === '') {
    throw new UsageError('An offboarding needs a comment (why the machine leaves).', {suggestions: ['Pass --comment "decommissioned, ticket 4711".']})
  }

  return requireName(comment, OFFBOARD_COMMENT_RULE)
}

export type OffboardDevice = Pick<Device, 'name' | 'osFamily' | 'osName' | 'onboarded' | 'onboarding'>

/** Whether the device is offboarded already (by an earlier offboard action). */
export const isOffboarded = (device: Pick<Device, 'onboarding'>): boolean => device.onboarding.reasonCode === OFFBOARDED_CODE

/**
 * Why the offboard action cannot offboard this device, as the error to throw, or null when it
 * can (or did already: see isOffboarded). One rule for every backend and for --dry-run.
 */
export function offboardRefusal(device: OffboardDevice): RuleError | null {
  if (isOffboarded(device)) return null
  const name = escapeName(device.name)
  switch (device.osFamily) {
    case 'linux':
    case 'macos': {
      const os = device.osFamily === 'linux' ? 'linux' : 'macos'
      return new RuleError(
        'OFFBOARD_PLATFORM',
        `Device '${name}' runs ${escapeName(device.osName)}: the offboard action does not offboard Linux or macOS machines.`,
        {
          suggestions: [
            `Run the offboarding package on the machine: atpctl package generate offboarding --os ${os} --method local-script --out offboarding.zip`,
            'On a real tenant, download it from the Microsoft Defender portal: Settings > Endpoints > Device management > Offboarding.',
          ],
        },
      )
    }

    case 'ios':
    case 'android': {
      return new RuleError('OFFBOARD_PLATFORM', `Device '${name}' is a mobile device (${escapeName(device.osName)}): the offboard action does not offboard mobile devices.`, {
        suggestions: ['Remove the Defender app from the device, or its platform from the Intune connection: atpctl integration enable intune --no-ios (or --no-android)'],
      })
    }

    default: {
      break
    }
  }

  if (!device.onboarded) {
    return new RuleError('NOT_ONBOARDED', `Device '${name}' is not onboarded, so there is nothing to offboard.`, {
      suggestions: [`See why: atpctl device show "${name}"`],
    })
  }

  return null
}

// ---------------------------------------------------------------------------------------------
// The journal of a bulk offboarding: one file per profile, rewritten whole (temp file + rename).

export type JournalState = 'pending' | 'offboarded'

export interface JournalEntry {
  /** The device name as the backend spells it. */
  name: string
  state: JournalState
  operationId: string | null
  at: string
}

export interface OffboardJournal {
  version: 1
  profile: string
  /** The backend the entries are about (its location); entries of another backend are ignored. */
  backend: string
  /** By name key (case-insensitive). */
  machines: Record<string, JournalEntry>
}

export function emptyJournal(profile: string, backend: string): OffboardJournal {
  return {version: 1, profile, backend, machines: {}}
}

/**
 * The journal in `text` (null: none yet). A journal of another backend (the profile was pointed
 * elsewhere) starts afresh; one that is not a journal is refused (exit 7): removing it is safe,
 * since a backend never offboards a machine twice.
 */
export function parseJournal(text: string | null, options: {profile: string; backend: string; path: string}): OffboardJournal {
  if (text === null) return emptyJournal(options.profile, options.backend)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = null
  }

  const journal = parsed as Partial<OffboardJournal> | null
  const valid =
    journal !== null &&
    typeof journal === 'object' &&
    journal.version === 1 &&
    typeof journal.backend === 'string' &&
    typeof journal.machines === 'object' &&
    journal.machines !== null &&
    Object.values(journal.machines).every(
      (e) => typeof e === 'object' && e !== null && typeof e.name === 'string' && (e.state === 'pending' || e.state === 'offboarded') && typeof e.at === 'string',
    )
  if (!valid) {
    throw new InvalidInputError(`The offboarding journal '${options.path}' is not one atpctl wrote.`, {
      code: 'JOURNAL_INVALID',
      suggestions: [`Remove it and run again (machines already offboarded are found again, never offboarded twice): rm '${options.path}'`],
    })
  }

  if (journal.backend !== options.backend) return emptyJournal(options.profile, options.backend)
  return {version: 1, profile: options.profile, backend: journal.backend, machines: {...journal.machines}} as OffboardJournal
}

export function journalEntry(journal: OffboardJournal, name: string): JournalEntry | undefined {
  return journal.machines[nameKey(name)]
}

export function recordInJournal(journal: OffboardJournal, entry: JournalEntry): void {
  journal.machines[nameKey(entry.name)] = entry
}

export function dropFromJournal(journal: OffboardJournal, name: string): void {
  delete journal.machines[nameKey(name)]
}

// ---------------------------------------------------------------------------------------------
// A bulk run's per-machine outcomes and how the command ends.

export type OffboardOutcome = 'offboarded' | 'already-offboarded' | 'pending' | 'would-offboard' | 'refused' | 'unknown' | 'failed'

/** Outcomes that count as done: the machine is (or, for a dry run, would be) offboarded. */
export const DONE_OUTCOMES: readonly OffboardOutcome[] = ['offboarded', 'already-offboarded', 'would-offboard']

export interface OffboardMachineResult {
  /** The name as the backend spells it (as given when unknown). */
  device: string
  outcome: OffboardOutcome
  /** One sentence: what happened, or why not. */
  reason: string
  /** The error code of a refusal or failure, else null. */
  code: string | null
  /** The exit code of a refusal or failure (4 refused, 3 unknown, a failed action's own), else null. */
  exitCode: number | null
  operationId: string | null
}

export type OffboardSummary = Record<OffboardOutcome, number> & {total: number}

export function summarise(results: readonly OffboardMachineResult[]): OffboardSummary {
  const summary: OffboardSummary = {total: results.length, offboarded: 0, 'already-offboarded': 0, pending: 0, 'would-offboard': 0, refused: 0, unknown: 0, failed: 0}
  for (const r of results) summary[r.outcome]++
  return summary
}

/**
 * How a bulk run ends: null when every machine is done; else the error naming the machines
 * that are not. A refusal by a rule is exit 4 (the commonest fix is to leave the machine out),
 * unknown machines exit 3, a failed action its own code; with none of those, machines still
 * pending are exit 9 (`atpctl operation wait` follows them, a rerun skips them).
 */
export function offboardEnding(results: readonly OffboardMachineResult[]): {exitCode: number; code: string; message: string; suggestions: string[]} | null {
  const named = (outcome: OffboardOutcome) => results.filter((r) => r.outcome === outcome)
  const list = (rs: OffboardMachineResult[]) => rs.slice(0, 5).map((r) => escapeName(r.device)).join(', ') + (rs.length > 5 ? `, … (${rs.length} in all)` : '')
  const refused = named('refused')
  const unknown = named('unknown')
  const failed = named('failed')
  const pending = named('pending')
  const parts: string[] = []
  if (refused.length > 0) parts.push(`${refused.length} refused (${list(refused)})`)
  if (unknown.length > 0) parts.push(`${unknown.length} not in the inventory (${list(unknown)})`)
  if (failed.length > 0) parts.push(`${failed.length} failed (${list(failed)})`)
  if (pending.length > 0) parts.push(`${pending.length} still pending (${list(pending)})`)
  if (parts.length === 0) return null
  const done = results.filter((r) => DONE_OUTCOMES.includes(r.outcome)).length
  const message = `${done} of ${results.length} device(s) offboarded; ${parts.join(', ')}.`
  const suggestions: string[] = []
  if (refused.length > 0) suggestions.push('Leave the refused machines out; the table says why each one was refused.')
  if (unknown.length > 0) suggestions.push('Check the names: atpctl device list')
  if (failed.length > 0 || pending.length > 0) suggestions.push('Run the same command again: machines already offboarded or pending are skipped, the others retried.')
  if (pending.length > 0 && pending[0].operationId) suggestions.push(`Follow one: atpctl operation wait ${pending[0].operationId}`)
  if (refused.length > 0) return {exitCode: 4, code: 'OFFBOARD_REFUSED', message, suggestions}
  if (unknown.length > 0) return {exitCode: 3, code: 'NOT_FOUND', message, suggestions}
  if (failed.length > 0) return {exitCode: failed[0].exitCode ?? 4, code: failed[0].code ?? 'OFFBOARD_FAILED', message, suggestions}
  return {exitCode: 9, code: 'STILL_RUNNING', message, suggestions}
}

/**
 * The device names of `--from-file` text: one per line, `#` starts a comment, blank lines and
 * surrounding spaces ignored; each checked by the device-name rule (line number on error, exit 7).
 */
export function parseNameList(text: string, file: string): string[] {
  const names: string[] = []
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/)
  for (const [index, raw] of lines.entries()) {
    const hash = raw.indexOf('#')
    const name = (hash === -1 ? raw : raw.slice(0, hash)).trim()
    if (name === '') continue
    try {
      names.push(requireName(name, NAME_RULES.device))
    } catch (error) {
      throw new InvalidInputError(`${file} line ${index + 1}: ${(error as Error).message}`, {code: 'INVALID_NAME_LIST', suggestions: ['Put one device name on each line; # starts a comment.']})
    }
  }

  return names
}

/** Names in order, each once (case-insensitive). */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Set<string>()
  return names.filter((n) => {
    const key = nameKey(n)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
