import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {yesFlag} from '../../base/flags.js'
import type {TokenInfo} from '../../core/token/rules.js'
import {revokeToken} from '../../core/token/service.js'
import {presentToken} from '../../ui/present/token.js'

export default class TokenRevoke extends AdminCommand<{token: TokenInfo; changed: boolean}> {
  static override summary = 'Revoke a token so its sensors are refused from now on.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> tok_1a2b3c4d5e6f',
    '<%= config.bin %> <%= command.id %> tok_1a2b3c4d5e6f --yes --json',
  ]

  static override args = {
    id: Args.string({description: 'Token id (see `atpctl token list`).', required: true}),
  }

  static override flags = {yes: yesFlag}

  async run(): Promise<{token: TokenInfo; changed: boolean}> {
    const {args, flags} = await this.parse(TokenRevoke)
    await this.confirm(`Revoke token '${args.id}'? Sensors that use it are refused until they get a new one.`, {
      yes: flags.yes,
      what: `revoke token '${args.id}'`,
    })
    const result = await revokeToken(await this.backend(), {id: args.id, profile: this.profileName})
    if (!result.changed) this.log(`Token '${result.token.id}' was already revoked; unchanged.`)
    this.present(() => presentToken(result.token))
    return result
  }
}
