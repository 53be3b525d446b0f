import {AdminCommand} from '../../../base/command.js'
import {limitFlag, listLimit} from '../../../base/flags.js'
import {listAppConfigs} from '../../../core/intune/service.js'
import type {IosAppConfig} from '../../../core/intune/types.js'
import type {PagedList} from '../../../core/port/page.js'
import {presentAppConfigs} from '../../../ui/present/intune.js'

export default class IntuneAppConfigList extends AdminCommand<{configs: PagedList<IosAppConfig>}> {
  static override summary = 'List app configurations with their targeted app, settings and assignment.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static override flags = {
    limit: limitFlag('app configurations'),
  }

  async run(): Promise<{configs: PagedList<IosAppConfig>}> {
    const {flags} = await this.parse(IntuneAppConfigList)
    const result = await listAppConfigs(await this.backend(), {limit: listLimit(flags.limit, this.jsonEnabled()), profile: this.profileName})
    await this.presentPaged(result.configs, presentAppConfigs, {what: 'app configurations'})
    return result
  }
}
