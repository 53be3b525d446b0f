import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import type {CompliancePolicy} from '../../core/compliance/rules.js'
import {showCompliancePolicy} from '../../core/compliance/service.js'
import {presentCompliancePolicy} from '../../ui/present/compliance.js'

export default class ComplianceShow extends AdminCommand<{policy: CompliancePolicy}> {
  static override summary = 'Show a compliance policy: platform, maximum risk and assignment.'
  static override examples = ['<%= config.bin %> <%= command.id %> "Windows baseline"', '<%= config.bin %> <%= command.id %> "Windows baseline" --json']
  static override args = {name: Args.string({description: 'Policy name or id.', required: true})}

  async run(): Promise<{policy: CompliancePolicy}> {
    const {args} = await this.parse(ComplianceShow)
    const result = await showCompliancePolicy(await this.backend(), {name: args.name, profile: this.profileName})
    this.present(() => presentCompliancePolicy(result.policy))
    return result
  }
}
