import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {yesFlag} from '../../base/flags.js'
import {type DeleteImpact, inUseLead} from '../../core/endpoint-lifecycle.js'
import {deletePolicy} from '../../core/policy/service.js'
import type {Policy} from '../../core/policy/types.js'
import {impactQuestion, presentImpact} from '../../ui/present/lifecycle.js'
import {style} from '../../ui/style.js'

export default class PolicyDelete extends AdminCommand<{policy: Policy; changed: boolean; impact: DeleteImpact}> {
  static override summary = 'Delete a policy and its deployments (asks first when it is deployed).'
  static override description = `The devices its deployments targeted no longer get it (the agent model re-evaluates them at once). Without a terminal, deleting a deployed policy needs --yes.`
  static override examples = ['<%= config.bin %> <%= command.id %> "ATP pilot"', '<%= config.bin %> <%= command.id %> "ATP pilot" --yes --json']
  static override args = {name: Args.string({description: 'Policy name.', required: true})}
  static override flags = {yes: yesFlag}

  async run(): Promise<{policy: Policy; changed: boolean; impact: DeleteImpact}> {
    const {args, flags} = await this.parse(PolicyDelete)
    const result = await deletePolicy(await this.backend(), {
      name: args.name,
      profile: this.profileName,
      confirm: (impact) => this.confirm(impactQuestion(inUseLead(`Policy '${args.name}'`), impact, 'Delete it and its deployments?'), {yes: flags.yes, what: `delete the deployed policy '${args.name}'`}),
    })
    const n = result.policy.deployments.length
    this.log(`${style.ok('✓')} Deleted policy '${result.policy.name}'${n > 0 ? ` and its ${n} deployment(s)` : ''}.`)
    if (result.impact.inUse) this.log(presentImpact(result.impact))
    return result
  }
}
