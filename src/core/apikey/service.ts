import type {Backend} from '../port/types.js'
import {listPages, type PagedList} from '../port/page.js'
import {parseRole} from '../rbac/roles.js'
import type {ApiKeyCreateOutcome, ApiKeyInfo} from './rules.js'

/** Creates an API key; the caller shows (or writes) the secret once. The same create again has no secret (`changed: false`). */
export async function createApiKey(backend: Backend, options: {name: string; role: string; ttlMs?: number}): Promise<ApiKeyCreateOutcome> {
  return backend.apiKeys.create({name: options.name, role: parseRole(options.role), ttlMs: options.ttlMs})
}

export async function listApiKeys(backend: Backend, options: {limit?: number} = {}): Promise<{keys: PagedList<ApiKeyInfo>}> {
  return {keys: await listPages((page) => backend.apiKeys.list(page), {limit: options.limit})}
}

export async function revokeApiKey(backend: Backend, options: {idOrName: string}): Promise<{key: ApiKeyInfo; changed: boolean}> {
  return backend.apiKeys.revoke(options.idOrName)
}
