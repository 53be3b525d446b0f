/** Device collections (issue 4): direct members, query rules re-evaluated on every change. */
import type {CollectionChange} from '../collection/rules.js'
import type {Page, PageRequest} from './page.js'
import type {CollectionCreateRequest, CollectionDetail, CollectionInfo, MembershipChange} from '../collection/types.js'
import type {DeleteImpact} from '../endpoint-lifecycle.js'

/** Options of a delete: `dryRun` only reports what it would affect; `force` confirms a delete of something in use. */
export interface RemovalOptions {
  dryRun?: boolean
  force?: boolean
}

export interface CollectionApi {
  /**
   * Creates a collection. The same create again (same rules and limit) changes nothing
   * (`changed: false`); the name with other rules or limit is a ConflictError (exit 4); an
   * unknown limitTo is exit 3.
   */
  create(request: CollectionCreateRequest): Promise<{collection: CollectionInfo; changed: boolean}>
  /** By name. */
  list(request?: PageRequest): Promise<Page<CollectionInfo>>
  /** One collection with up to `memberLimit` members (default 1000). */
  get(name: string, options?: {memberLimit?: number}): Promise<CollectionDetail>
  /** Changes rules and limit (re-validated like a create); members are re-evaluated. */
  update(name: string, change: CollectionChange): Promise<{collection: CollectionInfo; changed: boolean}>
  /**
   * Deletes a collection. In use (policies deployed to it, collections limited to it) it is
   * refused (RuleError IN_USE, exit 4) unless `force`; then its deployments go and the
   * collections limited to it take over its limit. `dryRun` reports the impact only.
   */
  delete(name: string, options?: RemovalOptions): Promise<{collection: CollectionInfo; changed: boolean; impact: DeleteImpact}>
  /** Adds devices directly; unknown devices are exit 3 and nothing changes. */
  addMembers(name: string, devices: string[]): Promise<MembershipChange>
  /** Removes direct memberships; devices matched by a query rule stay members (reported). */
  removeMembers(name: string, devices: string[]): Promise<MembershipChange>
}
