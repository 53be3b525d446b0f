import {Args} from '@oclif/core'
import {AdminCommand} from '../../../base/command.js'
import {deleteWithConsent} from '../../../base/delete-consent.js'
import {yesFlag} from '../../../base/flags.js'
import type {AccessPolicy} from '../../../core/access/rules.js'
import {deleteAccessPolicy} from '../../../core/access/service.js'
import {presentDeletion} from '../../../ui/present/intune.js'

type Result = {policy: AccessPolicy; changed: true; affects: string[]}

// Rules (SPEC): IN3.
export default class AccessPolicyDelete extends AdminCommand<Result> {
  static override summary = 'Delete a custom conditional access policy (asks first when it is enabled; the classic one is protected).'
  static override description = `An enabled policy is in use: the command says whom and what it protects and asks (pass
--yes in scripts). A disabled one is deleted at once. The classic policy of the Intune
connection is refused, with --yes too.`

  static override examples = ['<%= config.bin %> <%= command.id %> "Finance only"', '<%= config.bin %> <%= command.id %> "Finance only" --yes --json']
  static override args = {name: Args.string({description: 'Policy name or id.', required: true})}
  static override flags = {yes: yesFlag}

  async run(): Promise<Result> {
    const {args, flags} = await this.parse(AccessPolicyDelete)
    const backend = await this.backend()
    const result = await deleteWithConsent({
      yes: flags.yes,
      what: `delete conditional access policy '${args.name}'`,
      confirm: (message, options) => this.confirm(message, options),
      attempt: (force) => deleteAccessPolicy(backend, {policy: args.name, force, profile: this.profileName}),
    })
    this.present(() => presentDeletion('conditional access policy', result.policy.name, result.affects))
    return result
  }
}
