import type {Backend} from '../port/types.js'
import {listPages, type PagedList} from '../port/page.js'
import {requireTenant} from '../tenant/service.js'
import type {DeleteImpact} from '../endpoint-lifecycle.js'
import {type CollectionChange, parseRule} from './rules.js'
import type {CollectionDetail, CollectionInfo, MembershipChange} from './types.js'

/** Asks the user to confirm a change that affects what is in use; rejects to cancel. */
export type ConfirmImpact = (impact: DeleteImpact) => Promise<void>

export async function createCollection(
  backend: Backend,
  options: {name: string; limitTo?: string; rules: string[]; profile: string},
): Promise<{collection: CollectionInfo; changed: boolean}> {
  for (const rule of options.rules) parseRule(rule) // usage errors before touching the backend
  await requireTenant(backend, options.profile)
  return backend.collections.create({name: options.name, limitTo: options.limitTo ?? null, rules: options.rules})
}

/** Changes a collection's rules and limit (issue 11 item 8); an unchanged result is `changed: false`. */
export async function updateCollection(backend: Backend, options: {name: string; change: CollectionChange; profile: string}): Promise<{collection: CollectionInfo; changed: boolean}> {
  for (const rule of [...(options.change.addRules ?? []), ...(options.change.removeRules ?? [])]) parseRule(rule)
  await requireTenant(backend, options.profile)
  return backend.collections.update(options.name, options.change)
}

/**
 * Deletes a collection. When it is in use (deployments, collections limited to it) `confirm`
 * is asked first with what it affects; the backend refuses an unconfirmed delete of one in use.
 */
export async function deleteCollection(
  backend: Backend,
  options: {name: string; confirm: ConfirmImpact; profile: string},
): Promise<{collection: CollectionInfo; changed: boolean; impact: DeleteImpact}> {
  await requireTenant(backend, options.profile)
  const preview = await backend.collections.delete(options.name, {dryRun: true})
  if (preview.impact.inUse) await options.confirm(preview.impact)
  return backend.collections.delete(options.name, {force: preview.impact.inUse})
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
