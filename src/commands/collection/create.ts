import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {createCollection} from '../../core/collection/service.js'
import type {CollectionInfo} from '../../core/collection/types.js'
import {presentCollections} from '../../ui/present/collection.js'
import {changeLine} from '../../ui/present/lifecycle.js'

export default class CollectionCreate extends AdminCommand<{collection: CollectionInfo; changed: boolean}> {
  static override summary = 'Create a device collection with optional query rules and a limiting collection.'
  static override description = `A rule is FIELD OP VALUE, several joined by "and": fields name, os, os-name, family, build, release, level, environment, subscription, managed-by, user, group; operators = != ~ (contains) !~ > >= < <= (numbers: build). Several --rule flags are unioned, like ConfigMgr membership rules. Rules are re-evaluated whenever the inventory changes. Creating a collection that exists with the same rules and limit changes nothing (exit 0); with other rules or another limit it is a conflict (exit 4): change it with collection update.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> "Up-level clients" --rule "build>=14393 and family=windows"',
    '<%= config.bin %> <%= command.id %> Servers --rule "os~Server" --limit-to "All managed"',
    '<%= config.bin %> <%= command.id %> Pilot --json',
  ]

  static override args = {
    name: Args.string({description: 'Collection name.', required: true}),
  }

  static override flags = {
    'limit-to': Flags.string({description: 'Limiting collection: members must also be in it.'}),
    rule: Flags.string({description: 'Query membership rule, e.g. "build>=14393" (repeatable).', multiple: true}),
  }

  async run(): Promise<{collection: CollectionInfo; changed: boolean}> {
    const {args, flags} = await this.parse(CollectionCreate)
    const result = await createCollection(await this.backend(), {name: args.name, limitTo: flags['limit-to'], rules: flags.rule ?? [], profile: this.profileName})
    this.log(changeLine(`Collection '${result.collection.name}'`, result.changed, 'created'))
    this.present(() => presentCollections([result.collection]))
    return result
  }
}
