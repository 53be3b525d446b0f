import type {Migration} from './index.js'

/**
 * Devices (inventory), collections with direct and query membership, Configuration Manager ATP
 * policies and their deployments (issue 4; CM1–CM8). Onboarding and health are not stored:
 * they are computed on read from these tables and the integration tables, so an import, a
 * deployment or an integration change is reflected at once and deterministically.
 */
export const devices: Migration = {
  version: 3,
  name: 'devices',
  sql: `
    CREATE TABLE device (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL COLLATE NOCASE UNIQUE,
      os TEXT NOT NULL,
      version TEXT,
      os_family TEXT NOT NULL,
      os_name TEXT NOT NULL,
      build INTEGER,
      release TEXT,
      level TEXT NOT NULL CHECK (level IN ('up-level','down-level','unsupported')),
      min_configmgr INTEGER,
      multi_session INTEGER NOT NULL DEFAULT 0,
      managed_by TEXT NOT NULL DEFAULT '',
      configmgr INTEGER NOT NULL DEFAULT 0,
      dfc INTEGER NOT NULL DEFAULT 0,
      intune INTEGER NOT NULL DEFAULT 0,
      third_party TEXT,
      environment TEXT,
      subscription TEXT,
      user TEXT,
      groups TEXT NOT NULL DEFAULT '',
      last_seen TEXT,
      sensor_service TEXT NOT NULL DEFAULT 'running' CHECK (sensor_service IN ('running','stopped','absent')),
      other_fanotify INTEGER NOT NULL DEFAULT 0,
      previous_install INTEGER NOT NULL DEFAULT 0,
      source TEXT NOT NULL DEFAULT 'inventory' CHECK (source IN ('inventory','sensor')),
      updated_at TEXT NOT NULL
    );
    CREATE INDEX device_subscription ON device(subscription);

    CREATE TABLE collection (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL COLLATE NOCASE UNIQUE,
      limit_to INTEGER REFERENCES collection(id),
      rules TEXT NOT NULL DEFAULT '[]',
      created_at TEXT NOT NULL
    );

    -- Direct membership: named by the inventory's collections column, or added by hand.
    CREATE TABLE collection_direct (
      collection_id INTEGER NOT NULL REFERENCES collection(id) ON DELETE CASCADE,
      device_id INTEGER NOT NULL REFERENCES device(id) ON DELETE CASCADE,
      source TEXT NOT NULL CHECK (source IN ('inventory','manual')),
      PRIMARY KEY (collection_id, device_id, source)
    ) WITHOUT ROWID;
    CREATE INDEX collection_direct_device ON collection_direct(device_id);

    -- Effective membership (direct + query rules, within the limiting collection), refreshed
    -- in the same transaction as every inventory or collection change.
    CREATE TABLE collection_member (
      collection_id INTEGER NOT NULL REFERENCES collection(id) ON DELETE CASCADE,
      device_id INTEGER NOT NULL REFERENCES device(id) ON DELETE CASCADE,
      PRIMARY KEY (collection_id, device_id)
    ) WITHOUT ROWID;
    CREATE INDEX collection_member_device ON collection_member(device_id);

    CREATE TABLE policy (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL COLLATE NOCASE UNIQUE,
      description TEXT NOT NULL DEFAULT '',
      type TEXT NOT NULL CHECK (type IN ('onboarding','offboarding')),
      config_file_name TEXT,
      config_file_sha256 TEXT,
      config_expires_at TEXT,
      workspace_id TEXT,
      workspace_key_sha256 TEXT,
      sample_sharing TEXT NOT NULL CHECK (sample_sharing IN ('none','all')),
      configmgr_version INTEGER NOT NULL,
      created_at TEXT NOT NULL
    );

    CREATE TABLE policy_deployment (
      policy_id TEXT NOT NULL REFERENCES policy(id) ON DELETE CASCADE,
      collection_id INTEGER NOT NULL REFERENCES collection(id) ON DELETE CASCADE,
      deployed_at TEXT NOT NULL,
      forced INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (policy_id, collection_id)
    ) WITHOUT ROWID;
  `,
}
