import {AdminCommand} from '../../base/command.js'
import {listIntegrations} from '../../core/integration/service.js'
import type {IntegrationsState} from '../../core/integration/types.js'
import {presentIntegrations} from '../../ui/present/integration.js'

export default class IntegrationList extends AdminCommand<IntegrationsState> {
  static override summary = 'List the integrations and their on/off state: third-party providers, Intune, Defender for Cloud.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<IntegrationsState> {
    await this.parse(IntegrationList)
    const state = await listIntegrations(await this.backend(), this.profileName)
    this.present(() => presentIntegrations(state))
    return state
  }
}
