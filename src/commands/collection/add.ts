import {AdminCommand} from '../../base/command.js'
import {membershipArgs} from '../../base/collection-membership.js'
import {changeMembers} from '../../core/collection/service.js'
import type {MembershipChange} from '../../core/collection/types.js'
import {presentMembership} from '../../ui/present/collection.js'

export default class CollectionAdd extends AdminCommand<MembershipChange> {
  static override summary = 'Add devices to a collection directly.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> Pilot PC-001 PC-002',
    '<%= config.bin %> <%= command.id %> Pilot SRV-2016-01 --json',
  ]

  static override strict = false
  static override args = membershipArgs

  async run(): Promise<MembershipChange> {
    const {args, argv} = await this.parse(CollectionAdd)
    const devices = (argv as string[]).slice(1)
    const result = await changeMembers(await this.backend(), {name: args.name, devices, action: 'add', profile: this.profileName})
    this.present(() => presentMembership(result, 'add'))
    return result
  }
}
