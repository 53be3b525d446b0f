import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {setSetting} from '../../lib/profiles.js'

export default class ConfigSet extends AdminCommand<{key: string; value: string; profile: string}> {
  static override summary = 'Change one setting of the profile.'
  static override examples = ['<%= config.bin %> <%= command.id %> configmgr-version 2002', '<%= config.bin %> <%= command.id %> configmgr-version 2103 --profile lab --json']
  static override args = {
    key: Args.string({description: 'Setting name (see `atpctl config list`).', required: true}),
    value: Args.string({description: 'New value.', required: true}),
  }

  async run(): Promise<{key: string; value: string; profile: string}> {
    const {args} = await this.parse(ConfigSet)
    const result = await setSetting(this.home, this.profileName, args.key, args.value)
    this.note(`Set ${result.key} = ${result.value} for profile '${result.profile}'.`)
    return result
  }
}
