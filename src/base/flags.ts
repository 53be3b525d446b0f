import {Flags} from '@oclif/core'
import {DEFAULT_LIMIT} from '../ui/table.js'

export {DEFAULT_LIMIT} from '../ui/table.js'

/** Flags every command has (besides --json, which oclif adds). */
export const globalFlags = {
  profile: Flags.string({
    description: 'Profile to use (default: the current profile, see `atpctl profile list`).',
    env: 'ATPCTL_PROFILE',
    helpGroup: 'GLOBAL',
  }),
  'no-input': Flags.boolean({
    description: 'Never prompt; fail with the flag to pass instead (implied by CI and --json).',
    helpGroup: 'GLOBAL',
  }),
  verbose: Flags.boolean({
    description: "Print each request to a real tenant's APIs on stderr: method, path, status, time, retries (never a token).",
    helpGroup: 'GLOBAL',
  }),
}

/** -y/--yes for commands that ask for confirmation. */
export const yesFlag = Flags.boolean({char: 'y', description: 'Answer yes to the confirmation instead of prompting.'})

/**
 * `--limit` of every list command. Without it a table shows the first DEFAULT_LIMIT rows and
 * says how many more there are (moreFooter); --json lists everything, since a script that
 * reads the document must not get a silently cut list. With it, both show at most N.
 */
export function limitFlag(what: string) {
  return Flags.integer({
    description: `At most this many ${what} (default: ${DEFAULT_LIMIT} in the table, all with --json).`,
    min: 1,
  })
}

/**
 * How many rows to ask the backend for: one more than are shown, so a table knows whether
 * there are more. undefined: all (--json without --limit).
 */
export function listLimit(flag: number | undefined, json: boolean): {fetch?: number; show?: number} {
  if (flag !== undefined) return {fetch: json ? flag : flag + 1, show: flag}
  return json ? {} : {fetch: DEFAULT_LIMIT + 1, show: DEFAULT_LIMIT}
}

/**
 * Cuts a fetched list to what is shown. `from: 'end'` keeps the last rows (the newest N of an
 * oldest-first list, as `audit list`).
 */
export function cutList<T>(items: T[], show: number | undefined, from: 'start' | 'end' = 'start'): {items: T[]; more: boolean} {
  if (show === undefined || items.length <= show) return {items, more: false}
  return {items: from === 'start' ? items.slice(0, show) : items.slice(items.length - show), more: true}
}
