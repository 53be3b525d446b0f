import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {deleteWithConsent} from '../../base/delete-consent.js'
import {yesFlag} from '../../base/flags.js'
import type {CompliancePolicy} from '../../core/compliance/rules.js'
import {deleteCompliancePolicy} from '../../core/compliance/service.js'
import {presentDeletion} from '../../ui/present/intune.js'

type Result = {policy: CompliancePolicy; changed: true; affects: string[]}

// Rules (SPEC): IN7, IN8.
export default class ComplianceDelete extends AdminCommand<Result> {
  static override summary = 'Delete a compliance policy (asks first when it decides the compliance of devices).'
  static override description = `A policy that decides the compliance of a device is in use: the command says how many
devices and which enabled conditional access policies rely on compliance, and asks (pass --yes
in scripts). Those devices are judged by their next strictest policy, or compliant without one.`

  static override examples = ['<%= config.bin %> <%= command.id %> "Windows baseline"', '<%= config.bin %> <%= command.id %> "Windows baseline" --yes --json']
  static override args = {name: Args.string({description: 'Policy name or id.', required: true})}
  static override flags = {yes: yesFlag}

  async run(): Promise<Result> {
    const {args, flags} = await this.parse(ComplianceDelete)
    const backend = await this.backend()
    const result = await deleteWithConsent({
      yes: flags.yes,
      what: `delete compliance policy '${args.name}'`,
      confirm: (message, options) => this.confirm(message, options),
      attempt: (force) => deleteCompliancePolicy(backend, {name: args.name, force, profile: this.profileName}),
    })
    this.present(() => presentDeletion('compliance policy', result.policy.name, result.affects))
    return result
  }
}
