import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {deleteWithConsent} from '../../base/delete-consent.js'
import {yesFlag} from '../../base/flags.js'
import {deleteEdrProfile} from '../../core/intune/service.js'
import type {EdrProfile} from '../../core/intune/types.js'
import {presentDeletion} from '../../ui/present/intune.js'

type Result = {profile: EdrProfile; changed: true; affects: string[]}

// Rules (SPEC): IN4.
export default class EdrProfileDelete extends AdminCommand<Result> {
  static override summary = 'Delete an EDR profile (asks first when it is assigned).'
  static override description = `An assigned profile is in use: the command says which groups it is assigned to and which
devices it onboards, and asks (pass --yes in scripts). Those devices are no longer onboarded
through it.`

  static override examples = ['<%= config.bin %> <%= command.id %> "EDR pilot"', '<%= config.bin %> <%= command.id %> "EDR onboarding" --yes --json']
  static override args = {name: Args.string({description: 'Profile name or id.', required: true})}
  static override flags = {yes: yesFlag}

  async run(): Promise<Result> {
    const {args, flags} = await this.parse(EdrProfileDelete)
    const backend = await this.backend()
    const result = await deleteWithConsent({
      yes: flags.yes,
      what: `delete EDR profile '${args.name}'`,
      confirm: (message, options) => this.confirm(message, options),
      attempt: (force) => deleteEdrProfile(backend, {name: args.name, force, profile: this.profileName}),
    })
    this.present(() => presentDeletion('EDR profile', result.profile.name, result.affects))
    return result
  }
}
