import {Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import type {AuditVerification} from '../../core/audit/chain.js'
import {verifyAudit} from '../../core/audit/service.js'
import {presentVerification} from '../../ui/present/audit.js'

export default class AuditVerify extends AdminCommand<AuditVerification> {
  static override summary = 'Check the keyed hash chain of the audit log and its head; exit 7 when a record was edited, deleted or re-chained.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
    '<%= config.bin %> <%= command.id %> --head 3f1c…e9a0',
  ]

  static override flags = {
    head: Flags.string({description: 'A head hash kept elsewhere (head.hash of an earlier --json run): the log must still contain it.'}),
  }

  async run(): Promise<AuditVerification> {
    const {flags} = await this.parse(AuditVerify)
    const result = await verifyAudit(await this.backend(), {head: flags.head})
    this.present(() => presentVerification(result))
    return result
  }
}
