import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {COMPLIANCE_PLATFORMS, type CompliancePolicy, MAX_RISKS, parseCompliancePlatform, parseMaxRisk} from '../../core/compliance/rules.js'
import {updateCompliancePolicy} from '../../core/compliance/service.js'
import {presentCompliancePolicies} from '../../ui/present/compliance.js'
import {outcomeLine} from '../../ui/present/intune.js'

type Result = {policy: CompliancePolicy; changed: boolean}

// Rules (SPEC): IN7.
export default class ComplianceUpdate extends AdminCommand<Result> {
  static override summary = "Change a compliance policy's maximum risk, platform, assignment or description."
  static override description = `Only what you pass changes; every rule of compliance create applies again. --all-devices
assigns the policy to every device of its platform instead of a group. The same settings
change nothing ("changed": false).`

  static override examples = [
    '<%= config.bin %> <%= command.id %> "Windows baseline" --max-risk medium',
    '<%= config.bin %> <%= command.id %> "Finance strict" --assign-group Finance --json',
    '<%= config.bin %> <%= command.id %> "Finance strict" --all-devices',
  ]

  static override args = {name: Args.string({description: 'Policy name or id.', required: true})}
  static override flags = {
    description: Flags.string({description: 'The new description ("" removes it).'}),
    platform: Flags.string({description: 'Platform the policy judges.', options: [...COMPLIANCE_PLATFORMS]}),
    'max-risk': Flags.string({description: 'Maximum allowed machine risk.', options: [...MAX_RISKS]}),
    'assign-group': Flags.string({description: 'Device or user group to assign the policy to.', exclusive: ['all-devices']}),
    'all-devices': Flags.boolean({description: 'Assign the policy to every device of its platform.', default: false}),
  }

  async run(): Promise<Result> {
    const {args, flags} = await this.parse(ComplianceUpdate)
    const result = await updateCompliancePolicy(await this.backend(), {
      name: args.name,
      description: flags.description,
      platform: flags.platform === undefined ? undefined : parseCompliancePlatform(flags.platform),
      maxRisk: flags['max-risk'] === undefined ? undefined : parseMaxRisk(flags['max-risk']),
      assignGroup: flags['all-devices'] ? null : flags['assign-group'],
      profile: this.profileName,
    })
    this.log(`${outcomeLine('Compliance policy', result.policy.name, 'updated', result.changed)}\n${presentCompliancePolicies([result.policy])}`)
    return result
  }
}
