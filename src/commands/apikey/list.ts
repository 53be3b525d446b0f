import type {PagedList} from '../../core/port/page.js'
import {AdminCommand} from '../../base/command.js'
import {limitFlag, listLimit} from '../../base/flags.js'
import type {ApiKeyInfo} from '../../core/apikey/rules.js'
import {listApiKeys} from '../../core/apikey/service.js'
import {presentApiKeys} from '../../ui/present/apikey.js'

export default class ApikeyList extends AdminCommand<{keys: PagedList<ApiKeyInfo>}> {
  static override summary = 'List the API keys of this tenant with their roles; never the keys themselves.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static override flags = {
    limit: limitFlag('API keys'),
  }

  async run(): Promise<{keys: PagedList<ApiKeyInfo>}> {
    const {flags} = await this.parse(ApikeyList)
    const result = await listApiKeys(await this.backend(), {limit: listLimit(flags.limit, this.jsonEnabled())})
    await this.presentPaged(result.keys, presentApiKeys)
    return result
  }
}
