import {Flags} from '@oclif/core'
import type {PagedList} from '../../core/port/page.js'
import {AdminCommand} from '../../base/command.js'
import {limitFlag, listLimit} from '../../base/flags.js'
import type {TokenInfo} from '../../core/token/rules.js'
import {listTokens} from '../../core/token/service.js'
import {presentTokens} from '../../ui/present/token.js'

export default class TokenList extends AdminCommand<{tokens: PagedList<TokenInfo>}> {
  static override summary = 'List tokens with their status (active, expired, revoked) and last use; never their secrets.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --provider sentinelone --json']

  static override flags = {
    limit: limitFlag('tokens'),
    provider: Flags.string({description: 'Only tokens of this provider.'}),
  }

  async run(): Promise<{tokens: PagedList<TokenInfo>}> {
    const {flags} = await this.parse(TokenList)
    const result = await listTokens(await this.backend(), {limit: listLimit(flags.limit, this.jsonEnabled()), provider: flags.provider, profile: this.profileName})
    await this.presentPaged(result.tokens, presentTokens)
    return result
  }
}
