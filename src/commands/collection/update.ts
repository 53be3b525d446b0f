import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {updateCollection} from '../../core/collection/service.js'
import type {CollectionInfo} from '../../core/collection/types.js'
import {presentCollections} from '../../ui/present/collection.js'
import {changeLine} from '../../ui/present/lifecycle.js'

// Issue 11 item 8: collections change rules and limits in place.
export default class CollectionUpdate extends AdminCommand<{collection: CollectionInfo; changed: boolean}> {
  static override summary = 'Change the query rules or the limiting collection of a collection.'
  static override description = `Rules are checked as collection create checks them, and members are re-evaluated at once (deployed policies then reach the new members). --remove-rule takes a rule as the collection lists it (spacing and case do not matter); --clear-rules drops every rule before --add-rule applies. A collection cannot be limited to itself or to one limited to it. A change that leaves everything as it was exits 0 with changed: false.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> Servers --add-rule "os~Server and build>=14393"',
    '<%= config.bin %> <%= command.id %> Servers --remove-rule "os~Server" --limit-to "All managed"',
    '<%= config.bin %> <%= command.id %> Pilot --clear-rules --no-limit --json',
  ]

  static override args = {
    name: Args.string({description: 'Collection name.', required: true}),
  }

  static override flags = {
    'add-rule': Flags.string({description: 'Query membership rule to add, e.g. "build>=14393" (repeatable).', multiple: true}),
    'remove-rule': Flags.string({description: 'Query membership rule to remove (repeatable).', multiple: true}),
    'clear-rules': Flags.boolean({description: 'Remove every query rule (before --add-rule).'}),
    'limit-to': Flags.string({description: 'New limiting collection: members must also be in it.', exclusive: ['no-limit']}),
    'no-limit': Flags.boolean({description: 'Remove the limiting collection.', exclusive: ['limit-to']}),
  }

  async run(): Promise<{collection: CollectionInfo; changed: boolean}> {
    const {args, flags} = await this.parse(CollectionUpdate)
    const result = await updateCollection(await this.backend(), {
      name: args.name,
      change: {
        addRules: flags['add-rule'],
        removeRules: flags['remove-rule'],
        clearRules: flags['clear-rules'] || undefined,
        limitTo: flags['no-limit'] ? null : flags['limit-to'],
      },
      profile: this.profileName,
    })
    this.log(changeLine(`Collection '${result.collection.name}'`, result.changed, 'updated'))
    this.present(() => presentCollections([result.collection]))
    return result
  }
}
