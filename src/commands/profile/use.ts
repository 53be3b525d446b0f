import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {useProfile} from '../../lib/profiles.js'

export default class ProfileUse extends AdminCommand<{current: string; created: boolean}> {
  static override summary = 'Make a profile the current one, creating it (local backend) if new.'
  static override examples = ['<%= config.bin %> <%= command.id %> lab', '<%= config.bin %> <%= command.id %> default --json']
  static override args = {name: Args.string({description: 'Profile name.', required: true})}

  async run(): Promise<{current: string; created: boolean}> {
    const {args} = await this.parse(ProfileUse)
    const result = await useProfile(this.home, args.name)
    this.log(`Current profile: ${result.current}${result.created ? ' (new; run `atpctl init` to create its tenant)' : ''}`)
    return result
  }
}
