import {Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {parseDuration} from '../../core/duration.js'
import type {SensorSummary} from '../../backends/remote/sensor-agent.js'

// Rules (SPEC): TP3, TP4; the endpoint side of seed 000.
export default class SensorRun extends AdminCommand<SensorSummary> {
  static override summary = "Run a third-party sensor against an `atpctl serve` server with a provider's access token."
  static override description = `The endpoint side of a third-party integration: verifies the onboarding package (signature and tenant),
registers the machine as managed by the token's provider, sends heartbeats, and reports files
of --watch that the EICAR standard matches, so \`atpctl detect eicar --device HOST\` sees the
alert. When the provider is turned off or the token is refused, it says so and
retries with back-off, re-reading --token-file each time. Stops on SIGTERM or Ctrl-C.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --server https://atp.example.net:8443 --token-file token.txt --package WindowsDefenderATPOnboardingPackage.zip --name web-01 --watch /srv/incoming',
    '<%= config.bin %> <%= command.id %> --server http://127.0.0.1:8443 --token-file token.txt --package onboarding.zip --name lab-mac --os "macOS 14" --heartbeat 10s --json',
  ]

  static override flags = {
    server: Flags.string({description: 'URL of the atpctl server.', required: true}),
    'token-file': Flags.string({description: 'File holding the provider access token (re-read on every retry).', required: true}),
    package: Flags.string({description: 'Onboarding package of the tenant (zip or carrier file).', required: true}),
    name: Flags.string({description: 'Host name this sensor reports as.', required: true}),
    watch: Flags.string({description: 'Directory whose new files are checked against the EICAR standard.'}),
    os: Flags.string({description: 'OS text reported for the machine (default from the package: Linux or macOS).'}),
    'ca-file': Flags.string({description: 'PEM certificate to trust for a self-signed server.'}),
    heartbeat: Flags.string({description: 'Heartbeat interval.', default: '30s'}),
    'scan-interval': Flags.string({description: 'How often --watch is scanned.', default: '1s'}),
    'max-backoff': Flags.string({description: 'Longest wait between retries after a refusal.', default: '60s'}),
  }

  async run(): Promise<SensorSummary> {
    const {flags} = await this.parse(SensorRun)
    const {runSensor} = await import('../../backends/remote/sensor-agent.js')
    const stop = new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'))
      process.once('SIGINT', () => resolve('SIGINT'))
    })
    const summary = await runSensor({
      server: flags.server,
      tokenFile: flags['token-file'],
      packageFile: flags.package,
      name: flags.name,
      os: flags.os,
      watchDir: flags.watch,
      caFile: flags['ca-file'],
      heartbeatMs: parseDuration(flags.heartbeat, '--heartbeat'),
      scanMs: parseDuration(flags['scan-interval'], '--scan-interval'),
      maxBackoffMs: parseDuration(flags['max-backoff'], '--max-backoff'),
      say: (line) => process.stderr.write(`sensor ${flags.name}: ${line}\n`),
      stopSignal: stop,
    })
    summary.stoppedBy = await Promise.race([stop, Promise.resolve(summary.stoppedBy)])
    this.log(`Stopped: ${summary.heartbeats} heartbeat(s), ${summary.filesReported.length} file(s) reported, ${summary.refusals} refusal(s).`)
    return summary
  }
}
