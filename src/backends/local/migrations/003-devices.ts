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
    -- One row per distinct (os text, version) of the inventory: the classification (CM1, CM2)
    -- is computed once per kind of machine, not once per machine.
    CREATE TABLE os_class (
      id INTEGER PRIMARY KEY,
      os TEXT NOT NULL,
      version TEXT NOT NULL DEFAULT '',
      os_family TEXT NOT NULL,
      os_name TEXT NOT NULL,
      build INTEGER,
      release TEXT,
      level TEXT NOT NULL CHECK (level IN ('up-level','down-level','unsupported')),
      min_configmgr INTEGER,
      multi_session INTEGER NOT NULL DEFAULT 0,
      UNIQUE (os, version)
    );

    -- Lists are stored wrapped in ';' (";configmgr;third-party:ziften;") so a membership test is
    -- one instr(); the management flags are derived by SQLite itself.
    CREATE TABLE device (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL COLLATE NOCASE UNIQUE,
      os_class INTEGER NOT NULL,
      managed_by TEXT NOT NULL DEFAULT '',
      configmgr INTEGER GENERATED ALWAYS AS (instr(managed_by, ';configmgr;') > 0) STORED,
      dfc INTEGER GENERATED ALWAYS AS (instr(managed_by, ';defender-for-cloud;') > 0) STORED,
      intune INTEGER GENERATED ALWAYS AS (instr(managed_by, ';intune;') > 0) STORED,
      third_party TEXT GENERATED ALWAYS AS (CASE WHEN instr(managed_by, ';third-party:') > 0 THEN
        substr(managed_by, instr(managed_by, ';third-party:') + 13, instr(substr(managed_by, instr(managed_by, ';third-party:') + 13), ';') - 1) END) STORED,
      environment TEXT,
      subscription TEXT,
      -- Collections named by the inventory, lower-cased (direct membership).
      inv_collections TEXT NOT NULL DEFAULT '',
      user TEXT,
      groups TEXT NOT NULL DEFAULT '',
      last_seen TEXT,
      sensor_service TEXT NOT NULL DEFAULT 'running',
      other_fanotify INTEGER NOT NULL DEFAULT 0,
      previous_install INTEGER NOT NULL DEFAULT 0,
      source TEXT NOT NULL DEFAULT 'inventory',
      updated_at TEXT NOT NULL
    );

    CREATE VIEW device_v AS
      SELECT d.*, o.os AS os, NULLIF(o.version, '') AS version, o.os_family AS os_family, o.os_name AS os_name, o.build AS build,
        o.release AS release, o.level AS level, o.min_configmgr AS min_configmgr, o.multi_session AS multi_session
      FROM device d JOIN os_class o ON o.id = d.os_class;

    CREATE TABLE collection (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL COLLATE NOCASE UNIQUE,
      limit_to INTEGER REFERENCES collection(id),
      rules TEXT NOT NULL DEFAULT '[]',
      created_at TEXT NOT NULL
    );

    -- Direct membership added by hand (the inventory's is device.inv_collections).
    CREATE TABLE collection_direct (
      collection_id INTEGER NOT NULL REFERENCES collection(id) ON DELETE CASCADE,
      device_id INTEGER NOT NULL REFERENCES device(id) ON DELETE CASCADE,
      PRIMARY KEY (collection_id, device_id)
    ) WITHOUT ROWID;
    CREATE INDEX collection_direct_device ON collection_direct(device_id);

    -- Effective membership (direct + query rules, within the limiting collection), refreshed
    -- in the same transaction as every inventory or collection change.
    CREATE TABLE collection_member (
      collection_id INTEGER NOT NULL,
      device_id INTEGER NOT NULL,
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
