import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {updateGroup} from '../../core/intune/service.js'
import type {GroupInfo} from '../../core/intune/types.js'
import {outcomeLine, presentGroups} from '../../ui/present/intune.js'

type Result = {group: GroupInfo; changed: boolean}

export default class GroupUpdate extends AdminCommand<Result> {
  static override summary = "Change a group's description."
  static override description = `Members change with atpctl group add and atpctl group remove. The same description again
changes nothing ("changed": false). A group that only the device inventory names becomes one
managed by atpctl.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> Finance --description "Finance laptops and staff"',
    '<%= config.bin %> <%= command.id %> Finance --description "" --json',
  ]

  static override args = {name: Args.string({description: 'Group name.', required: true})}
  static override flags = {description: Flags.string({description: 'The new description ("" removes it).', required: true})}

  async run(): Promise<Result> {
    const {args, flags} = await this.parse(GroupUpdate)
    const result = await updateGroup(await this.backend(), {name: args.name, description: flags.description, profile: this.profileName})
    this.log(outcomeLine('Group', result.group.name, 'updated', result.changed))
    this.present(() => presentGroups([result.group]))
    return result
  }
}
