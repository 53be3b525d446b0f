import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {yesFlag} from '../../base/flags.js'
import {integrationTargetFlags} from '../../base/integration-flags.js'
import {findProvider, INTEGRATION_KINDS, parseIntegrationKind} from '../../core/integration/catalogue.js'
import {changeIntegration, type IntegrationChangeResult} from '../../core/integration/service.js'
import {presentIntegrationChange} from '../../ui/present/integration.js'
import {style} from '../../ui/style.js'

// Rules (SPEC): DC3, TP3, TP4.
export default class IntegrationDisable extends AdminCommand<IntegrationChangeResult> {
  static override summary = 'Turn an integration off.'
  static override description = `third-party: blocks the provider's inbound data and revokes all its tokens; turning it on again needs a new token on every endpoint. Stop the data push in the provider's own portal first: this toggle only blocks the inbound flow.

intune: turns the whole connection off and removes the classic policy.

defender-for-cloud: disables the whole integration of a subscription; Linux alone cannot be disabled.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> third-party --provider sentinelone --yes',
    '<%= config.bin %> <%= command.id %> defender-for-cloud --subscription 00000000-0000-0000-0000-000000000001 --yes --json',
  ]

  static override args = {
    kind: Args.string({description: 'Integration kind.', options: [...INTEGRATION_KINDS], required: true}),
  }

  static override flags = {
    ...integrationTargetFlags,
    linux: Flags.boolean({description: 'Refused: Linux cannot be disabled on its own.'}),
    yes: yesFlag,
  }

  async run(): Promise<IntegrationChangeResult> {
    const {args, flags} = await this.parse(IntegrationDisable)
    const kind = parseIntegrationKind(args.kind)
    const options = {kind, enabled: false, provider: flags.provider, subscription: flags.subscription, linux: flags.linux, profile: this.profileName}
    if (kind === 'third-party' && flags.provider) {
      const provider = findProvider(flags.provider)
      this.note(
        style.warn(`Warning: stop the data push in the ${provider.name} console first. This toggle only blocks inbound data, and it revokes every ${provider.id} token.`),
      )
      await this.confirm(`Disable the ${provider.name} integration and revoke its tokens?`, {yes: flags.yes, what: `disable ${provider.id}`})
    } else if (!flags.linux && (kind === 'intune' || flags.subscription)) {
      await this.confirm(`Disable the ${kind} integration?`, {yes: flags.yes, what: `disable ${kind}`})
    }

    const result = await changeIntegration(await this.backend(), options)
    this.present(() => presentIntegrationChange(result))
    return result
  }
}
