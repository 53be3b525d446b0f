import {Flags} from '@oclif/core'
import {AdminCommand} from '../base/command.js'
import {LOCATION_FACTS, LOCATIONS, type Location, parseLocation} from '../core/tenant/model.js'
import {type InitResult, initTenant} from '../core/tenant/service.js'
import {ensureProfile} from '../lib/profiles.js'
import {presentTenant} from '../ui/present/tenant.js'

// Rules (SPEC): T1.
export default class Init extends AdminCommand<InitResult> {
  static override summary = 'Create the tenant of a profile: org id, data location, workspace and signing identity.'
  static override description = `The data location can never be changed afterwards: running init again with the same location does nothing, with another location it is refused (exit 4). On a terminal, missing values are asked for; otherwise pass --location.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --location eu',
    '<%= config.bin %> <%= command.id %> --location us --datacenter CentralUs3 --profile lab',
    '<%= config.bin %> <%= command.id %> --location uk --json',
  ]

  static override flags = {
    datacenter: Flags.string({description: 'Datacenter within the location (default: the first of the location).'}),
    location: Flags.string({description: 'Data location of the tenant, fixed forever.', options: [...LOCATIONS]}),
    remote: Flags.string({description: 'URL of an `atpctl serve` server: this profile then uses its tenant (remote backend).', dependsOn: ['api-key-file']}),
    'api-key-file': Flags.string({description: 'File with the API key for --remote; stored owner-only, never printed.', dependsOn: ['remote']}),
    'ca-file': Flags.string({description: 'PEM certificate to trust for a self-signed --remote server (TLS verification stays on).', dependsOn: ['remote']}),
  }

  protected override createsProfile = true

  async run(): Promise<InitResult> {
    const {flags} = await this.parse(Init)
    if (flags.remote !== undefined) return this.initRemote(flags.remote, flags['api-key-file']!, flags['ca-file'], flags.location, flags.datacenter)
    let location: Location
    let datacenter = flags.datacenter
    if (flags.location) {
      location = parseLocation(flags.location)
    } else {
      this.requireInteractive('--location us|eu|uk', 'the data location of the tenant')
      location = await this.prompter.select(
        'Data location (cannot be changed later)',
        LOCATIONS.map((l) => ({value: l, name: l, description: `datacenters: ${LOCATION_FACTS[l].datacenters.join(', ')}`})),
      )
      datacenter ??= await this.prompter.select(
        'Datacenter',
        LOCATION_FACTS[location].datacenters.map((d) => ({value: d})),
      )
    }

    const spinner = await this.spinner('Creating the tenant and its signing identity')
    spinner.start()
    const result = await initTenant(await this.backend(), {location, datacenter, profile: this.profileName})
    spinner.stop()
    await ensureProfile(this.home, this.profileName)
    this.present(() => presentTenant(result.tenant))
    this.note(result.created ? `Tenant created in profile '${this.profileName}'.` : `Tenant already exists in profile '${this.profileName}'; nothing changed.`)
    return result
  }

  /** `--remote`: connect the profile to a server (issue 7), then create or show the server's tenant. */
  private async initRemote(url: string, apiKeyFile: string, caFile: string | undefined, location: string | undefined, datacenter: string | undefined): Promise<InitResult> {
    const {connectRemoteProfile, initRemoteTenant} = await import('../backends/remote/profile.js')
    const {backend, connection} = await connectRemoteProfile(this.home, this.profileName, {url, apiKeyFile, caFile}, this.profileName)
    try {
      this.note(`Profile '${this.profileName}' now uses ${connection.url} as API key '${connection.whoami.name}' (role ${connection.whoami.role}).`)
      const result = await initRemoteTenant(backend, {profile: this.profileName, location: location ? parseLocation(location) : undefined, datacenter})
      this.present(() => presentTenant(result.tenant))
      return result
    } finally {
      await backend.close()
    }
  }
}
