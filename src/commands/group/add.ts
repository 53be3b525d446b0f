import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {addGroupMembers} from '../../core/intune/service.js'
import type {GroupDetail} from '../../core/intune/types.js'
import {presentGroup} from '../../ui/present/intune.js'

export default class GroupAdd extends AdminCommand<{group: GroupDetail; added: number}> {
  static override summary = 'Add devices and users to a group.'
  static override description = `Devices are named as in the inventory (atpctl device list); users by UPN. A user-group
assignment of an EDR profile reaches a device only once that user has signed in there (the
inventory's user column).`

  static override examples = [
    '<%= config.bin %> <%= command.id %> Finance --device FIN-LT-001 --device FIN-LT-002',
    '<%= config.bin %> <%= command.id %> "Sales users" --user alice@contoso.com --json',
  ]

  static override args = {group: Args.string({description: 'Group name.', required: true})}
  static override flags = {
    device: Flags.string({description: 'Device name or id to add (repeatable).', multiple: true, default: []}),
    user: Flags.string({description: 'User principal name to add (repeatable).', multiple: true, default: []}),
  }

  async run(): Promise<{group: GroupDetail; added: number}> {
    const {args, flags} = await this.parse(GroupAdd)
    const result = await addGroupMembers(await this.backend(), {group: args.group, devices: flags.device, users: flags.user, profile: this.profileName})
    this.log(`Added ${result.added} member(s) to '${result.group.name}'.\n`)
    this.present(() => presentGroup(result.group))
    return result
  }
}
