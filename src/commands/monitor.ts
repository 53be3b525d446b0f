import {Flags} from '@oclif/core'
import {AdminCommand} from '../base/command.js'
import {parseDuration} from '../core/duration.js'
import {monitorDeployment} from '../core/monitor/service.js'
import type {MonitorReport} from '../core/monitor/types.js'
import {presentMonitor} from '../ui/present/monitor.js'

// Rules (SPEC): CM6.
export default class Monitor extends AdminCommand<MonitorReport> {
  static override summary = 'Show the Defender ATP dashboard: agent deployment status and agent health.'
  static override description = `Deployment status: eligible ConfigMgr clients (an onboarding policy is deployed to one of their collections and supports their OS) and how many are onboarded. Agent health of those clients: Healthy, Inactive (no data during --period), Agent state (sensor service not running), Not onboarded (policy applied, agent has not reported onboarded). Per collection as well.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --collection Servers --period 14d',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  static override flags = {
    collection: Flags.string({description: 'Limit the figures to one collection.'}),
    period: Flags.string({description: 'Health period: no data for this long means Inactive.', default: '7d'}),
  }

  async run(): Promise<MonitorReport> {
    const {flags} = await this.parse(Monitor)
    const report = await monitorDeployment(await this.backend(), {collection: flags.collection, periodMs: parseDuration(flags.period, '--period'), profile: this.profileName})
    this.present(() => presentMonitor(report))
    return report
  }
}
