import {Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {limitFlag, listLimit} from '../../base/flags.js'
import {parseDuration} from '../../core/duration.js'
import {OS_FAMILIES, OS_LEVELS} from '../../core/device/os.js'
import {listDevices} from '../../core/device/service.js'
import type {PagedList} from '../../core/port/page.js'
import {HEALTH_STATES, type Device, type Health, type OsFamily, type OsLevel} from '../../core/device/types.js'
import {presentDevices} from '../../ui/present/device.js'

// Rules (SPEC): CM2, CM6.
export default class DeviceList extends AdminCommand<{devices: PagedList<Device>}> {
  static override summary = 'List devices with their OS level, onboarding path and agent health.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --collection Servers --level down-level',
    '<%= config.bin %> <%= command.id %> --health not-onboarded --json',
    '<%= config.bin %> <%= command.id %> --os "Server 2016" --family windows-server',
    '<%= config.bin %> <%= command.id %> --name SRV-',
  ]

  static override flags = {
    name: Flags.string({description: 'Only devices whose name starts with this (case-insensitive).'}),
    collection: Flags.string({description: 'Only members of this collection.'}),
    os: Flags.string({description: 'OS text contains this (case-insensitive), e.g. "Server 2016".'}),
    family: Flags.string({description: 'OS family.', options: [...OS_FAMILIES]}),
    level: Flags.string({description: 'ConfigMgr level.', options: [...OS_LEVELS]}),
    health: Flags.string({description: 'Agent health.', options: [...HEALTH_STATES]}),
    'managed-by': Flags.string({description: 'Managed by configmgr, intune, defender-for-cloud or third-party:<provider>.'}),
    period: Flags.string({description: 'Health period: no data for this long means Inactive.', default: '7d'}),
    limit: limitFlag('devices'),
  }

  async run(): Promise<{devices: PagedList<Device>}> {
    const {flags} = await this.parse(DeviceList)
    // Page by page: --json of a million devices streams through in bounded memory.
    const listed = await listDevices(await this.backend(), {
      namePrefix: flags.name,
      collection: flags.collection,
      os: flags.os,
      osFamily: flags.family as OsFamily | undefined,
      level: flags.level as OsLevel | undefined,
      health: flags.health as Health | undefined,
      managedBy: flags['managed-by'],
      periodMs: parseDuration(flags.period, '--period'),
      limit: listLimit(flags.limit, this.jsonEnabled()),
      profile: this.profileName,
    })
    await this.presentPaged(listed.devices, presentDevices)
    return listed
  }
}
