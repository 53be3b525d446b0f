import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {createGroup} from '../../core/intune/service.js'
import type {GroupInfo} from '../../core/intune/types.js'
import {presentGroups} from '../../ui/present/intune.js'

export default class GroupCreate extends AdminCommand<{group: GroupInfo; created: boolean}> {
  static override summary = 'Create a group of devices and users to assign EDR profiles, compliance and access policies to.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> Finance --description "Finance laptops and staff"',
    '<%= config.bin %> <%= command.id %> "Sales users" --json',
  ]

  static override args = {name: Args.string({description: 'Group name.', required: true})}
  static override flags = {description: Flags.string({description: 'What the group is for.'})}

  async run(): Promise<{group: GroupInfo; created: boolean}> {
    const {args, flags} = await this.parse(GroupCreate)
    const result = await createGroup(await this.backend(), {name: args.name, description: flags.description, profile: this.profileName})
    this.log(result.created ? `Group '${result.group.name}' created.` : `Group '${result.group.name}' already exists; unchanged.`)
    this.present(() => presentGroups([result.group]))
    return result
  }
}
