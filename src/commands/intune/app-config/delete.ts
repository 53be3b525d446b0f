import {Args} from '@oclif/core'
import {AdminCommand} from '../../../base/command.js'
import {deleteWithConsent} from '../../../base/delete-consent.js'
import {yesFlag} from '../../../base/flags.js'
import {deleteAppConfig} from '../../../core/intune/service.js'
import type {IosAppConfig} from '../../../core/intune/types.js'
import {presentDeletion} from '../../../ui/present/intune.js'

type Result = {config: IosAppConfig; changed: true; affects: string[]}

// Rules (SPEC): IN6.
export default class IntuneAppConfigDelete extends AdminCommand<Result> {
  static override summary = 'Delete an app configuration (it is always assigned, so this asks first; --yes in scripts).'
  static override examples = [
    '<%= config.bin %> <%= command.id %> "Defender for iOS: supervised mode"',
    '<%= config.bin %> <%= command.id %> "Defender for iOS: supervised mode" --yes --json',
  ]

  static override args = {name: Args.string({description: 'Configuration name or id.', required: true})}
  static override flags = {yes: yesFlag}

  async run(): Promise<Result> {
    const {args, flags} = await this.parse(IntuneAppConfigDelete)
    const backend = await this.backend()
    const result = await deleteWithConsent({
      yes: flags.yes,
      what: `delete app configuration '${args.name}'`,
      confirm: (message, options) => this.confirm(message, options),
      attempt: (force) => deleteAppConfig(backend, {name: args.name, force, profile: this.profileName}),
    })
    this.present(() => presentDeletion('app configuration', result.config.name, result.affects))
    return result
  }
}
