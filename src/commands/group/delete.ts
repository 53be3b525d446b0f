import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {deleteWithConsent} from '../../base/delete-consent.js'
import {yesFlag} from '../../base/flags.js'
import {deleteGroup} from '../../core/intune/service.js'
import type {GroupInfo} from '../../core/intune/types.js'
import {presentDeletion} from '../../ui/present/intune.js'

type Result = {group: GroupInfo; changed: true; affects: string[]; stillInInventory: boolean}

export default class GroupDelete extends AdminCommand<Result> {
  static override summary = 'Delete a group and its explicit members (asks first when policies, profiles or app configurations name it).'
  static override description = `A group that EDR profiles, compliance or conditional access policies or app configurations
name is in use: the command says what names it and asks (pass --yes in scripts). They keep
the name and reach nobody through it. A group the device inventory's groups column also names
stays listed for those devices; one that only the inventory names cannot be deleted here.`

  static override examples = ['<%= config.bin %> <%= command.id %> Lab', '<%= config.bin %> <%= command.id %> Finance --yes --json']
  static override args = {name: Args.string({description: 'Group name.', required: true})}
  static override flags = {yes: yesFlag}

  async run(): Promise<Result> {
    const {args, flags} = await this.parse(GroupDelete)
    const backend = await this.backend()
    const result = await deleteWithConsent({
      yes: flags.yes,
      what: `delete group '${args.name}'`,
      confirm: (message, options) => this.confirm(message, options),
      attempt: (force) => deleteGroup(backend, {name: args.name, force, profile: this.profileName}),
    })
    const notes = result.stillInInventory ? [`It stays listed: the device inventory's groups column still names '${result.group.name}'.`] : []
    this.present(() => presentDeletion('group', result.group.name, result.affects, notes))
    return result
  }
}
