import type {PagedList} from '../../core/port/page.js'
import {AdminCommand} from '../../base/command.js'
import {limitFlag, listLimit} from '../../base/flags.js'
import type {CompliancePolicy} from '../../core/compliance/rules.js'
import {listCompliancePolicies} from '../../core/compliance/service.js'
import {presentCompliancePolicies} from '../../ui/present/compliance.js'

export default class ComplianceList extends AdminCommand<{policies: PagedList<CompliancePolicy>}> {
  static override summary = 'List compliance policies with their platform, maximum risk and assignment.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static override flags = {
    limit: limitFlag('policies'),
  }

  async run(): Promise<{policies: PagedList<CompliancePolicy>}> {
    const {flags} = await this.parse(ComplianceList)
    const result = await listCompliancePolicies(await this.backend(), {limit: listLimit(flags.limit, this.jsonEnabled()), profile: this.profileName})
    await this.presentPaged(result.policies, presentCompliancePolicies)
    return result
  }
}
