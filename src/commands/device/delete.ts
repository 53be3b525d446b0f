import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {yesFlag} from '../../base/flags.js'
import {deleteDevices} from '../../core/device/service.js'
import {type DeleteImpact, inUseLead} from '../../core/endpoint-lifecycle.js'
import {presentDeviceDelete} from '../../ui/present/device.js'
import {impactQuestion, presentImpact} from '../../ui/present/lifecycle.js'

type DeviceDeleteResult = {devices: string[]; changed: boolean; impact: DeleteImpact}

// Issue 11 item 8: devices can leave the inventory.
export default class DeviceDelete extends AdminCommand<DeviceDeleteResult> {
  static override summary = 'Delete devices from the inventory (asks first for direct members of collections or groups).'
  static override description = `All or nothing: an unknown name is exit 3 and nothing is deleted. The devices leave every collection and group; their alerts stay in the queue. This removes inventory records only: to take Defender off a machine, deploy an offboarding policy first. A later import that lists a device brings it back. Without a terminal, deleting a direct member of a collection or group needs --yes.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> PC-OLD-01',
    '<%= config.bin %> <%= command.id %> PC-OLD-01 PC-OLD-02 --yes --json',
  ]

  static override strict = false
  static override args = {name: Args.string({description: 'Device names (several allowed).', required: true})}
  static override flags = {yes: yesFlag}

  async run(): Promise<DeviceDeleteResult> {
    const {argv, flags} = await this.parse(DeviceDelete)
    const names = argv as string[]
    const what = names.length === 1 ? `delete the device '${names[0]}' (in use)` : `delete ${names.length} devices (some in use)`
    const result = await deleteDevices(await this.backend(), {
      names,
      profile: this.profileName,
      confirm: (impact) => this.confirm(impactQuestion(names.length === 1 ? inUseLead(`Device '${names[0]}'`) : inUseLead('Some of these devices', true), impact, names.length === 1 ? 'Delete it?' : 'Delete them?'), {yes: flags.yes, what}),
    })
    this.present(() => presentDeviceDelete(result))
    if (result.impact.inUse) this.log(presentImpact(result.impact))
    return result
  }
}
