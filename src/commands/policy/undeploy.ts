import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {yesFlag} from '../../base/flags.js'
import {type DeleteImpact, inUseLead} from '../../core/endpoint-lifecycle.js'
import {undeployPolicy} from '../../core/policy/service.js'
import type {Policy} from '../../core/policy/types.js'
import {impactQuestion, presentImpact} from '../../ui/present/lifecycle.js'
import {style} from '../../ui/style.js'

type UndeployResult = {policy: Policy; changed: boolean; removed: string[]; notDeployed: string[]; impact: DeleteImpact}

// Issue 11 item 8: a deployment can be taken back; CM6 monitoring follows at once.
export default class PolicyUndeploy extends AdminCommand<UndeployResult> {
  static override summary = 'Remove a policy\'s deployments to collections (asks first: their devices stop getting it).'
  static override description = `The policy stays; only its deployment to the given collections goes, and the agent model re-evaluates their devices (monitor and device show follow at once). A collection it is not deployed to is reported and left alone (exit 0). Without a terminal, pass --yes.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> "ATP any OS" --collection Pilot',
    '<%= config.bin %> <%= command.id %> "ATP any OS" --collection Servers --collection Clients --yes --json',
  ]

  static override args = {name: Args.string({description: 'Policy name.', required: true})}
  static override flags = {
    collection: Flags.string({description: 'Collection to remove the deployment from (repeatable).', multiple: true, required: true}),
    yes: yesFlag,
  }

  async run(): Promise<UndeployResult> {
    const {args, flags} = await this.parse(PolicyUndeploy)
    const result = await undeployPolicy(await this.backend(), {
      name: args.name,
      collections: flags.collection,
      profile: this.profileName,
      confirm: (impact) => this.confirm(impactQuestion(inUseLead(`Policy '${args.name}'`), impact, 'Remove these deployments?'), {yes: flags.yes, what: `undeploy the policy '${args.name}'`}),
    })
    this.log(
      result.changed
        ? `${style.ok('✓')} Removed the deployment of '${result.policy.name}' from ${result.removed.join(', ')}.`
        : `Policy '${result.policy.name}' is not deployed to ${result.notDeployed.join(', ')}; unchanged.`,
    )
    if (result.changed && result.notDeployed.length > 0) this.log(style.dim(`Not deployed to (unchanged): ${result.notDeployed.join(', ')}`))
    if (result.impact.inUse) this.log(presentImpact(result.impact))
    return result
  }
}
