import {Args} from '@oclif/core'
import {AdminCommand} from '../../../base/command.js'
import type {AccessPolicy} from '../../../core/access/rules.js'
import {showAccessPolicy} from '../../../core/access/service.js'
import {presentAccessPolicyDetail} from '../../../ui/present/access.js'

export default class AccessPolicyShow extends AdminCommand<{policy: AccessPolicy}> {
  static override summary = 'Show a conditional access policy: users, cloud apps, client apps, grant and state.'
  static override examples = ['<%= config.bin %> <%= command.id %> "Require compliant device"', '<%= config.bin %> <%= command.id %> "Require compliant device" --json']
  static override args = {name: Args.string({description: 'Policy name or id.', required: true})}

  async run(): Promise<{policy: AccessPolicy}> {
    const {args} = await this.parse(AccessPolicyShow)
    const result = await showAccessPolicy(await this.backend(), {policy: args.name, profile: this.profileName})
    this.present(() => presentAccessPolicyDetail(result.policy))
    return result
  }
}
