import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import type {TokenInfo} from '../../core/token/rules.js'
import {revokeToken} from '../../core/token/service.js'
import {presentToken} from '../../ui/present/token.js'

export default class TokenRevoke extends AdminCommand<{token: TokenInfo}> {
  static override summary = 'Revoke a token so its sensors are refused from now on.'
  static override examples = ['<%= config.bin %> <%= command.id %> tok_1a2b3c4d5e6f', '<%= config.bin %> <%= command.id %> tok_1a2b3c4d5e6f --json']

  static override args = {
    id: Args.string({description: 'Token id (see `atpctl token list`).', required: true}),
  }

  async run(): Promise<{token: TokenInfo}> {
    const {args} = await this.parse(TokenRevoke)
    const result = await revokeToken(await this.backend(), {id: args.id, profile: this.profileName})
    this.present(() => presentToken(result.token))
    return result
  }
}
