import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {formatDuration, parseDuration} from '../../core/duration.js'
import {waitOperation} from '../../core/operation/service.js'
import {DEFAULT_WAIT_MS} from '../../core/operation/wait.js'
import type {Operation} from '../../core/port/operations-api.js'
import {presentOperation} from '../../ui/present/operation.js'

export default class OperationWait extends AdminCommand<{operation: Operation}> {
  static override summary = 'Wait for an operation to finish.'
  static override description =
    'Exit 0 when it succeeded; when it failed, the exit code of its failure (4 refused, 3 not found, …); 9 when it is still running at the end of --timeout.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> 3f2c9a6e-1b7d-4c8e-9f00-6a1d2b3c4d5e',
    '<%= config.bin %> <%= command.id %> 3f2c9a6e-1b7d-4c8e-9f00-6a1d2b3c4d5e --timeout 30m --json',
  ]

  static override args = {
    id: Args.string({description: 'Operation id (printed by the command that started it, and by `atpctl operation list`).', required: true}),
  }

  static override flags = {
    timeout: Flags.string({description: `Wait at most this long (s, m, h or d; default ${formatDuration(DEFAULT_WAIT_MS)}).`}),
  }

  async run(): Promise<{operation: Operation}> {
    const {args, flags} = await this.parse(OperationWait)
    const timeoutMs = flags.timeout === undefined ? DEFAULT_WAIT_MS : parseDuration(flags.timeout, '--timeout')
    const spinner = await this.spinner(`Waiting for operation ${args.id}`)
    spinner.start()
    let result: {operation: Operation}
    try {
      result = await waitOperation(await this.backend(), {id: args.id, profile: this.profileName, timeoutMs})
    } finally {
      spinner.stop()
    }

    this.present(() => presentOperation(result.operation))
    return result
  }
}
