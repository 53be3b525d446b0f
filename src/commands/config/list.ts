import {AdminCommand} from '../../base/command.js'
import {listSettings} from '../../lib/profiles.js'
import {renderTable} from '../../ui/table.js'

type Result = ReturnType<typeof listSettings>

export default class ConfigList extends AdminCommand<Result> {
  static override summary = 'List the settings of the profile, where each value comes from and its environment variable.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<Result> {
    await this.parse(ConfigList)
    const result = listSettings(this.home, this.profileName, process.env)
    this.log(renderTable(['KEY', 'VALUE', 'FROM', 'VARIABLE', 'DESCRIPTION'], result.settings.map((s) => [s.key, s.value ?? '-', s.source, s.env, s.description])))
    return result
  }
}
