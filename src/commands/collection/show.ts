import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {DEFAULT_LIMIT, limitFlag} from '../../base/flags.js'
import {showCollection} from '../../core/collection/service.js'
import type {CollectionDetail} from '../../core/collection/types.js'
import {presentCollection} from '../../ui/present/collection.js'

export default class CollectionShow extends AdminCommand<{collection: CollectionDetail}> {
  static override summary = 'Show a collection: members, levels mix, rules and deployed policies.'
  static override examples = ['<%= config.bin %> <%= command.id %> Servers', '<%= config.bin %> <%= command.id %> Servers --limit 10000 --json']
  static override args = {
    name: Args.string({description: 'Collection name.', required: true}),
  }

  static override flags = {
    limit: limitFlag('members'),
  }

  async run(): Promise<{collection: CollectionDetail}> {
    const {args, flags} = await this.parse(CollectionShow)
    const result = await showCollection(await this.backend(), {name: args.name, memberLimit: flags.limit ?? (this.jsonEnabled() ? Number.MAX_SAFE_INTEGER : DEFAULT_LIMIT), profile: this.profileName})
    this.present(() => presentCollection(result.collection))
    return result
  }
}
