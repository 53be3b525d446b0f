import {Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {parseDuration} from '../../core/duration.js'
import type {MintedToken} from '../../core/token/rules.js'
import {mintToken} from '../../core/token/service.js'
import {checkSecretTarget, writeSecretFile} from '../../lib/secret-file.js'
import {maskSecret} from '../../ui/mask.js'
import {presentMintedToken} from '../../ui/present/token.js'
import {style} from '../../ui/style.js'

export default class TokenMint extends AdminCommand<{token: MintedToken; secretFile?: string}> {
  static override summary = 'Mint an access token for an enabled third-party provider; the secret is shown once.'
  // TP2: limited validity (default 24h, at most 30d), the secret shown once, only its hash stored.
  static override description = `Give the token to the provider's sensors. Only its hash is stored: copy it now, or write it to a file with --out FILE (the secret alone, owner-only), which --token-file reads. Valid for 24h unless --ttl says otherwise (at most 30d). With --json and no --out, the secret is in token.secret: the only output of atpctl that ever contains a secret unasked.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --provider sentinelone',
    '<%= config.bin %> <%= command.id %> --provider sentinelone --out token.txt',
    '<%= config.bin %> <%= command.id %> --provider bitdefender --ttl 7d --json > token.json',
  ]

  static override flags = {
    provider: Flags.string({description: 'Provider id, e.g. sentinelone (see `atpctl integration list`).', required: true}),
    ttl: Flags.string({description: 'Validity, e.g. 24h, 7d (default 24h, maximum 30d).', default: '24h'}),
    out: Flags.string({description: 'Write the token secret alone to this file (owner-only, 0600) instead of showing it.'}),
    force: Flags.boolean({description: 'Replace the --out file if it exists.', dependsOn: ['out']}),
  }

  async run(): Promise<{token: MintedToken; secretFile?: string}> {
    const {flags} = await this.parse(TokenMint)
    const ttlMs = parseDuration(flags.ttl, '--ttl')
    // Refused before a token exists: a minted token whose secret cannot be kept is a lost one.
    if (flags.out) checkSecretTarget(flags.out, {force: flags.force})
    const result = await mintToken(await this.backend(), {provider: flags.provider, ttlMs, profile: this.profileName})
    if (!flags.out) {
      this.present(() => presentMintedToken(result.token, result.token.secret))
      this.note(style.warn('This is the only time the secret is shown. Store it in the provider console now.'))
      return result
    }

    await writeSecretFile(flags.out, result.token.secret, {force: flags.force})
    const token = {...result.token, secret: maskSecret(result.token.secret)}
    this.present(() => presentMintedToken(token, token.secret))
    this.note(`${style.ok('✓')} Token secret written to ${flags.out} (owner-only); only its hash is stored. Sensors read it with --token-file ${flags.out}.`)
    return {token, secretFile: flags.out}
  }
}
