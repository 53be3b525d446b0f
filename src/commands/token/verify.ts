import {Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import type {TokenVerification} from '../../core/token/rules.js'
import {verifyToken} from '../../core/token/service.js'
import {readSecretFile, readStdin} from '../../lib/secret-input.js'
import {presentToken} from '../../ui/present/token.js'
import {style} from '../../ui/style.js'

export default class TokenVerify extends AdminCommand<TokenVerification> {
  static override summary = 'Check a token read from stdin: exit 0 when valid, 5 when invalid, expired or revoked.'
  static override examples = [
    'echo "$TOKEN" | <%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --token-file token.txt --json',
  ]

  static override flags = {
    'token-file': Flags.string({description: 'Read the token from this file instead of stdin.'}),
  }

  async run(): Promise<TokenVerification> {
    const {flags} = await this.parse(TokenVerify)
    let secret: string
    if (flags['token-file']) secret = readSecretFile(flags['token-file'])
    else if (process.stdin.isTTY && this.io.canPrompt) secret = await this.prompter.password('Token')
    else if (process.stdin.isTTY) {
      this.requireInteractive('the token on stdin (or --token-file)', 'the token to verify')
      secret = ''
    } else secret = await readStdin()
    const result = await verifyToken(await this.backend(), {secret, profile: this.profileName})
    this.log(`${style.ok('Valid')} token of ${result.token?.provider}`)
    const {token} = result
    if (token) this.present(() => presentToken(token))
    return result
  }
}
