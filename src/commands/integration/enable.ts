import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {dfcEnableFlags, integrationTargetFlags} from '../../base/integration-flags.js'
import {type Cloud, INTEGRATION_KINDS, parseIntegrationKind} from '../../core/integration/catalogue.js'
import {changeIntegration, type IntegrationChangeResult} from '../../core/integration/service.js'
import {presentIntegrationChange} from '../../ui/present/integration.js'

// Rules (SPEC): DC1, DC2, IN1, IN2, IN3, TP1.
export default class IntegrationEnable extends AdminCommand<IntegrationChangeResult> {
  static override summary = 'Turn an integration on.'
  static override description = `third-party: turns a provider's toggle on; mint a token next.

intune: turns the connection on with per-platform toggles and creates the protected classic conditional access policy.

defender-for-cloud: enables a subscription; a new one gets Windows and Linux together, one with Windows already on gets Linux with --linux.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> third-party --provider sentinelone',
    '<%= config.bin %> <%= command.id %> intune --windows --android',
    '<%= config.bin %> <%= command.id %> defender-for-cloud --subscription 00000000-0000-0000-0000-000000000001 --json',
    '<%= config.bin %> <%= command.id %> defender-for-cloud --subscription 00000000-0000-0000-0000-000000000001 --linux',
  ]

  static override args = {
    kind: Args.string({description: 'Integration kind.', options: [...INTEGRATION_KINDS], required: true}),
  }

  static override flags = {
    ...integrationTargetFlags,
    ...dfcEnableFlags,
    android: Flags.boolean({allowNo: true, description: 'Connect Android 6.0.0 and later (intune).'}),
    ios: Flags.boolean({allowNo: true, description: 'Connect iOS 8.0 and later (intune).'}),
    linux: Flags.boolean({description: 'The one-time "enable for Linux machines" step (defender-for-cloud).'}),
    windows: Flags.boolean({allowNo: true, description: 'Connect Windows 10.0.15063 and later (intune).'}),
  }

  async run(): Promise<IntegrationChangeResult> {
    const {args, flags} = await this.parse(IntegrationEnable)
    const result = await changeIntegration(await this.backend(), {
      kind: parseIntegrationKind(args.kind),
      enabled: true,
      provider: flags.provider,
      subscription: flags.subscription,
      cloud: flags.cloud as Cloud,
      linux: flags.linux,
      windowsOnly: flags['windows-only'],
      platforms: {android: flags.android, ios: flags.ios, windows: flags.windows},
      profile: this.profileName,
    })
    this.present(() => presentIntegrationChange(result))
    if (result.kind === 'third-party' && result.changed) this.note(`Next: atpctl token mint --provider ${result.provider.provider}`)
    return result
  }
}
