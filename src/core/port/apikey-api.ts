import type {Page, PageRequest} from './page.js'
import type {ApiKeyCreateOutcome, ApiKeyCreateRequest, ApiKeyInfo, ApiKeyVerification} from '../apikey/rules.js'

/** Admin API keys of `atpctl serve` (issue 7). Secrets are returned once and stored hashed. */
export interface ApiKeyApi {
  /**
   * Creates a key with a role (DC6); the secret is in the result and nowhere else. The same
   * create again (name, role, validity, key active) returns the key without a secret and
   * `changed: false`; the name with another role or validity, or revoked, is a ConflictError.
   */
  create(request: ApiKeyCreateRequest): Promise<ApiKeyCreateOutcome>
  /** Oldest first (created, id). */
  list(request?: PageRequest): Promise<Page<ApiKeyInfo>>
  /** Revokes by id or name; revoking twice is a no-op (`changed: false`). */
  revoke(idOrName: string): Promise<{key: ApiKeyInfo; changed: boolean}>
  /** Checks a presented secret; a valid one has its last use recorded. */
  verify(secret: string): Promise<ApiKeyVerification>
}
