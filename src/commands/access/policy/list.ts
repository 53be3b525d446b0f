import {AdminCommand} from '../../../base/command.js'
import {limitFlag} from '../../../base/flags.js'
import type {AccessPolicy} from '../../../core/access/rules.js'
import {listAccessPolicies} from '../../../core/access/service.js'
import {presentAccessPolicies} from '../../../ui/present/access.js'

export default class AccessPolicyList extends AdminCommand<{policies: AccessPolicy[]}> {
  static override summary = 'List conditional access policies, the protected classic one of the Intune connection first.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static override flags = {
    limit: limitFlag('policies'),
  }

  async run(): Promise<{policies: AccessPolicy[]}> {
    const {flags} = await this.parse(AccessPolicyList)
    const result = await listAccessPolicies(await this.backend(), {profile: this.profileName})
    const policies = this.presentList(result.policies, flags.limit, (shown) => presentAccessPolicies(shown))
    return {...result, policies}
  }
}
