import {Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {limitFlag, listLimit} from '../../base/flags.js'
import {listOperations, OPERATION_STATUSES, parseOperationStatus} from '../../core/operation/service.js'
import type {Operation} from '../../core/port/operations-api.js'
import type {PagedList} from '../../core/port/page.js'
import {presentOperations} from '../../ui/present/operation.js'

export default class OperationList extends AdminCommand<{operations: PagedList<Operation>}> {
  static override summary = 'List long-running operations (deployments, offboardings), newest first.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --kind device.offboard --status running',
    '<%= config.bin %> <%= command.id %> --limit 20 --json',
  ]

  static override flags = {
    kind: Flags.string({description: 'Only operations of this kind, e.g. policy.deploy or device.offboard.'}),
    status: Flags.string({description: `Only operations in this status: ${OPERATION_STATUSES.join(', ')}.`, options: [...OPERATION_STATUSES]}),
    limit: limitFlag('operations, newest first'),
  }

  async run(): Promise<{operations: PagedList<Operation>}> {
    const {flags} = await this.parse(OperationList)
    const result = await listOperations(await this.backend(), {
      kind: flags.kind,
      status: flags.status ? parseOperationStatus(flags.status) : undefined,
      limit: listLimit(flags.limit, this.jsonEnabled()),
      profile: this.profileName,
    })
    await this.presentPaged(result.operations, presentOperations, {what: 'operations'})
    return result
  }
}
