import type {Backend} from '../port/types.js'
import {listPages, type PagedList} from '../port/page.js'
import {parseRole} from '../rbac/roles.js'
import type {ApiKeyInfo, CreatedApiKey} from './rules.js'

/** Creates an API key; the caller shows (or writes) the secret once. */
export async function createApiKey(backend: Backend, options: {name: string; role: string; ttlMs?: number}): Promise<{key: CreatedApiKey}> {
  return {key: await backend.apiKeys.create({name: options.name, role: parseRole(options.role), ttlMs: options.ttlMs})}
}

export async function listApiKeys(backend: Backend, options: {limit?: number} = {}): Promise<{keys: PagedList<ApiKeyInfo>}> {
  return {keys: await listPages((page) => backend.apiKeys.list(page), {limit: options.limit})}
}

export async function revokeApiKey(backend: Backend, options: {idOrName: string}): Promise<{key: ApiKeyInfo}> {
  return {key: await backend.apiKeys.revoke(options.idOrName)}
}
