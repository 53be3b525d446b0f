import {Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {limitFlag, listLimit} from '../../base/flags.js'
import {parseSeverity, parseStatus} from '../../core/alert/rules.js'
import {listAlerts, parseSince} from '../../core/alert/service.js'
import {ALERT_STATUSES, type Alert, SEVERITIES} from '../../core/alert/types.js'
import type {PagedList} from '../../core/port/page.js'
import {presentAlerts} from '../../ui/present/alert.js'

export default class AlertList extends AdminCommand<{alerts: PagedList<Alert>}> {
  static override summary = 'List alerts, newest first, optionally by device, severity, status and age.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --device web-01 --status New --since 24h',
    '<%= config.bin %> <%= command.id %> --severity Low --json',
  ]

  static override flags = {
    device: Flags.string({description: 'Only alerts of this device (name, DNS name or machine id).'}),
    severity: Flags.string({description: `Only alerts of this severity: ${SEVERITIES.join(', ')}.`}),
    status: Flags.string({description: `Only alerts in this status: ${ALERT_STATUSES.join(', ')}.`}),
    since: Flags.string({description: 'Only alerts created since: a duration back from now (24h, 7d) or an ISO date/time.'}),
    limit: limitFlag('alerts, newest first'),
  }

  async run(): Promise<{alerts: PagedList<Alert>}> {
    const {flags} = await this.parse(AlertList)
    const listed = await listAlerts(await this.backend(), {
      profile: this.profileName,
      device: flags.device,
      severity: flags.severity ? parseSeverity(flags.severity) : undefined,
      status: flags.status ? parseStatus(flags.status) : undefined,
      since: flags.since ? parseSince(flags.since, new Date()) : undefined,
      limit: listLimit(flags.limit, this.jsonEnabled()),
    })
    await this.presentPaged(listed.alerts, presentAlerts)
    return listed
  }
}
