import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../../base/command.js'
import {UsageError} from '../../../core/errors.js'
import {updateAppConfig} from '../../../core/intune/service.js'
import type {IosAppConfig} from '../../../core/intune/types.js'
import {outcomeLine, presentAppConfig} from '../../../ui/present/intune.js'

type Result = {config: IosAppConfig; changed: boolean}

// Rules (SPEC): IN6.
export default class IntuneAppConfigUpdate extends AdminCommand<Result> {
  static override summary = 'Retarget an app configuration: a group, or all devices.'
  static override description = `The settings of the supervised-mode configuration are fixed (key issupervised, value
{{issupervised}}); what changes is whom it targets. The same target again changes nothing
("changed": false).`

  static override examples = [
    '<%= config.bin %> <%= command.id %> "Defender for iOS: supervised mode" --assign-group "iOS fleet"',
    '<%= config.bin %> <%= command.id %> "Defender for iOS: supervised mode" --all-devices --json',
  ]

  static override args = {name: Args.string({description: 'Configuration name or id.', required: true})}
  static override flags = {
    'assign-group': Flags.string({description: 'Group to target.', exclusive: ['all-devices']}),
    'all-devices': Flags.boolean({description: 'Target all devices (the recommended default).', default: false}),
  }

  async run(): Promise<Result> {
    const {args, flags} = await this.parse(IntuneAppConfigUpdate)
    if (flags['assign-group'] === undefined && !flags['all-devices']) {
      throw new UsageError('Nothing to change.', {suggestions: ['Pass --assign-group GROUP, or --all-devices.']})
    }

    const result = await updateAppConfig(await this.backend(), {name: args.name, assignGroup: flags['all-devices'] ? null : flags['assign-group']!, profile: this.profileName})
    this.present(() => presentAppConfig(result.config, outcomeLine('App configuration', result.config.name, 'updated', result.changed)))
    return result
  }
}
