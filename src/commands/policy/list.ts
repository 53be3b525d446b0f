import type {PagedList} from '../../core/port/page.js'
import {AdminCommand} from '../../base/command.js'
import {limitFlag, listLimit} from '../../base/flags.js'
import {listPolicies} from '../../core/policy/service.js'
import type {Policy} from '../../core/policy/types.js'
import {presentPolicies} from '../../ui/present/policy.js'

export default class PolicyList extends AdminCommand<{policies: PagedList<Policy>}> {
  static override summary = 'List Defender ATP policies with their shape and deployments.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static override flags = {
    limit: limitFlag('policies'),
  }

  async run(): Promise<{policies: PagedList<Policy>}> {
    const {flags} = await this.parse(PolicyList)
    const result = await listPolicies(await this.backend(), {limit: listLimit(flags.limit, this.jsonEnabled()), profile: this.profileName})
    await this.presentPaged(result.policies, presentPolicies)
    return result
  }
}
