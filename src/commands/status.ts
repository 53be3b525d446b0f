import {AdminCommand} from '../base/command.js'
import {getStatus, type StatusResult} from '../core/status.js'
import {presentStatus} from '../ui/present/status.js'

export default class Status extends AdminCommand<StatusResult> {
  static override summary = "Show the tenant, backend, integrations, token counts and the backend's capabilities at a glance."
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json --profile lab']

  async run(): Promise<StatusResult> {
    await this.parse(Status)
    const status = await getStatus(await this.backend(), this.profileName)
    this.present(() => presentStatus(status))
    return status
  }
}
