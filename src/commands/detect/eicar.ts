import {Flags} from '@oclif/core'
import {rmSync} from 'node:fs'
import {DetectCommand} from '../../base/detect-command.js'
import {parseDuration} from '../../core/duration.js'
import {realDeps, runEicarCheck} from '../../core/detect/service.js'
import type {Verdict} from '../../core/detect/verdict.js'
import {presentFileNote, waitHooks} from '../../ui/present/detect.js'

export default class DetectEicar extends DetectCommand<Verdict> {
  static override summary = 'Drop a real EICAR test file on a device and wait for the alert, or learn why it does not come.'
  static override description =
    'Preflight first (exit 11 device unknown or not onboarded, 12 sensor inactive, 13 integration off), then the file is written into --path (a temp directory by default). A device that reports through a live `atpctl sensor run` sees the file itself, so --path must be its watched directory; for any other device atpctl hands the file to the backend as that device\'s sensor would. Exit 0 when the alert is seen, 10 on timeout. The file is removed afterwards unless --keep.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> --device web-01',
    '<%= config.bin %> <%= command.id %> --device mac-07 --path /var/watch --timeout 2m --junit eicar.xml',
    '<%= config.bin %> <%= command.id %> --device web-01 --json > verdict.json',
  ]

  static override flags = {
    device: Flags.string({description: 'Device name or machine id (default: the first onboarded, healthy device).'}),
    path: Flags.string({description: 'Directory to write the test file into (the live sensor\'s watched directory for sensor devices).'}),
    timeout: Flags.string({description: 'How long to wait for the alert, e.g. 90s, 10m.', default: '10m'}),
    keep: Flags.boolean({description: 'Leave the test file in place afterwards.'}),
    junit: Flags.string({description: 'Also write a JUnit XML report of the check to this file (for CI).'}),
  }

  async run(): Promise<Verdict> {
    const {flags} = await this.parse(DetectEicar)
    const timeoutMs = parseDuration(flags.timeout, '--timeout')
    const spinner = await this.spinner('Checking the device…')
    // Ctrl-C or a CI cancel (SIGTERM) while waiting must not leave the EICAR file behind.
    let cleanup: string | null = null
    const interrupted = () => {
      spinner.stop()
      if (cleanup && !flags.keep) rmSync(cleanup, {recursive: true, force: true})
      process.stderr.write('Cancelled.\n')
      process.exit(130)
    }

    process.once('SIGINT', interrupted).once('SIGTERM', interrupted)
    let verdict: Verdict
    try {
      verdict = await runEicarCheck(
        await this.backend(),
        {profile: this.profileName, device: flags.device, dir: flags.path, timeoutMs, keep: flags.keep ?? false},
        {...realDeps, ...waitHooks(spinner), onFileWritten: (f) => (cleanup = f.cleanup)},
      )
    } finally {
      process.off('SIGINT', interrupted).off('SIGTERM', interrupted)
    }

    const fileNote = presentFileNote(verdict)
    this.reportVerdict(verdict, {junit: flags.junit, notes: fileNote ? [fileNote] : []})
    return verdict
  }
}
