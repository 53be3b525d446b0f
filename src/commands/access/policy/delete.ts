import {Args} from '@oclif/core'
import {AdminCommand} from '../../../base/command.js'
import {yesFlag} from '../../../base/flags.js'
import type {AccessPolicy} from '../../../core/access/rules.js'
import {deleteAccessPolicy} from '../../../core/access/service.js'

// Rules (SPEC): IN3.
export default class AccessPolicyDelete extends AdminCommand<{policy: AccessPolicy}> {
  static override summary = 'Delete a custom conditional access policy (the classic one is protected).'
  static override examples = ['<%= config.bin %> <%= command.id %> "Finance only"', '<%= config.bin %> <%= command.id %> "Finance only" --yes --json']
  static override args = {name: Args.string({description: 'Policy name or id.', required: true})}
  static override flags = {yes: yesFlag}

  async run(): Promise<{policy: AccessPolicy}> {
    const {args, flags} = await this.parse(AccessPolicyDelete)
    const backend = await this.backend()
    await this.confirm(`Delete conditional access policy '${args.name}'?`, {yes: flags.yes, what: `delete policy '${args.name}'`})
    const result = await deleteAccessPolicy(backend, {policy: args.name, profile: this.profileName})
    this.log(`Conditional access policy '${result.policy.name}' deleted.`)
    return result
  }
}
