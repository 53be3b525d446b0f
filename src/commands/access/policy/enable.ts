import {Args} from '@oclif/core'
import {AdminCommand} from '../../../base/command.js'
import type {AccessPolicy} from '../../../core/access/rules.js'
import {setAccessPolicyEnabled} from '../../../core/access/service.js'
import {presentAccessPolicy} from '../../../ui/present/access.js'

// Rules (SPEC): IN3.
export default class AccessPolicyEnable extends AdminCommand<{policy: AccessPolicy; changed: boolean}> {
  static override summary = 'Enable a custom conditional access policy (the classic one is protected).'
  static override examples = ['<%= config.bin %> <%= command.id %> "Finance only"', '<%= config.bin %> <%= command.id %> "Finance only" --json']
  static override args = {name: Args.string({description: 'Policy name or id.', required: true})}

  async run(): Promise<{policy: AccessPolicy; changed: boolean}> {
    const {args} = await this.parse(AccessPolicyEnable)
    const result = await setAccessPolicyEnabled(await this.backend(), {policy: args.name, enabled: true, profile: this.profileName})
    this.present(() => presentAccessPolicy(result.policy, result.changed ? 'enabled' : 'was already enabled'))
    return result
  }
}
