import type {Page, PageRequest} from './page.js'
import type {ApiKeyCreateRequest, ApiKeyInfo, ApiKeyVerification, CreatedApiKey} from '../apikey/rules.js'

/** Admin API keys of `atpctl serve` (issue 7). Secrets are returned once and stored hashed. */
export interface ApiKeyApi {
  /** Creates a key with a role (DC6); the secret is in the result and nowhere else. */
  create(request: ApiKeyCreateRequest): Promise<CreatedApiKey>
  /** Oldest first (created, id). */
  list(request?: PageRequest): Promise<Page<ApiKeyInfo>>
  /** Revokes by id or name; revoking twice is a no-op. */
  revoke(idOrName: string): Promise<ApiKeyInfo>
  /** Checks a presented secret; a valid one has its last use recorded. */
  verify(secret: string): Promise<ApiKeyVerification>
}
