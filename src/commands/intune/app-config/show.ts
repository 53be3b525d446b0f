import {Args} from '@oclif/core'
import {AdminCommand} from '../../../base/command.js'
import {iosAppConfigGraphBody} from '../../../core/intune/app-config.js'
import {showAppConfig} from '../../../core/intune/service.js'
import type {IosAppConfig} from '../../../core/intune/types.js'
import {presentAppConfig} from '../../../ui/present/intune.js'

type Result = {config: IosAppConfig; graph: Record<string, unknown>}

// Rules (SPEC): IN6.
export default class IntuneAppConfigShow extends AdminCommand<Result> {
  static override summary = 'Show an app configuration: targeted app, settings and assignment (--json adds the Graph body).'
  static override examples = [
    '<%= config.bin %> <%= command.id %> "Defender for iOS: supervised mode"',
    '<%= config.bin %> <%= command.id %> "Defender for iOS: supervised mode" --json',
  ]

  static override args = {name: Args.string({description: 'Configuration name or id.', required: true})}

  async run(): Promise<Result> {
    const {args} = await this.parse(IntuneAppConfigShow)
    const result = await showAppConfig(await this.backend(), {name: args.name, profile: this.profileName})
    this.present(() => presentAppConfig(result.config, null))
    return {...result, graph: iosAppConfigGraphBody(result.config)}
  }
}
