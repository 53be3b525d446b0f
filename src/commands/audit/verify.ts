import {AdminCommand} from '../../base/command.js'
import type {AuditVerification} from '../../core/audit/chain.js'
import {verifyAudit} from '../../core/audit/service.js'
import {style} from '../../ui/style.js'

export default class AuditVerify extends AdminCommand<AuditVerification> {
  static override summary = 'Check the hash chain of the audit log; exit 7 when a record was edited or deleted.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<AuditVerification> {
    await this.parse(AuditVerify)
    const result = await verifyAudit(await this.backend())
    this.log(`${style.ok('Audit log intact')}: ${result.records} record(s), hash chain verified.`)
    return result
  }
}
