import {AdminCommand} from '../../base/command.js'
import {listEdrProfiles} from '../../core/intune/service.js'
import type {EdrProfile} from '../../core/intune/types.js'
import {presentEdrProfiles} from '../../ui/present/intune.js'

type Result = {profiles: (EdrProfile & {reached: number; onboarded: number; conflicts: number})[]}

export default class EdrProfileList extends AdminCommand<Result> {
  static override summary = 'List EDR profiles with how many devices each reaches and onboards, and their conflicts.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<Result> {
    await this.parse(EdrProfileList)
    const result = await listEdrProfiles(await this.backend(), {profile: this.profileName})
    this.present(() => presentEdrProfiles(result.profiles))
    return result
  }
}
