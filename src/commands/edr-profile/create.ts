import {Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {SAMPLE_SHARING} from '../../core/intune/edr.js'
import {createEdrProfile} from '../../core/intune/service.js'
import type {EdrProfileDetail} from '../../core/intune/types.js'
import {outcomeLine, presentEdrProfile} from '../../ui/present/intune.js'

type Result = EdrProfileDetail & {changed: boolean}

// Rules (SPEC): IN2, IN4.
export default class EdrProfileCreate extends AdminCommand<Result> {
  static override summary = 'Create an Endpoint detection and response profile (Windows 10 and later) that onboards the devices it reaches.'
  static override description = `Settings sample sharing and expedited telemetry reporting; assigned to device groups
and/or user groups. A user-group assignment reaches a device only once that user has signed in
there. A reached Windows device managed by Intune is onboarded when the Intune connection's
Windows toggle is on and it runs 10.0.15063 or later. The same create again changes nothing
(exit 0, "changed": false); the name with other settings is a conflict (exit 4): change it with
atpctl edr-profile update.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --name "EDR onboarding" --sample-sharing all --assign-device-group Finance',
    '<%= config.bin %> <%= command.id %> --name "EDR users" --sample-sharing none --expedite-telemetry --assign-user-group "Sales users" --json',
  ]

  static override flags = {
    name: Flags.string({description: 'Profile name.', required: true}),
    description: Flags.string({description: 'What the profile is for.'}),
    'sample-sharing': Flags.string({description: 'Sample sharing for all files.', options: [...SAMPLE_SHARING], default: 'all'}),
    'expedite-telemetry': Flags.boolean({description: 'Expedite telemetry reporting frequency (for high-risk devices).', default: false}),
    'assign-device-group': Flags.string({description: 'Device group to assign the profile to (repeatable).', multiple: true, default: []}),
    'assign-user-group': Flags.string({description: 'User group to assign the profile to (repeatable); applies after the user signs in.', multiple: true, default: []}),
  }

  async run(): Promise<Result> {
    const {flags} = await this.parse(EdrProfileCreate)
    const result = await createEdrProfile(await this.backend(), {
      name: flags.name,
      description: flags.description,
      sampleSharing: flags['sample-sharing'] as 'none' | 'all',
      expediteTelemetry: flags['expedite-telemetry'],
      deviceGroups: flags['assign-device-group'],
      userGroups: flags['assign-user-group'],
      profile: this.profileName,
    })
    this.log(`${outcomeLine('EDR profile', result.profile.name, 'created', result.changed)}\n`)
    this.present(() => presentEdrProfile(result))
    return result
  }
}
