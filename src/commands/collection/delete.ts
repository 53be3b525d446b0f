import {Args} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {yesFlag} from '../../base/flags.js'
import {deleteCollection} from '../../core/collection/service.js'
import type {CollectionInfo} from '../../core/collection/types.js'
import {type DeleteImpact, inUseLead} from '../../core/endpoint-lifecycle.js'
import {impactQuestion, presentImpact} from '../../ui/present/lifecycle.js'
import {style} from '../../ui/style.js'

// Issue 11 item 8: deleting something in use asks, and says what it affects.
export default class CollectionDelete extends AdminCommand<{collection: CollectionInfo; changed: boolean; impact: DeleteImpact}> {
  static override summary = 'Delete a collection (asks first when policies are deployed to it or collections are limited to it).'
  static override description = `Its deployments are removed (the devices they targeted no longer get those policies), and collections limited to it take over its own limiting collection. Devices stay in the inventory. Without a terminal, deleting a collection in use needs --yes.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> Pilot',
    '<%= config.bin %> <%= command.id %> "Old servers" --yes --json',
  ]

  static override args = {name: Args.string({description: 'Collection name.', required: true})}
  static override flags = {yes: yesFlag}

  async run(): Promise<{collection: CollectionInfo; changed: boolean; impact: DeleteImpact}> {
    const {args, flags} = await this.parse(CollectionDelete)
    const result = await deleteCollection(await this.backend(), {
      name: args.name,
      profile: this.profileName,
      confirm: (impact) =>
        this.confirm(impactQuestion(inUseLead(`Collection '${args.name}'`), impact, 'Delete it?'), {yes: flags.yes, what: `delete the collection '${args.name}' (in use)`}),
    })
    this.log(`${style.ok('✓')} Deleted collection '${result.collection.name}'.`)
    if (result.impact.inUse) this.log(presentImpact(result.impact))
    return result
  }
}
