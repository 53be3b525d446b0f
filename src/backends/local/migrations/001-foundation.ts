import type {Migration} from './index.js'

/** Tenant, integrations, third-party tokens and the audit log (issue: foundation). */
export const foundation: Migration = {
  version: 1,
  name: 'foundation',
  sql: `
    CREATE TABLE tenant (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      org_id TEXT NOT NULL,
      location TEXT NOT NULL CHECK (location IN ('us','eu','uk')),
      datacenter TEXT NOT NULL,
      vortex_geo TEXT NOT NULL,
      workspace_id TEXT NOT NULL,
      workspace_key TEXT NOT NULL,
      signing_key_pem TEXT NOT NULL,
      signing_cert_der BLOB NOT NULL,
      ca_cert_der BLOB NOT NULL,
      created_at TEXT NOT NULL
    );

    CREATE TABLE third_party_integration (
      provider TEXT PRIMARY KEY,
      enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0,1)),
      changed_at TEXT
    );

    CREATE TABLE token (
      id TEXT PRIMARY KEY,
      provider TEXT NOT NULL,
      secret_sha256 TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      revoked_at TEXT,
      revoked_reason TEXT,
      last_used_at TEXT
    );
    CREATE INDEX token_provider ON token(provider);

    CREATE TABLE intune_connection (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      enabled INTEGER NOT NULL DEFAULT 0,
      android INTEGER NOT NULL DEFAULT 0,
      ios INTEGER NOT NULL DEFAULT 0,
      windows INTEGER NOT NULL DEFAULT 0,
      changed_at TEXT
    );

    -- Conditional access policies (IN3, IN8). The classic one is created by the Intune
    -- connection and is protected: atpctl refuses to edit or delete it.
    CREATE TABLE access_policy (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL CHECK (kind IN ('classic','custom')),
      protected INTEGER NOT NULL DEFAULT 0,
      enabled INTEGER NOT NULL DEFAULT 1,
      definition TEXT NOT NULL DEFAULT '{}',
      created_at TEXT NOT NULL
    );

    CREATE TABLE dfc_subscription (
      subscription_id TEXT PRIMARY KEY,
      cloud TEXT NOT NULL,
      windows INTEGER NOT NULL DEFAULT 0,
      linux INTEGER NOT NULL DEFAULT 0,
      changed_at TEXT NOT NULL
    );

    CREATE TABLE audit_log (
      seq INTEGER PRIMARY KEY,
      time TEXT NOT NULL,
      actor TEXT NOT NULL,
      operation TEXT NOT NULL,
      target TEXT NOT NULL,
      outcome TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    );
  `,
}
