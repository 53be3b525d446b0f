import type {PagedList} from '../../core/port/page.js'
import {AdminCommand} from '../../base/command.js'
import {limitFlag, listLimit} from '../../base/flags.js'
import {listCollections} from '../../core/collection/service.js'
import type {CollectionInfo} from '../../core/collection/types.js'
import {presentCollections} from '../../ui/present/collection.js'

export default class CollectionList extends AdminCommand<{collections: PagedList<CollectionInfo>}> {
  static override summary = 'List collections with member counts and their up-level/down-level mix.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static override flags = {
    limit: limitFlag('collections'),
  }

  async run(): Promise<{collections: PagedList<CollectionInfo>}> {
    const {flags} = await this.parse(CollectionList)
    const result = await listCollections(await this.backend(), {limit: listLimit(flags.limit, this.jsonEnabled()), profile: this.profileName})
    await this.presentPaged(result.collections, presentCollections)
    return result
  }
}
