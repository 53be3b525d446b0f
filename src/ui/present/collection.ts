import type {CollectionDetail, CollectionInfo, LevelMix, MembershipChange} from '../../core/collection/types.js'
import {moreFooter, renderFields, renderTable, withFooter} from '../table.js'
import {style} from '../style.js'

export const levelMix = (l: LevelMix) => `${l.upLevel} up / ${l.downLevel} down / ${l.unsupported} unsupported`

/** Both kinds in one collection need the "any OS" policy (CM3): say so. */
const mixWarning = (l: LevelMix) => (l.upLevel > 0 && l.downLevel > 0 ? style.warn(' (mixed: needs an any-OS policy)') : '')

export function presentCollections(collections: CollectionInfo[]): string {
  if (collections.length === 0) return 'No collections. Create one: atpctl collection create NAME --rule "build>=14393"'
  return renderTable(
    ['NAME', 'MEMBERS', 'LEVELS (UP/DOWN/UNSUPPORTED)', 'LIMIT TO', 'RULES', 'POLICIES'],
    collections.map((c) => [
      c.name,
      String(c.members),
      `${c.levels.upLevel}/${c.levels.downLevel}/${c.levels.unsupported}`,
      c.limitTo ?? '-',
      c.rules.join(' | ') || '-',
      c.policies.join(', ') || '-',
    ]),
  )
}

export function presentCollection(c: CollectionDetail): string {
  const head = renderFields([
    ['Collection', style.bold(c.name)],
    ['Members', `${c.members} (${c.directMembers} direct)`],
    ['Levels', levelMix(c.levels) + mixWarning(c.levels)],
    ['Families', Object.entries(c.families).map(([f, n]) => `${f} ${n}`).join(', ') || '-'],
    ['Limit to', c.limitTo ?? '-'],
    ['Rules', c.rules.join(' | ') || '-'],
    ['Policies', c.policies.join(', ') || '-'],
  ])
  if (c.memberList.length === 0) return head
  const table = renderTable(
    ['DEVICE', 'OS', 'LEVEL', 'VIA'],
    c.memberList.map((m) => [m.name, m.osName, m.level, m.via.join(',')]),
  )
  return withFooter(`${head}\n\n${table}`, c.truncated ? moreFooter({shown: c.memberList.length, total: c.members}) : '')
}

export function presentMembership(change: MembershipChange, action: 'add' | 'remove'): string {
  const lines = [
    `${style.ok('✓')} ${action === 'add' ? 'Added' : 'Removed'} ${change.changed.length} device(s) ${action === 'add' ? 'to' : 'from'} ${change.collection.name}; it has ${change.collection.members} member(s).`,
  ]
  if (change.unchanged.length > 0) lines.push(style.dim(`Unchanged: ${change.unchanged.join(', ')}`))
  if (change.stillMembers.length > 0) lines.push(style.warn(`Still members through a query rule or the inventory: ${change.stillMembers.join(', ')}`))
  return lines.join('\n')
}
