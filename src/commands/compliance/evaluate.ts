import {Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {limitFlag} from '../../base/flags.js'
import {type ComplianceEvaluation, evaluateCompliance} from '../../core/compliance/service.js'
import {presentEvaluation} from '../../ui/present/compliance.js'

// Rules (SPEC): IN2.
export default class ComplianceEvaluate extends AdminCommand<ComplianceEvaluation> {
  static override summary = 'Evaluate device compliance: compliant, noncompliant or not evaluated, with the reason.'
  static override description = `Each device's risk comes from its active alerts (None without any). Devices of a platform
whose Intune connection toggle is off, below the platform's minimum version, not managed
by Intune, or not Android/iOS/Windows are reported as not evaluated, with that reason.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --device FIN-LT-001',
    '<%= config.bin %> <%= command.id %> --json > compliance.json',
  ]

  static override flags = {
    device: Flags.string({description: 'Evaluate only this device (name or id).'}),
    limit: limitFlag('devices'),
  }

  async run(): Promise<ComplianceEvaluation> {
    const {flags} = await this.parse(ComplianceEvaluate)
    const result = await evaluateCompliance(await this.backend(), {device: flags.device, profile: this.profileName})
    this.present(() => presentEvaluation(result, flags.limit))
    // The summary counts every device; with --limit the document lists the first N, as the table does.
    if (flags.limit !== undefined && this.jsonEnabled()) return {...result, devices: result.devices.slice(0, flags.limit)}
    return result
  }

  /**
   * One device per line: the same JSON document, cheap to write and grep for 100,000 devices.
   * Devices share few verdicts, so the part after the device's id and name is serialised once
   * per (reason, risk, platform) and reused.
   */
  override logJson(json: unknown): void {
    const {summary, devices} = json as ComplianceEvaluation
    if (!Array.isArray(devices)) return super.logJson(json)
    const tails = new Map<string, Map<string, Map<string | null, string>>>()
    const tailOf = (d: ComplianceEvaluation['devices'][number]): string => {
      let byRisk = tails.get(d.reason)
      if (!byRisk) tails.set(d.reason, (byRisk = new Map()))
      let byPlatform = byRisk.get(d.risk)
      if (!byPlatform) byRisk.set(d.risk, (byPlatform = new Map()))
      let tail = byPlatform.get(d.platform)
      if (tail === undefined) {
        const {deviceId: _id, deviceName: _name, ...rest} = d
        tail = JSON.stringify(rest).slice(1)
        byPlatform.set(d.platform, tail)
      }

      return tail
    }

    // Handed out in pieces of 5,000 devices, each written once the pipe has taken the last.
    function* pieces(): Generator<string> {
      const out: string[] = [`{\n  "summary": ${JSON.stringify(summary)},\n  "devices": [`]
      for (let i = 0; i < devices.length; i++) {
        const d = devices[i]
        out.push(`\n    {"deviceId":${JSON.stringify(d.deviceId)},"deviceName":${JSON.stringify(d.deviceName)},${tailOf(d)}${i < devices.length - 1 ? ',' : ''}`)
        if (out.length >= 5000) yield out.splice(0).join('')
      }

      out.push(devices.length > 0 ? '\n  ]\n}\n' : ']\n}\n')
      yield out.join('')
    }

    this.queueStdout(pieces())
  }
}
