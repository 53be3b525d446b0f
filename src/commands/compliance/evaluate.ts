import {Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {type ComplianceEvaluation, evaluateCompliance} from '../../core/compliance/service.js'
import {presentEvaluation} from '../../ui/present/compliance.js'

export default class ComplianceEvaluate extends AdminCommand<ComplianceEvaluation> {
  static override summary = 'Evaluate device compliance: compliant, noncompliant or not evaluated, with the reason.'
  static override description = `Each device's risk comes from its active alerts (None without any). Devices of a platform
whose Intune connection toggle is off, below the platform's minimum version (IN2), not managed
by Intune, or not Android/iOS/Windows are reported as not evaluated, with that reason.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --device FIN-LT-001',
    '<%= config.bin %> <%= command.id %> --json > compliance.json',
  ]

  static override flags = {
    device: Flags.string({description: 'Evaluate only this device (name or id).'}),
  }

  async run(): Promise<ComplianceEvaluation> {
    const {flags} = await this.parse(ComplianceEvaluate)
    const result = await evaluateCompliance(await this.backend(), {device: flags.device, profile: this.profileName})
    if (!this.jsonEnabled()) this.log(presentEvaluation(result))
    return result
  }
}
