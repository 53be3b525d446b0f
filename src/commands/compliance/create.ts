import {Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {COMPLIANCE_PLATFORMS, type CompliancePolicy, MAX_RISKS, parseCompliancePlatform, parseMaxRisk} from '../../core/compliance/rules.js'
import {createCompliancePolicy} from '../../core/compliance/service.js'
import {presentCompliancePolicies} from '../../ui/present/compliance.js'
import {outcomeLine} from '../../ui/present/intune.js'

type Result = {policy: CompliancePolicy; changed: boolean}

// Rules (SPEC): IN7.
export default class ComplianceCreate extends AdminCommand<Result> {
  static override summary = 'Create a compliance policy that sets the maximum allowed machine risk for a platform.'
  static override description = `A device whose risk (the highest severity of its active alerts) is above the maximum is
noncompliant. clear allows no active alert at all (Microsoft's "secured"); low allows low and
informational; medium allows up to medium; high allows everything. Without --assign-group the
policy applies to every device of its platform. The same create again changes nothing (exit 0,
"changed": false); the name with other settings is a conflict (exit 4): change it with
atpctl compliance update.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --name "Windows baseline" --platform windows --max-risk low',
    '<%= config.bin %> <%= command.id %> --name "Finance strict" --platform windows --max-risk clear --assign-group Finance --json',
    '<%= config.bin %> <%= command.id %> --name "Android fleet" --platform android-enterprise --max-risk medium',
  ]

  static override flags = {
    name: Flags.string({description: 'Policy name.', required: true}),
    description: Flags.string({description: 'What the policy is for.'}),
    platform: Flags.string({description: 'Platform the policy judges.', options: [...COMPLIANCE_PLATFORMS], required: true}),
    'max-risk': Flags.string({description: 'Maximum allowed machine risk.', options: [...MAX_RISKS], required: true}),
    'assign-group': Flags.string({description: 'Device or user group the policy is assigned to (default: all devices of the platform).'}),
  }

  async run(): Promise<Result> {
    const {flags} = await this.parse(ComplianceCreate)
    const result = await createCompliancePolicy(await this.backend(), {
      name: flags.name,
      description: flags.description,
      platform: parseCompliancePlatform(flags.platform),
      maxRisk: parseMaxRisk(flags['max-risk']),
      assignGroup: flags['assign-group'],
      profile: this.profileName,
    })
    this.log(`${outcomeLine('Compliance policy', result.policy.name, 'created', result.changed)}\n${presentCompliancePolicies([result.policy])}`)
    this.note('Next: atpctl compliance evaluate')
    return result
  }
}
