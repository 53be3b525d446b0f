import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {showOperation} from '../../core/operation/service.js'
import type {Operation} from '../../core/port/operations-api.js'
import {presentOperation} from '../../ui/present/operation.js'

export default class OperationShow extends AdminCommand<{operation: Operation}> {
  static override summary = 'Show one operation: its status, target, times and result.'
  static override examples = ['<%= config.bin %> <%= command.id %> 3f2c9a6e-1b7d-4c8e-9f00-6a1d2b3c4d5e', '<%= config.bin %> <%= command.id %> 3f2c9a6e-1b7d-4c8e-9f00-6a1d2b3c4d5e --json']

  static override args = {
    id: Args.string({description: 'Operation id (see `atpctl operation list`).', required: true}),
  }

  async run(): Promise<{operation: Operation}> {
    const {args} = await this.parse(OperationShow)
    const result = await showOperation(await this.backend(), {id: args.id, profile: this.profileName})
    this.present(() => presentOperation(result.operation))
    return result
  }
}
