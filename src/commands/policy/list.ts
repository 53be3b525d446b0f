import {AdminCommand} from '../../base/command.js'
import {listPolicies} from '../../core/policy/service.js'
import type {Policy} from '../../core/policy/types.js'
import {presentPolicies} from '../../ui/present/policy.js'

export default class PolicyList extends AdminCommand<{policies: Policy[]}> {
  static override summary = 'List Defender ATP policies with their shape and deployments.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<{policies: Policy[]}> {
    await this.parse(PolicyList)
    const result = await listPolicies(await this.backend(), {profile: this.profileName})
    this.present(() => presentPolicies(result.policies))
    return result
  }
}
