import {Flags} from '@oclif/core'
import {join} from 'node:path'
import {AdminCommand} from '../base/command.js'
import {yesFlag} from '../base/flags.js'
import {QUICKSTART_STEPS} from '../core/quickstart/steps.js'
import {type QuickstartResult, runQuickstart} from '../core/quickstart/service.js'
import {LOCATIONS, parseLocation} from '../core/tenant/model.js'
import {ensureProfile} from '../lib/profiles.js'
import {profileDir} from '../lib/paths.js'
import {style} from '../ui/style.js'

export default class Quickstart extends AdminCommand<QuickstartResult> {
  static override summary = 'Walk through everything atpctl does, explaining each step: on the embedded backend, or on a server with --remote.'
  static override description = `Creates the tenant (or reuses it), turns on an integration and mints a token, generates and inspects an onboarding package, imports a small inventory and deploys a ConfigMgr policy, runs an EICAR check, then connects Intune and shows compliance and conditional access reacting to the alert. For each step it prints why it matters and the command that does it on its own. Safe to run again.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --profile lab --location eu --json',
    '<%= config.bin %> <%= command.id %> --profile team --remote https://atp.example.net:8443 --api-key-file owner.key --yes',
  ]

  static override flags = {
    dir: Flags.string({description: 'Directory for the files the walk-through writes (default: inside the profile).'}),
    location: Flags.string({description: 'Data location for a new tenant.', options: [...LOCATIONS], default: 'us'}),
    remote: Flags.string({description: 'Run the walk-through against an `atpctl serve` server (this profile becomes remote).', dependsOn: ['api-key-file']}),
    'api-key-file': Flags.string({description: 'API key file for --remote (stored owner-only, never printed).', dependsOn: ['remote']}),
    'ca-file': Flags.string({description: 'PEM certificate to trust for a self-signed --remote server.', dependsOn: ['remote']}),
    yes: yesFlag,
  }

  protected override createsProfile = true

  async run(): Promise<QuickstartResult> {
    const {flags} = await this.parse(Quickstart)
    if (flags.remote) {
      // A served tenant is shared: the walk-through's demo devices, policies and alerts land where
      // the whole team sees them, so it is never done without a yes.
      await this.confirm(`Write the walk-through's demo devices, policies, tokens and alerts into the shared tenant at ${flags.remote}?`, {
        yes: flags.yes,
        what: `write demo data into the shared tenant at ${flags.remote}`,
      })
    }
    await ensureProfile(this.home, this.profileName)
    const workDir = flags.dir ?? join(profileDir(this.home, this.profileName), 'quickstart')
    const total = QUICKSTART_STEPS.length
    const remote = flags.remote
      ? await (await import('../backends/remote/profile.js')).connectRemoteProfile(this.home, this.profileName, {url: flags.remote, apiKeyFile: flags['api-key-file']!, caFile: flags['ca-file']}, this.profileName)
      : undefined
    const result = await runQuickstart(remote?.backend ?? (await this.backend()), {
      profile: this.profileName,
      location: parseLocation(flags.location),
      workDir,
      onStep: (step, index, stepResult) => {
        this.log(`${style.bold(`[${index + 1}/${total}] ${step.title}`)}`)
        this.log(`  ${style.dim(step.why)}`)
        this.log(`  ${style.dim('$')} ${step.command}`)
        this.log(`  ${style.ok('✓')} ${stepResult.summary}`)
        for (const line of stepResult.details ?? []) this.log(`    ${line}`)
        this.log('')
      },
    }).finally(() => remote?.backend.close())
    this.log(`Done. Profile '${this.profileName}' is ready; try \`atpctl status\` or \`atpctl --help\`.`)
    return result
  }
}
