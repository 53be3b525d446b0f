/** Device collections (issue 4): direct members, query rules re-evaluated on every change. */
import type {Page, PageRequest} from './page.js'
import type {CollectionCreateRequest, CollectionDetail, CollectionInfo, MembershipChange} from '../collection/types.js'

export interface CollectionApi {
  /** Creates a collection; an existing name is refused (exit 4), an unknown --limit-to is exit 3. */
  create(request: CollectionCreateRequest): Promise<CollectionInfo>
  /** By name. */
  list(request?: PageRequest): Promise<Page<CollectionInfo>>
  /** One collection with up to `memberLimit` members (default 1000). */
  get(name: string, options?: {memberLimit?: number}): Promise<CollectionDetail>
  /** Adds devices directly; unknown devices are exit 3 and nothing changes. */
  addMembers(name: string, devices: string[]): Promise<MembershipChange>
  /** Removes direct memberships; devices matched by a query rule stay members (reported). */
  removeMembers(name: string, devices: string[]): Promise<MembershipChange>
}
