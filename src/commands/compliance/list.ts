import {AdminCommand} from '../../base/command.js'
import {limitFlag} from '../../base/flags.js'
import type {CompliancePolicy} from '../../core/compliance/rules.js'
import {listCompliancePolicies} from '../../core/compliance/service.js'
import {presentCompliancePolicies} from '../../ui/present/compliance.js'

export default class ComplianceList extends AdminCommand<{policies: CompliancePolicy[]}> {
  static override summary = 'List compliance policies with their platform, maximum risk and assignment.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static override flags = {
    limit: limitFlag('policies'),
  }

  async run(): Promise<{policies: CompliancePolicy[]}> {
    const {flags} = await this.parse(ComplianceList)
    const result = await listCompliancePolicies(await this.backend(), {profile: this.profileName})
    const policies = this.presentList(result.policies, flags.limit, (shown) => presentCompliancePolicies(shown))
    return {...result, policies}
  }
}
