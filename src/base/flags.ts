import {Flags} from '@oclif/core'
import {formatDuration} from '../core/duration.js'
import {DEFAULT_WAIT_MS} from '../core/operation/wait.js'
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

/**
 * `--wait [DURATION]` and `--no-wait` of every command whose write returns an operation (issue
 * 11 item 5). Waiting is the default; `--wait` alone waits the default time (see
 * expandOptionalValues: oclif has no optional flag values). Read them with resolveWait().
 */
export const waitFlags = {
  wait: Flags.string({
    description: `Wait at most this long for the operation to finish (s, m, h or d; default ${formatDuration(DEFAULT_WAIT_MS)}, also for --wait alone); still running then is exit 9.`,
    helpValue: '[DURATION]',
    exclusive: ['no-wait'],
  }),
  'no-wait': Flags.boolean({
    description: 'Do not wait: exit 9 while the operation still runs, and follow it later with `atpctl operation wait ID`.',
    exclusive: ['wait'],
  }),
}

/** What a bare `--wait` stands for (resolveWait reads it as the default duration). */
export const BARE_WAIT = 'default'

/**
 * The command line with a bare `--wait` (last, or followed by another flag or by something that
 * is not a duration, such as a device name) written as `--wait=default`, for commands that have
 * waitFlags. A value that starts with a digit stays the flag's value (`--wait 30` is refused for
 * its missing unit, rather than taken for a device).
 */
export function expandOptionalValues(argv: readonly string[], flags: Record<string, unknown> | undefined): string[] {
  if (flags?.wait !== waitFlags.wait) return [...argv]
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]
    if (token === '--') {
      out.push(...argv.slice(i))
      break
    }

    const next = argv[i + 1]
    out.push(token === '--wait' && (next === undefined || !/^\d/.test(next)) ? `--wait=${BARE_WAIT}` : token)
  }

  return out
}
