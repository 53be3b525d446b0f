import type {PagedList} from '../../core/port/page.js'
import {AdminCommand} from '../../base/command.js'
import {limitFlag, listLimit} from '../../base/flags.js'
import {listEdrProfiles} from '../../core/intune/service.js'
import type {EdrProfile} from '../../core/intune/types.js'
import {presentEdrProfiles} from '../../ui/present/intune.js'

type Result = {profiles: PagedList<EdrProfile & {reached: number; onboarded: number; conflicts: number}>}

export default class EdrProfileList extends AdminCommand<Result> {
  static override summary = 'List EDR profiles with how many devices each reaches and onboards, and their conflicts.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static override flags = {
    limit: limitFlag('profiles'),
  }

  async run(): Promise<Result> {
    const {flags} = await this.parse(EdrProfileList)
    const result = await listEdrProfiles(await this.backend(), {limit: listLimit(flags.limit, this.jsonEnabled()), profile: this.profileName})
    await this.presentPaged(result.profiles, presentEdrProfiles)
    return result
  }
}
