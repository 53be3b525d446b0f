import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {showPolicy} from '../../core/policy/service.js'
import type {Policy} from '../../core/policy/types.js'
import {presentPolicy} from '../../ui/present/policy.js'

export default class PolicyShow extends AdminCommand<{policy: Policy}> {
  static override summary = 'Show a policy (the Workspace key and the file content are never shown).'
  static override examples = ['<%= config.bin %> <%= command.id %> "ATP any OS"', '<%= config.bin %> <%= command.id %> "ATP any OS" --json']
  static override args = {name: Args.string({description: 'Policy name.', required: true})}

  async run(): Promise<{policy: Policy}> {
    const {args} = await this.parse(PolicyShow)
    const result = await showPolicy(await this.backend(), {name: args.name, profile: this.profileName})
    this.present(() => presentPolicy(result.policy))
    return result
  }
}
