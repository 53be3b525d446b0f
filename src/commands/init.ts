import {Flags} from '@oclif/core'
import {AdminCommand} from '../base/command.js'
import {LOCATION_FACTS, LOCATIONS, type Location, parseLocation} from '../core/tenant/model.js'
import {type InitResult, initTenant} from '../core/tenant/service.js'
import {ensureProfile} from '../lib/profiles.js'
import {presentTenant} from '../ui/present/tenant.js'

export default class Init extends AdminCommand<InitResult> {
  static override summary = 'Create the tenant of a profile: org id, data location, workspace and signing identity.'
  static override description = `The data location can never be changed afterwards (T1): running init again with the same location does nothing, with another location it is refused (exit 4). On a terminal, missing values are asked for; otherwise pass --location.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --location eu',
    '<%= config.bin %> <%= command.id %> --location us --datacenter CentralUs3 --profile lab',
    '<%= config.bin %> <%= command.id %> --location uk --json',
  ]

  static override flags = {
    datacenter: Flags.string({description: 'Datacenter within the location (default: the first of the location).'}),
    location: Flags.string({description: 'Data location of the tenant, fixed forever (T1).', options: [...LOCATIONS]}),
  }

  protected override createsProfile = true

  async run(): Promise<InitResult> {
    const {flags} = await this.parse(Init)
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
    this.log(presentTenant(result.tenant))
    this.note(result.created ? `Tenant created in profile '${this.profileName}'.` : `Tenant already exists in profile '${this.profileName}'; nothing changed.`)
    return result
  }
}
