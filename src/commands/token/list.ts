import {Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {limitFlag} from '../../base/flags.js'
import type {TokenInfo} from '../../core/token/rules.js'
import {listTokens} from '../../core/token/service.js'
import {presentTokens} from '../../ui/present/token.js'

export default class TokenList extends AdminCommand<{tokens: TokenInfo[]}> {
  static override summary = 'List tokens with their status (active, expired, revoked) and last use; never their secrets.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --provider sentinelone --json']

  static override flags = {
    limit: limitFlag('tokens'),
    provider: Flags.string({description: 'Only tokens of this provider.'}),
  }

  async run(): Promise<{tokens: TokenInfo[]}> {
    const {flags} = await this.parse(TokenList)
    const result = await listTokens(await this.backend(), {provider: flags.provider, profile: this.profileName})
    const tokens = this.presentList(result.tokens, flags.limit, (shown) => presentTokens(shown))
    return {...result, tokens}
  }
}
