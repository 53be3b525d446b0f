import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {removeGroupMembers} from '../../core/intune/service.js'
import type {GroupDetail} from '../../core/intune/types.js'
import {presentGroup} from '../../ui/present/intune.js'

export default class GroupRemove extends AdminCommand<{group: GroupDetail; removed: number}> {
  static override summary = 'Remove explicit device and user members from a group.'
  static override description = 'Memberships that come from the inventory groups column change only with the inventory.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> Finance --device FIN-LT-002',
    '<%= config.bin %> <%= command.id %> "Sales users" --user alice@contoso.com --json',
  ]

  static override args = {group: Args.string({description: 'Group name.', required: true})}
  static override flags = {
    device: Flags.string({description: 'Device name or id to remove (repeatable).', multiple: true, default: []}),
    user: Flags.string({description: 'User principal name to remove (repeatable).', multiple: true, default: []}),
  }

  async run(): Promise<{group: GroupDetail; removed: number}> {
    const {args, flags} = await this.parse(GroupRemove)
    const result = await removeGroupMembers(await this.backend(), {group: args.group, devices: flags.device, users: flags.user, profile: this.profileName})
    this.log(`Removed ${result.removed} member(s) from '${result.group.name}'.\n`)
    this.present(() => presentGroup(result.group))
    return result
  }
}
