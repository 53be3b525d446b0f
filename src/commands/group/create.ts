import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {createGroup} from '../../core/intune/service.js'
import type {GroupInfo} from '../../core/intune/types.js'
import {outcomeLine, presentGroups} from '../../ui/present/intune.js'

type Result = {group: GroupInfo; created: boolean; changed: boolean}

export default class GroupCreate extends AdminCommand<Result> {
  static override summary = 'Create a group of devices and users to assign EDR profiles, compliance and access policies to.'
  static override description = `The same create again changes nothing (exit 0, "changed": false); the name with another
description is a conflict (exit 4): change it with atpctl group update.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> Finance --description "Finance laptops and staff"',
    '<%= config.bin %> <%= command.id %> "Sales users" --json',
  ]

  static override args = {name: Args.string({description: 'Group name.', required: true})}
  static override flags = {description: Flags.string({description: 'What the group is for.'})}

  async run(): Promise<Result> {
    const {args, flags} = await this.parse(GroupCreate)
    const result = await createGroup(await this.backend(), {name: args.name, description: flags.description, profile: this.profileName})
    this.log(outcomeLine('Group', result.group.name, 'created', result.changed))
    this.present(() => presentGroups([result.group]))
    return result
  }
}
