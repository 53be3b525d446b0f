/** Device collections (ConfigMgr-style): direct members, query rules, a limiting collection. */
export interface LevelMix {
  upLevel: number
  downLevel: number
  unsupported: number
}

export interface CollectionInfo {
  name: string
  /** The limiting collection: members must also be members of it. */
  limitTo: string | null
  /** Query membership rules (unioned; each rule's conditions are joined by `and`). */
  rules: string[]
  members: number
  /** Members added directly (inventory `collections` column or `collection add`). */
  directMembers: number
  levels: LevelMix
  /** Members per OS family. */
  families: Record<string, number>
  /** Policies deployed to it. */
  policies: string[]
  createdAt: string
}

export interface CollectionMember {
  name: string
  osName: string
  level: string
  /** How it got in: inventory, manual, rule (several possible). */
  via: string[]
}

export interface CollectionDetail extends CollectionInfo {
  /** Members by name, at most `memberLimit` of them (see `members` for the count). */
  memberList: CollectionMember[]
  truncated: boolean
}

export interface CollectionCreateRequest {
  name: string
  limitTo?: string | null
  rules?: string[]
}

export interface MembershipChange {
  collection: CollectionInfo
  changed: string[]
  unchanged: string[]
  /** Devices still members through a query rule or the inventory after a removal. */
  stillMembers: string[]
}
