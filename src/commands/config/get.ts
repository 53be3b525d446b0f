import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {getSetting} from '../../lib/profiles.js'

export default class ConfigGet extends AdminCommand<{key: string; value: string | null; profile: string}> {
  static override summary = "Print one setting of the profile."
  static override examples = ['<%= config.bin %> <%= command.id %> configmgr-version', '<%= config.bin %> <%= command.id %> backend --json']
  static override args = {key: Args.string({description: 'Setting name (see `atpctl config list`).', required: true})}

  async run(): Promise<{key: string; value: string | null; profile: string}> {
    const {args} = await this.parse(ConfigGet)
    const result = getSetting(this.home, this.profileName, args.key)
    this.log(result.value ?? '')
    return result
  }
}
