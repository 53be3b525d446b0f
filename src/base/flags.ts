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
}

/** -y/--yes for commands that ask for confirmation. */
export const yesFlag = Flags.boolean({char: 'y', description: 'Answer yes to the confirmation instead of prompting.'})

/**
 * `--limit` of every list command. Without it a table shows the first DEFAULT_LIMIT rows and
 * says on stderr that more exist (moreFooter); --json lists everything, since a script that
 * reads the document must not get a silently cut list. With it, both show at most N.
 */
export function limitFlag(what: string) {
  return Flags.integer({
    description: `At most this many ${what} (default: ${DEFAULT_LIMIT} in the table, all with --json).`,
    min: 1,
  })
}

/**
 * How many items a listing shows: --limit when given, else DEFAULT_LIMIT in the table and every
 * item with --json (undefined). The items come page by page either way (issue 11 item 6).
 */
export function listLimit(flag: number | undefined, json: boolean): number | undefined {
  return flag ?? (json ? undefined : DEFAULT_LIMIT)
}
