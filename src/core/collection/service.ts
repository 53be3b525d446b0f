import type {Backend} from '../port/types.js'
import {listPages, type PagedList} from '../port/page.js'
import {requireTenant} from '../tenant/service.js'
import {parseRule} from './rules.js'
import type {CollectionDetail, CollectionInfo, MembershipChange} from './types.js'

export async function createCollection(
  backend: Backend,
  options: {name: string; limitTo?: string; rules: string[]; profile: string},
): Promise<{collection: CollectionInfo}> {
  for (const rule of options.rules) parseRule(rule) // usage errors before touching the backend
  await requireTenant(backend, options.profile)
  return {collection: await backend.collections.create({name: options.name, limitTo: options.limitTo ?? null, rules: options.rules})}
}

export async function listCollections(backend: Backend, options: {profile: string; limit?: number}): Promise<{collections: PagedList<CollectionInfo>}> {
  await requireTenant(backend, options.profile)
  return {collections: await listPages((page) => backend.collections.list(page), {limit: options.limit})}
}

export async function showCollection(backend: Backend, options: {name: string; memberLimit?: number; profile: string}): Promise<{collection: CollectionDetail}> {
  await requireTenant(backend, options.profile)
  return {collection: await backend.collections.get(options.name, {memberLimit: options.memberLimit})}
}

export async function changeMembers(
  backend: Backend,
  options: {name: string; devices: string[]; action: 'add' | 'remove'; profile: string},
): Promise<MembershipChange> {
  await requireTenant(backend, options.profile)
  return options.action === 'add' ? backend.collections.addMembers(options.name, options.devices) : backend.collections.removeMembers(options.name, options.devices)
}
