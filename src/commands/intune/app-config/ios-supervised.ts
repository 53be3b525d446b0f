import {Flags} from '@oclif/core'
import {AdminCommand} from '../../../base/command.js'
import {iosAppConfigGraphBody, IOS_SUPERVISED} from '../../../core/intune/app-config.js'
import {createIosSupervisedConfig} from '../../../core/intune/service.js'
import type {IosAppConfig} from '../../../core/intune/types.js'
import {outcomeLine, presentAppConfig} from '../../../ui/present/intune.js'

type Result = {config: IosAppConfig; created: boolean; changed: boolean; graph: Record<string, unknown>}

// Rules (SPEC): IN6.
export default class IntuneAppConfigIosSupervised extends AdminCommand<Result> {
  static override summary = 'Create the iOS app configuration that tells Defender whether a device is supervised.'
  static override description = `A managed-devices app configuration for Microsoft Defender for iOS with the key
issupervised, value type string, value {{issupervised}}. Targeted at all devices unless
--assign-group says otherwise. Running it again with the same name and target changes nothing
(exit 0, "changed": false); the name with another target is a conflict (exit 4): retarget it
with atpctl intune app-config update.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --name "Defender iOS supervised" --assign-group "iOS fleet" --json',
  ]

  static override flags = {
    name: Flags.string({description: 'Configuration name.', default: IOS_SUPERVISED.defaultName}),
    'assign-group': Flags.string({description: 'Group to target instead of all devices.'}),
  }

  async run(): Promise<Result> {
    const {flags} = await this.parse(IntuneAppConfigIosSupervised)
    const result = await createIosSupervisedConfig(await this.backend(), {name: flags.name, assignGroup: flags['assign-group'], profile: this.profileName})
    this.present(() => presentAppConfig(result.config, outcomeLine('App configuration', result.config.name, 'created', result.changed)))
    return {...result, graph: iosAppConfigGraphBody(result.config)}
  }
}
