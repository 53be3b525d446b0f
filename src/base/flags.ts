import {Flags} from '@oclif/core'

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
