import {Flags} from '@oclif/core'
import {DetectCommand} from '../../base/detect-command.js'
import {parseDuration} from '../../core/duration.js'
import {realDeps, runTestAlertCheck, type TestAlertCheckResult} from '../../core/detect/service.js'
import {TEST_ALERT_OS, TEST_ALERTS} from '../../core/detect/test-alerts.js'
import {UsageError} from '../../core/errors.js'
import {presentProcedure, waitHooks} from '../../ui/present/detect.js'

export default class DetectTestAlert extends DetectCommand<TestAlertCheckResult> {
  static override summary = 'Show the documented test-alert procedure for an OS; with --run, perform it and wait for the alert.'
  static override description =
    'Windows: the PowerShell download-and-run command ("[TestAlert] Suspicious PowerShell CommandLine", Informational). Linux: the DIY script ("Enumeration of files with sensitive data", Low). macOS: the DIY app ("macOS EDR Test Alert"). --run reports the activity to the backend as the device\'s sensor would; --wait waits for the alert while you perform the procedure by hand. Exit codes as for detect eicar.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> --os windows',
    '<%= config.bin %> <%= command.id %> --os linux --device lnx-01 --run --timeout 2m',
    '<%= config.bin %> <%= command.id %> --os windows --device web-01 --wait --junit test-alert.xml',
    '<%= config.bin %> <%= command.id %> --os macos --device mac-07 --run --json',
  ]

  static override flags = {
    os: Flags.string({description: 'Operating system of the procedure.', options: [...TEST_ALERT_OS], required: true}),
    device: Flags.string({description: 'Device name or machine id (default: the first onboarded, healthy device of that OS).'}),
    run: Flags.boolean({description: 'Perform the procedure against the backend, then wait for the alert.', exclusive: ['wait']}),
    wait: Flags.boolean({description: 'Wait for the alert while the procedure is performed by hand on the device.'}),
    timeout: Flags.string({description: 'How long to wait for the alert, e.g. 90s, 10m.', default: '10m'}),
    junit: Flags.string({description: 'Also write a JUnit XML report of the check to this file (with --run or --wait).'}),
  }

  async run(): Promise<TestAlertCheckResult> {
    const {flags} = await this.parse(DetectTestAlert)
    const timeoutMs = parseDuration(flags.timeout, '--timeout')
    const os = flags.os as (typeof TEST_ALERT_OS)[number]
    const waiting = flags.run || flags.wait
    // Shown first: with --wait the user performs it while atpctl waits.
    if (flags.junit && !waiting) throw new UsageError('--junit reports a check, and without --run or --wait nothing is checked.', {suggestions: ['Add --run (or --wait).']})
    if (waiting) this.note(presentProcedure(TEST_ALERTS[os]) + '\n')
    const spinner = await this.spinner('Checking the device…')
    const result = await runTestAlertCheck(
      await this.backend(),
      {profile: this.profileName, os, device: flags.device, run: flags.run, wait: flags.wait, timeoutMs},
      {...realDeps, ...waitHooks(spinner)},
    )
    const {verdict} = result
    if (!verdict) {
      this.present(() => presentProcedure(result.procedure))
      return result
    }

    this.reportVerdict(verdict, {junit: flags.junit, failureExtras: {procedure: result.procedure}})
    return result
  }
}
