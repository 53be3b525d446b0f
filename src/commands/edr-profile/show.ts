import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {showEdrProfile} from '../../core/intune/service.js'
import type {EdrProfileDetail} from '../../core/intune/types.js'
import {presentEdrProfile} from '../../ui/present/intune.js'

// Rules (SPEC): IN5.
export default class EdrProfileShow extends AdminCommand<EdrProfileDetail> {
  static override summary = 'Show an EDR profile: the devices it reaches, which are onboarded and why not, and conflicts.'
  static override examples = ['<%= config.bin %> <%= command.id %> "EDR onboarding"', '<%= config.bin %> <%= command.id %> "EDR onboarding" --json']
  static override args = {name: Args.string({description: 'Profile name or id.', required: true})}

  async run(): Promise<EdrProfileDetail> {
    const {args} = await this.parse(EdrProfileShow)
    const result = await showEdrProfile(await this.backend(), {name: args.name, profile: this.profileName})
    this.present(() => presentEdrProfile(result))
    return result
  }
}
