import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {INTEGRATION_KINDS, parseIntegrationKind} from '../../core/integration/catalogue.js'
import {type IntegrationShowResult, showIntegration} from '../../core/integration/service.js'
import {presentIntegrationShow} from '../../ui/present/integration.js'

export default class IntegrationShow extends AdminCommand<IntegrationShowResult> {
  static override summary = 'Show one integration kind in detail.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> third-party --provider sentinelone',
    '<%= config.bin %> <%= command.id %> intune --json',
  ]

  static override args = {
    kind: Args.string({description: 'Integration kind.', options: [...INTEGRATION_KINDS], required: true}),
  }

  static override flags = {
    provider: Flags.string({description: 'Only this third-party provider.'}),
  }

  async run(): Promise<IntegrationShowResult> {
    const {args, flags} = await this.parse(IntegrationShow)
    const result = await showIntegration(await this.backend(), {kind: parseIntegrationKind(args.kind), provider: flags.provider, profile: this.profileName})
    this.present(() => presentIntegrationShow(result))
    return result
  }
}
