import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {yesFlag} from '../../base/flags.js'
import {deletePolicy, showPolicy} from '../../core/policy/service.js'
import type {Policy} from '../../core/policy/types.js'
import {style} from '../../ui/style.js'

export default class PolicyDelete extends AdminCommand<{policy: Policy; deleted: true}> {
  static override summary = 'Delete a policy and its deployments (asks first when it is deployed).'
  static override examples = ['<%= config.bin %> <%= command.id %> "ATP pilot"', '<%= config.bin %> <%= command.id %> "ATP pilot" --yes --json']
  static override args = {name: Args.string({description: 'Policy name.', required: true})}
  static override flags = {yes: yesFlag}

  async run(): Promise<{policy: Policy; deleted: true}> {
    const {args, flags} = await this.parse(PolicyDelete)
    const backend = await this.backend()
    const {policy} = await showPolicy(backend, {name: args.name, profile: this.profileName})
    if (policy.deployments.length > 0) {
      const to = policy.deployments.map((d) => d.collection).join(', ')
      await this.confirm(`Policy '${policy.name}' is deployed to ${to}. Delete it and its deployments?`, {yes: flags.yes, what: `delete the deployed policy '${policy.name}'`})
    }

    const result = await deletePolicy(backend, {name: args.name, profile: this.profileName})
    this.log(`${style.ok('✓')} Deleted policy '${result.policy.name}'${policy.deployments.length > 0 ? ` and its ${policy.deployments.length} deployment(s)` : ''}.`)
    return result
  }
}
