import {Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {type AuditListResult, listAudit} from '../../core/audit/service.js'
import {presentAudit} from '../../ui/present/audit.js'

export default class AuditList extends AdminCommand<AuditListResult> {
  static override summary = 'List the audit log of every change: time, actor, operation, target, outcome.'
  static override examples = ['<%= config.bin %> <%= command.id %> --limit 20', '<%= config.bin %> <%= command.id %> --operation token.mint --json']

  static override flags = {
    limit: Flags.integer({description: 'Only the newest N records.', min: 1}),
    operation: Flags.string({description: 'Only records of this operation, e.g. token.mint.'}),
  }

  async run(): Promise<AuditListResult> {
    const {flags} = await this.parse(AuditList)
    const result = await listAudit(await this.backend(), {limit: flags.limit, operation: flags.operation})
    this.present(() => presentAudit(result.records))
    return result
  }
}
