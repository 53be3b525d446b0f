import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {parseDuration} from '../../core/duration.js'
import {isAtpError} from '../../core/errors.js'
import {showDevice} from '../../core/device/service.js'
import type {Device} from '../../core/device/types.js'
import type {SettingConflict} from '../../core/intune/types.js'
import {presentDevice} from '../../ui/present/device.js'
import {presentConflicts} from '../../ui/present/intune.js'

// Rules (SPEC): IN5.
export default class DeviceShow extends AdminCommand<{device: Device; conflicts: SettingConflict[]}> {
  static override summary = 'Show one device: its OS classification, how it was onboarded or why not, and its health.'
  static override examples = ['<%= config.bin %> <%= command.id %> SRV-2016-01', '<%= config.bin %> <%= command.id %> lnx-web-1 --json']
  static override args = {
    name: Args.string({description: 'Device name (case-insensitive).', required: true}),
  }

  static override flags = {
    period: Flags.string({description: 'Health period: no data for this long means Inactive.', default: '7d'}),
  }

  async run(): Promise<{device: Device; conflicts: SettingConflict[]}> {
    const {args, flags} = await this.parse(DeviceShow)
    const result = await showDevice(await this.backend(), {name: args.name, periodMs: parseDuration(flags.period, '--period'), profile: this.profileName})
    this.present(() => presentDevice(result.device))
    // IN5 (issue 6): settings an EDR profile and a ConfigMgr policy set differently here.
    const backend = await this.backend()
    let conflicts: SettingConflict[] = []
    if (backend.capabilities['intune-groups-and-profiles'].supported) {
      try {
        conflicts = await backend.intune.deviceConflicts(result.device.name)
      } catch (error) {
        // On a real tenant the conflicts come from Microsoft Graph: without its permission the device is still shown.
        if (!(isAtpError(error) && error.exitCode === 5)) throw error
        this.logToStderr(`Intune setting conflicts are not shown: ${error.message}`)
      }
    }

    if (conflicts.length > 0) this.log(`\nConflicts:\n${presentConflicts(conflicts)}`)
    return {...result, conflicts}
  }
}
