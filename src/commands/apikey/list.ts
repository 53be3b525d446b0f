import {AdminCommand} from '../../base/command.js'
import {limitFlag} from '../../base/flags.js'
import type {ApiKeyInfo} from '../../core/apikey/rules.js'
import {listApiKeys} from '../../core/apikey/service.js'
import {presentApiKeys} from '../../ui/present/apikey.js'

export default class ApikeyList extends AdminCommand<{keys: ApiKeyInfo[]}> {
  static override summary = 'List the API keys of this tenant with their roles; never the keys themselves.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static override flags = {
    limit: limitFlag('API keys'),
  }

  async run(): Promise<{keys: ApiKeyInfo[]}> {
    const {flags} = await this.parse(ApikeyList)
    const result = await listApiKeys(await this.backend())
    const keys = this.presentList(result.keys, flags.limit, (shown) => presentApiKeys(shown))
    return {...result, keys}
  }
}
