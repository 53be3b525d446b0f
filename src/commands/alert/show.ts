import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {showAlert} from '../../core/alert/service.js'
import type {Alert} from '../../core/alert/types.js'
import {presentAlert} from '../../ui/present/alert.js'

export default class AlertShow extends AdminCommand<{alert: Alert}> {
  static override summary = 'Show one alert with its evidence and comments.'
  static override examples = ['<%= config.bin %> <%= command.id %> da638671234567890123_1234567890', '<%= config.bin %> <%= command.id %> da638671234567890123_1234567890 --json']

  static override args = {
    id: Args.string({description: 'Alert id (see `atpctl alert list`).', required: true}),
  }

  async run(): Promise<{alert: Alert}> {
    const {args} = await this.parse(AlertShow)
    const result = await showAlert(await this.backend(), {id: args.id, profile: this.profileName})
    this.present(() => presentAlert(result.alert))
    return result
  }
}
