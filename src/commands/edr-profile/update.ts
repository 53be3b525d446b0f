import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {SAMPLE_SHARING} from '../../core/intune/edr.js'
import {updateEdrProfile} from '../../core/intune/service.js'
import type {EdrProfileDetail, SampleSharing} from '../../core/intune/types.js'
import {outcomeLine, presentEdrProfile} from '../../ui/present/intune.js'

type Result = EdrProfileDetail & {changed: boolean}

// Rules (SPEC): IN2, IN4.
export default class EdrProfileUpdate extends AdminCommand<Result> {
  static override summary = "Change an EDR profile's settings or assignments."
  static override description = `Only what you pass changes. --assign-device-group and --assign-user-group replace that list
of assignments (repeat them for several groups); --no-device-groups / --no-user-groups clear
it. Every rule of edr-profile create applies again; the same settings change nothing
("changed": false).`

  static override examples = [
    '<%= config.bin %> <%= command.id %> "EDR onboarding" --sample-sharing none',
    '<%= config.bin %> <%= command.id %> "EDR onboarding" --assign-device-group Finance --assign-device-group HR --json',
    '<%= config.bin %> <%= command.id %> "EDR onboarding" --no-user-groups --expedite-telemetry',
  ]

  static override args = {name: Args.string({description: 'Profile name or id.', required: true})}
  static override flags = {
    description: Flags.string({description: 'The new description ("" removes it).'}),
    'sample-sharing': Flags.string({description: 'Sample sharing for all files.', options: [...SAMPLE_SHARING]}),
    'expedite-telemetry': Flags.boolean({description: 'Expedite telemetry reporting frequency (--no-expedite-telemetry: normal).', allowNo: true}),
    'assign-device-group': Flags.string({description: 'Device group to assign (repeatable); replaces the device-group assignments.', multiple: true, exclusive: ['no-device-groups']}),
    'assign-user-group': Flags.string({description: 'User group to assign (repeatable); replaces the user-group assignments.', multiple: true, exclusive: ['no-user-groups']}),
    'no-device-groups': Flags.boolean({description: 'Remove every device-group assignment.', default: false}),
    'no-user-groups': Flags.boolean({description: 'Remove every user-group assignment.', default: false}),
  }

  async run(): Promise<Result> {
    const {args, flags} = await this.parse(EdrProfileUpdate)
    const result = await updateEdrProfile(await this.backend(), {
      name: args.name,
      description: flags.description,
      sampleSharing: flags['sample-sharing'] as SampleSharing | undefined,
      expediteTelemetry: flags['expedite-telemetry'],
      deviceGroups: flags['no-device-groups'] ? [] : flags['assign-device-group'],
      userGroups: flags['no-user-groups'] ? [] : flags['assign-user-group'],
      profile: this.profileName,
    })
    this.log(`${outcomeLine('EDR profile', result.profile.name, 'updated', result.changed)}\n`)
    this.present(() => presentEdrProfile(result))
    return result
  }
}
