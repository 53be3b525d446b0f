import type {PagedList} from '../../../core/port/page.js'
import {AdminCommand} from '../../../base/command.js'
import {limitFlag, listLimit} from '../../../base/flags.js'
import type {AccessPolicy} from '../../../core/access/rules.js'
import {listAccessPolicies} from '../../../core/access/service.js'
import {presentAccessPolicies} from '../../../ui/present/access.js'

export default class AccessPolicyList extends AdminCommand<{policies: PagedList<AccessPolicy>}> {
  static override summary = 'List conditional access policies, the protected classic one of the Intune connection first.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static override flags = {
    limit: limitFlag('policies'),
  }

  async run(): Promise<{policies: PagedList<AccessPolicy>}> {
    const {flags} = await this.parse(AccessPolicyList)
    const result = await listAccessPolicies(await this.backend(), {limit: listLimit(flags.limit, this.jsonEnabled()), profile: this.profileName})
    await this.presentPaged(result.policies, presentAccessPolicies)
    return result
  }
}
