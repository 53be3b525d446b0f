import {Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {limitFlag, listLimit} from '../../base/flags.js'
import {type AuditListResult, listAudit} from '../../core/audit/service.js'
import {presentAudit} from '../../ui/present/audit.js'

export default class AuditList extends AdminCommand<AuditListResult> {
  static override summary = 'List the audit log of every change: time, actor, operation, target, outcome.'
  static override examples = ['<%= config.bin %> <%= command.id %> --limit 20', '<%= config.bin %> <%= command.id %> --operation token.mint --json']

  static override flags = {
    limit: limitFlag('records, the newest'),
    operation: Flags.string({description: 'Only records of this operation, e.g. token.mint.'}),
  }

  async run(): Promise<AuditListResult> {
    const {flags} = await this.parse(AuditList)
    // The newest N (oldest first), or with --json and no --limit every record, page by page.
    const listed = await listAudit(await this.backend(), {limit: listLimit(flags.limit, this.jsonEnabled()), operation: flags.operation})
    await this.presentPaged(listed.records, presentAudit, {what: 'older'})
    return listed
  }
}
