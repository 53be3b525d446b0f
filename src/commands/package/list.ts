import {Flags} from '@oclif/core'
import type {PagedList} from '../../core/port/page.js'
import {AdminCommand} from '../../base/command.js'
import {limitFlag, listLimit} from '../../base/flags.js'
import {PACKAGE_KINDS, type PackageKind} from '../../core/package/layout.js'
import {listPackages, type PackageListEntry} from '../../core/package/service.js'
import {presentPackages} from '../../ui/present/package.js'

export default class PackageList extends AdminCommand<{packages: PagedList<PackageListEntry>}> {
  static override summary = 'List the packages generated for this tenant, with their expiry.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --kind offboarding --json']

  static override flags = {
    limit: limitFlag('packages'),
    kind: Flags.string({description: 'Only onboarding or offboarding packages.', options: [...PACKAGE_KINDS]}),
  }

  async run(): Promise<{packages: PagedList<PackageListEntry>}> {
    const {flags} = await this.parse(PackageList)
    const result = await listPackages(await this.backend(), {limit: listLimit(flags.limit, this.jsonEnabled()), profile: this.profileName, kind: flags.kind as PackageKind | undefined})
    await this.presentPaged(result.packages, presentPackages)
    return result
  }
}
