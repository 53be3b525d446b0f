import {AdminCommand} from '../../../base/command.js'
import {limitFlag} from '../../../base/flags.js'
import {listAppConfigs} from '../../../core/intune/service.js'
import type {IosAppConfig} from '../../../core/intune/types.js'
import {presentAppConfigs} from '../../../ui/present/intune.js'

export default class IntuneAppConfigList extends AdminCommand<{configs: IosAppConfig[]}> {
  static override summary = 'List app configurations with their targeted app, settings and assignment.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static override flags = {
    limit: limitFlag('app configurations'),
  }

  async run(): Promise<{configs: IosAppConfig[]}> {
    const {flags} = await this.parse(IntuneAppConfigList)
    const result = await listAppConfigs(await this.backend(), {profile: this.profileName})
    const configs = this.presentList(result.configs, flags.limit, (shown) => presentAppConfigs(shown))
    return {...result, configs}
  }
}
