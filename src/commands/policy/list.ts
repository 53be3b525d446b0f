import {AdminCommand} from '../../base/command.js'
import {limitFlag} from '../../base/flags.js'
import {listPolicies} from '../../core/policy/service.js'
import type {Policy} from '../../core/policy/types.js'
import {presentPolicies} from '../../ui/present/policy.js'

export default class PolicyList extends AdminCommand<{policies: Policy[]}> {
  static override summary = 'List Defender ATP policies with their shape and deployments.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static override flags = {
    limit: limitFlag('policies'),
  }

  async run(): Promise<{policies: Policy[]}> {
    const {flags} = await this.parse(PolicyList)
    const result = await listPolicies(await this.backend(), {profile: this.profileName})
    const policies = this.presentList(result.policies, flags.limit, (shown) => presentPolicies(shown))
    return {...result, policies}
  }
}
