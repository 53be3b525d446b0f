import type {Migration} from './index.js'

/**
 * The agent model's EDR view, aligned with the core rule (core/device/onboarding.ts,
 * edrProfileOf and decideOnboarding; pinned by test/core/device/agent-model.differential.test.ts):
 * - The Intune connection row always exists, off until `integration enable intune`. The view
 *   joins it: without the row a device an EDR profile reaches looked unreached ("onboard it
 *   with an EDR profile") instead of "reached, but the connection is off", which is what
 *   `edr-profile show` says.
 * - Of several profiles, the first by name is chosen case-insensitively (a CASE expression drops
 *   the column's NOCASE collation, so MIN compared them byte-wise).
 */
export const edrView: Migration = {
  version: 10,
  name: 'edr-view',
  sql: `
    INSERT OR IGNORE INTO intune_connection (id, enabled, android, ios, windows, changed_at) VALUES (1, 0, 0, 0, 0, NULL);
    DROP VIEW intune_edr_onboarding;
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
    ), judged AS (
      SELECT reach.device_id, reach.profile_name,
        (c.enabled = 1 AND c.windows = 1 AND d.intune = 1 AND d.os_family = 'windows' AND d.build >= 15063) AS connected
      FROM reach JOIN device_v d ON d.id = reach.device_id JOIN intune_connection c ON c.id = 1
    )
    -- A profile that onboards the device wins over one that only reaches it.
    SELECT device_id, COALESCE(MIN(CASE WHEN connected THEN profile_name END COLLATE NOCASE), MIN(profile_name COLLATE NOCASE)) AS profile_name, MAX(connected) AS connected
    FROM judged GROUP BY device_id;
  `,
}
