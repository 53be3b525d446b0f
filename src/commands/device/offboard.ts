import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {waitFlags} from '../../base/flags.js'
import {offboardEnding} from '../../core/device/offboard.js'
import {type OffboardReport, offboardDevices} from '../../core/device/offboard-service.js'
import {AtpError} from '../../core/errors.js'
import {resolveWait} from '../../core/operation/wait.js'
import {journalFile} from '../../lib/journal-file.js'
import {presentOffboard} from '../../ui/present/offboard.js'
import {createProgressBar} from '../../ui/progress-bar.js'

// Rules (SPEC): DC9; seed 001 offboarding; REFERENCE §8.3 (no Linux/macOS, never a duplicate action).
export default class DeviceOffboard extends AdminCommand<OffboardReport> {
  static override summary = 'Offboard devices: the offboard action stops their sensor reporting to the tenant.'
  static override description = `Each device gets one offboard action, with the comment (required, stored). Linux, macOS and mobile devices are refused with the reason (offboard them on the machine with an offboarding package), and so are devices that are not onboarded.

Bulk and resumable: a journal under ATPCTL_HOME/journals records what was sent, so running the same command again skips machines already offboarded or with an offboarding pending, and never sends a second action. A progress bar is drawn on a terminal (stderr).

Exit 0 when every device is offboarded (and for --dry-run); 4 when some were refused, 3 when some are not in the inventory, a failed action's own code; with none of those, 9 when some are still pending (--no-wait, or --wait ran out).`

  static override examples = [
    '<%= config.bin %> <%= command.id %> PC-W10-1803 SRV-2019 --comment "decommissioned, ticket 4711"',
    '<%= config.bin %> <%= command.id %> --from-file leavers.txt --comment "hardware refresh" --dry-run',
    '<%= config.bin %> <%= command.id %> --from-file leavers.txt --comment "hardware refresh" --no-wait --json',
  ]

  static override strict = false
  static override args = {
    device: Args.string({description: 'Device names (case-insensitive); several allowed.'}),
  }

  static override flags = {
    comment: Flags.string({description: 'Why the devices are offboarded; required, stored with each one.', required: true}),
    'from-file': Flags.string({description: 'A file of device names, one per line; # starts a comment.'}),
    'dry-run': Flags.boolean({description: 'Show what would happen to each device; send nothing.'}),
    ...waitFlags,
  }

  async run(): Promise<OffboardReport> {
    const {argv, flags} = await this.parse(DeviceOffboard)
    const progress = createProgressBar('Offboarding', !this.jsonEnabled(), process.stderr, 'items')
    const spinner = await this.spinner('Waiting')
    let report: OffboardReport
    try {
      report = await offboardDevices(await this.backend(), {
        names: argv as string[],
        fromFile: flags['from-file'],
        comment: flags.comment,
        dryRun: Boolean(flags['dry-run']),
        waitMs: resolveWait({wait: flags.wait, noWait: flags['no-wait']}),
        profile: this.profileName,
        journal: journalFile(this.home, `offboard-${this.profileName}`),
        onProgress: (done, total) => progress.update(done, total),
        onWaiting(pending) {
          progress.done()
          spinner.start(`Waiting for ${pending} offboarding(s) to finish`)
        },
      })
    } finally {
      progress.done()
      spinner.stop()
    }

    this.present(() => presentOffboard(report))
    // A dry run ends 0, like policy deploy --dry-run: the table says what a real run would do.
    const ending = report.dryRun ? null : offboardEnding(report.results)
    if (ending) {
      const error = new AtpError(ending.code, ending.exitCode, ending.message, {suggestions: ending.suggestions})
      // Under --json the failure document keeps every machine's result, like a detection verdict.
      if (this.jsonEnabled()) {
        this.logJson({error: {code: error.code, message: error.message, exitCode: error.exitCode, suggestions: error.suggestions}, ...report})
        this.exit(error.exitCode)
      }

      throw error
    }

    return report
  }
}
