import {Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {parseDuration} from '../../core/duration.js'
import type {MintedToken} from '../../core/token/rules.js'
import {mintToken} from '../../core/token/service.js'
import {presentMintedToken} from '../../ui/present/token.js'
import {style} from '../../ui/style.js'

export default class TokenMint extends AdminCommand<{token: MintedToken}> {
  static override summary = 'Mint an access token for an enabled third-party provider; the secret is shown once.'
  static override description = `Give the token to the provider's sensors (TP2). Only its hash is stored: copy it now. Valid for 24h unless --ttl says otherwise (at most 30d). With --json the secret is in token.secret: the only output of atpctl that ever contains a secret unasked.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --provider sentinelone',
    '<%= config.bin %> <%= command.id %> --provider bitdefender --ttl 7d --json > token.json',
  ]

  static override flags = {
    provider: Flags.string({description: 'Provider id, e.g. sentinelone (see `atpctl integration list`).', required: true}),
    ttl: Flags.string({description: 'Validity, e.g. 24h, 7d (default 24h, maximum 30d).', default: '24h'}),
  }

  async run(): Promise<{token: MintedToken}> {
    const {flags} = await this.parse(TokenMint)
    const result = await mintToken(await this.backend(), {provider: flags.provider, ttlMs: parseDuration(flags.ttl, '--ttl'), profile: this.profileName})
    this.present(() => presentMintedToken(result.token, result.token.secret))
    this.note(style.warn('This is the only time the secret is shown. Store it in the provider console now.'))
    return result
  }
}
