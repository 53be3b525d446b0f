import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {showGroup} from '../../core/intune/service.js'
import type {GroupDetail} from '../../core/intune/types.js'
import {presentGroup} from '../../ui/present/intune.js'

export default class GroupShow extends AdminCommand<{group: GroupDetail}> {
  static override summary = 'Show a group and its device and user members.'
  static override examples = ['<%= config.bin %> <%= command.id %> Finance', '<%= config.bin %> <%= command.id %> Finance --json']
  static override args = {name: Args.string({description: 'Group name.', required: true})}

  async run(): Promise<{group: GroupDetail}> {
    const {args} = await this.parse(GroupShow)
    const result = await showGroup(await this.backend(), {name: args.name, profile: this.profileName})
    this.present(() => presentGroup(result.group))
    return result
  }
}
