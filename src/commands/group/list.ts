import type {PagedList} from '../../core/port/page.js'
import {AdminCommand} from '../../base/command.js'
import {limitFlag, listLimit} from '../../base/flags.js'
import {listGroups} from '../../core/intune/service.js'
import type {GroupInfo} from '../../core/intune/types.js'
import {presentGroups} from '../../ui/present/intune.js'

export default class GroupList extends AdminCommand<{groups: PagedList<GroupInfo>}> {
  static override summary = 'List groups: those created with atpctl and those the device inventory names.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static override flags = {
    limit: limitFlag('groups'),
  }

  async run(): Promise<{groups: PagedList<GroupInfo>}> {
    const {flags} = await this.parse(GroupList)
    const result = await listGroups(await this.backend(), {limit: listLimit(flags.limit, this.jsonEnabled()), profile: this.profileName})
    await this.presentPaged(result.groups, presentGroups)
    return result
  }
}
