import {AdminCommand} from '../../base/command.js'
import {listProfiles} from '../../lib/profiles.js'
import {renderTable} from '../../ui/table.js'

type Result = ReturnType<typeof listProfiles>

export default class ProfileList extends AdminCommand<Result> {
  static override summary = 'List profiles; the current one is marked with *.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<Result> {
    await this.parse(ProfileList)
    const result = listProfiles(this.home)
    this.log(renderTable(['', 'NAME', 'BACKEND', 'DATA'], result.profiles.map((p) => [p.current ? '*' : '', p.name, p.backend, p.database])))
    return result
  }
}
