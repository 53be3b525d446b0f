import type {Migration} from './index.js'

/**
 * Intune (issue 6): groups for assignments, EDR profiles (IN4), iOS app configuration (IN6)
 * and compliance policies (IN7). Custom conditional access policies (IN8) live in the
 * foundation's access_policy table beside the protected classic one (IN3).
 */
export const intune: Migration = {
  version: 5,
  name: 'intune',
  sql: `
    CREATE TABLE intune_group (
      name TEXT PRIMARY KEY COLLATE NOCASE,
      description TEXT,
      created_at TEXT NOT NULL
    );

    -- Explicit members: devices by id, users by UPN. The device inventory's groups column adds
    -- device memberships of its own, read at query time.
    CREATE TABLE intune_group_member (
      group_name TEXT NOT NULL COLLATE NOCASE REFERENCES intune_group(name) ON DELETE CASCADE,
      kind TEXT NOT NULL CHECK (kind IN ('device','user')),
      member TEXT NOT NULL COLLATE NOCASE,
      added_at TEXT NOT NULL,
      PRIMARY KEY (group_name, kind, member)
    );
    CREATE INDEX intune_group_member_by_member ON intune_group_member(kind, member);

    CREATE TABLE edr_profile (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      description TEXT,
      sample_sharing TEXT NOT NULL CHECK (sample_sharing IN ('none','all')),
      expedite_telemetry INTEGER NOT NULL CHECK (expedite_telemetry IN (0,1)),
      created_at TEXT NOT NULL
    );

    CREATE TABLE edr_profile_assignment (
      profile_id TEXT NOT NULL REFERENCES edr_profile(id) ON DELETE CASCADE,
      kind TEXT NOT NULL CHECK (kind IN ('device-group','user-group')),
      group_name TEXT NOT NULL COLLATE NOCASE,
      PRIMARY KEY (profile_id, kind, group_name)
    );

    CREATE TABLE intune_app_config (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      platform TEXT NOT NULL CHECK (platform IN ('ios')),
      targeted_app TEXT NOT NULL,
      bundle_id TEXT NOT NULL,
      settings TEXT NOT NULL,
      assignment TEXT NOT NULL,
      created_at TEXT NOT NULL
    );

    -- max_rank: 0 clear, 2 low, 3 medium, 4 high, against device risk ranks 0 None,
    -- 1 Informational, 2 Low, 3 Medium, 4 High. connector: the Intune platform it judges.
    CREATE TABLE compliance_policy (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      description TEXT,
      platform TEXT NOT NULL CHECK (platform IN ('android-device-admin','android-enterprise','ios','windows')),
      connector TEXT NOT NULL CHECK (connector IN ('android','ios','windows')),
      max_risk TEXT NOT NULL CHECK (max_risk IN ('clear','low','medium','high')),
      max_rank INTEGER NOT NULL,
      assign_group TEXT COLLATE NOCASE,
      created_at TEXT NOT NULL
    );

    -- IN2 + IN4, set-based, for the agent model of the device inventory: the devices an EDR
    -- profile onboards. A device-group assignment reaches the group's devices (inventory
    -- groups column or explicit members); a user-group assignment reaches a device only once a
    -- member has signed in there (the inventory's user). Onboarded when Intune manages it, it
    -- runs Windows 10 at 10.0.15063 or later, and the connection and its Windows toggle are on.
    CREATE VIEW intune_edr_onboarding AS
    WITH a AS (
      SELECT p.name AS profile_name, x.kind, x.group_name FROM edr_profile p JOIN edr_profile_assignment x ON x.profile_id = p.id
    ), reach AS (
      SELECT d.id AS device_id, a.profile_name FROM a JOIN device d
        ON a.kind = 'device-group' AND instr(lower(d.groups), ';' || lower(a.group_name) || ';') > 0
      UNION
      SELECT CAST(m.member AS INTEGER), a.profile_name FROM a JOIN intune_group_member m
        ON a.kind = 'device-group' AND m.kind = 'device' AND m.group_name = a.group_name
      UNION
      SELECT d.id, a.profile_name FROM a JOIN intune_group_member m ON a.kind = 'user-group' AND m.kind = 'user' AND m.group_name = a.group_name
        JOIN device d ON d.user = m.member COLLATE NOCASE
    )
    SELECT reach.device_id, MIN(reach.profile_name) AS profile_name
    FROM reach JOIN device_v d ON d.id = reach.device_id JOIN intune_connection c ON c.id = 1
    WHERE c.enabled = 1 AND c.windows = 1 AND d.intune = 1 AND d.os_family = 'windows' AND d.build >= 15063
    GROUP BY reach.device_id;
  `,
}
