import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {getSetting} from '../../lib/profiles.js'

export default class ConfigGet extends AdminCommand<ReturnType<typeof getSetting>> {
  static override summary = "Print one setting of the profile (as its ATPCTL_* variable overrides it)."
  static override examples = ['<%= config.bin %> <%= command.id %> configmgr-version', '<%= config.bin %> <%= command.id %> backend --json']
  static override args = {key: Args.string({description: 'Setting name (see `atpctl config list`).', required: true})}

  async run(): Promise<ReturnType<typeof getSetting>> {
    const {args} = await this.parse(ConfigGet)
    const result = getSetting(this.home, this.profileName, args.key, process.env)
    this.log(result.value ?? '')
    return result
  }
}
