import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {yesFlag} from '../../base/flags.js'
import {UsageError} from '../../core/errors.js'
import {removeProfile, requireProfile} from '../../lib/profiles.js'

export default class ProfileRemove extends AdminCommand<{removed: string; current: string}> {
  static override summary = 'Delete a profile and its embedded tenant database.'
  static override description = 'This deletes the tenant of the profile, its tokens and audit log. It asks first; --yes or --confirm NAME skip the question.'
  static override examples = ['<%= config.bin %> <%= command.id %> lab', '<%= config.bin %> <%= command.id %> lab --confirm lab --json']
  static override args = {name: Args.string({description: 'Profile name.', required: true})}
  static override flags = {
    confirm: Flags.string({description: 'The profile name again, to confirm without a prompt.'}),
    yes: yesFlag,
  }

  async run(): Promise<{removed: string; current: string}> {
    const {args, flags} = await this.parse(ProfileRemove)
    requireProfile(this.home, args.name)
    if (flags.confirm !== undefined && flags.confirm !== args.name) {
      throw new UsageError(`--confirm '${flags.confirm}' does not match the profile '${args.name}'.`)
    }

    await this.confirm(`Delete profile '${args.name}' and its tenant data? This cannot be undone.`, {
      yes: flags.yes || flags.confirm === args.name,
      what: `delete profile '${args.name}'`,
    })
    const result = await removeProfile(this.home, args.name)
    this.log(`Removed profile '${result.removed}'. Current profile: ${result.current}`)
    return result
  }
}
