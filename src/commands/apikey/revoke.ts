import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {yesFlag} from '../../base/flags.js'
import type {ApiKeyInfo} from '../../core/apikey/rules.js'
import {revokeApiKey} from '../../core/apikey/service.js'
import {presentApiKey} from '../../ui/present/apikey.js'

export default class ApikeyRevoke extends AdminCommand<{key: ApiKeyInfo; changed: boolean}> {
  static override summary = 'Revoke an API key: the server refuses it from the next request on.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> ci-runner --yes',
    '<%= config.bin %> <%= command.id %> key_1a2b3c4d5e6f --yes --json',
  ]

  static override args = {
    key: Args.string({description: 'Key id or name (see `atpctl apikey list`).', required: true}),
  }

  static override flags = {yes: yesFlag}

  async run(): Promise<{key: ApiKeyInfo; changed: boolean}> {
    const {args, flags} = await this.parse(ApikeyRevoke)
    await this.confirm(`Revoke API key '${args.key}'? Whoever uses it loses access.`, {yes: flags.yes, what: `revoke API key '${args.key}'`})
    const result = await revokeApiKey(await this.backend(), {idOrName: args.key})
    if (!result.changed) this.log(`API key '${result.key.name}' was already revoked; unchanged.`)
    this.present(() => presentApiKey(result.key))
    return result
  }
}
