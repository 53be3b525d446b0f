import type {Migration} from './index.js'

/** Admin API keys of `atpctl serve`, stored as SHA-256 hashes only (issue 7). */
export const server: Migration = {
  version: 6,
  name: 'server',
  sql: `
    CREATE TABLE api_key (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      role TEXT NOT NULL CHECK (role IN ('owner','security-admin','security-reader','reader','endpoint-protection-manager')),
      secret_sha256 TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL,
      expires_at TEXT,
      revoked_at TEXT,
      last_used_at TEXT
    );
  `,
}
