import type {Migration} from './index.js'

/** Generated onboarding/offboarding packages (issue 3). */
export const packages: Migration = {
  version: 2,
  name: 'packages',
  sql: `
    CREATE TABLE package (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('onboarding','offboarding')),
      os TEXT NOT NULL,
      method TEXT NOT NULL,
      file_name TEXT NOT NULL,
      path TEXT NOT NULL,
      sha256 TEXT NOT NULL,
      bytes INTEGER NOT NULL,
      org_id TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT
    );
    CREATE INDEX package_created ON package(created_at);
  `,
}
