import {AdminCommand} from '../../base/command.js'
import {listCollections} from '../../core/collection/service.js'
import type {CollectionInfo} from '../../core/collection/types.js'
import {presentCollections} from '../../ui/present/collection.js'

export default class CollectionList extends AdminCommand<{collections: CollectionInfo[]}> {
  static override summary = 'List collections with member counts and their up-level/down-level mix.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<{collections: CollectionInfo[]}> {
    await this.parse(CollectionList)
    const result = await listCollections(await this.backend(), {profile: this.profileName})
    this.present(() => presentCollections(result.collections))
    return result
  }
}
