import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {resolveAlert} from '../../core/alert/service.js'
import {CLASSIFICATION_CHOICES, DETERMINATION_CHOICES} from '../../core/alert/wire.js'
import type {Alert} from '../../core/alert/types.js'
import {presentAlert} from '../../ui/present/alert.js'
import {style} from '../../ui/style.js'

export default class AlertResolve extends AdminCommand<{alert: Alert; changed: boolean}> {
  static override summary = 'Resolve an alert; the device\'s risk drops once none of its alerts is active.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> da638671234567890123_1234567890 --comment "EICAR detection test"',
    '<%= config.bin %> <%= command.id %> da638671234567890123_1234567890 --json',
    '<%= config.bin %> <%= command.id %> da638671234567890123_1234567890 --classification informational-expected-activity --determination security-testing --comment "EICAR test"',
  ]

  static override args = {
    id: Args.string({description: 'Alert id (see `atpctl alert list`).', required: true}),
  }

  static override flags = {
    comment: Flags.string({description: 'Why it is resolved; recorded on the alert.'}),
    classification: Flags.string({description: 'What the alert was.', options: Object.keys(CLASSIFICATION_CHOICES)}),
    determination: Flags.string({description: 'What caused it.', options: Object.keys(DETERMINATION_CHOICES)}),
  }

  async run(): Promise<{alert: Alert; changed: boolean}> {
    const {args, flags} = await this.parse(AlertResolve)
    const result = await resolveAlert(await this.backend(), {
      id: args.id,
      comment: flags.comment,
      classification: flags.classification,
      determination: flags.determination,
      profile: this.profileName,
    })
    this.note(result.changed ? style.ok(`Alert ${result.alert.id} resolved.`) : `Alert ${result.alert.id} was already resolved.`)
    this.present(() => presentAlert(result.alert))
    return result
  }
}
