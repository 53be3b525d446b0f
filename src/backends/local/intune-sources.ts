import type {SqlDialect} from './sqlite-dialect.js'

/**
 * Where the Intune rules read other issues' data, in one place: the device inventory (issue 4,
 * table `device`) and the alert queue (issue 5, table `alert`). Each constant is a SELECT
 * usable as a subquery; the compliance evaluation joins them set-based (no per-device round
 * trips), and bench/cases/40-compliance.js runs the same joins through the sqlite3 CLI.
 */

/**
 * Rank of the risk from active alerts per device name: 1 Informational (and UnSpecified) …
 * 4 High. Alerts carry the device name beside the machine id, which is derived from it.
 */
export const riskSource = (dialect: SqlDialect): string =>
  `SELECT ${dialect.caseless('device_name')} AS device_name, ${dialect.greater('1', 'MAX(severity_rank)')} AS rank FROM alert WHERE status <> 'Resolved' GROUP BY ${dialect.caseless('device_name')}`

/**
 * The dotted OS version the IN2 minimums compare with: Windows from its build (10.0.<build>,
 * 6.3.9600 for 8.1), other systems from their release or version column.
 */
export const osVersionSql = (d?: string): string => {
  const c = (column: string) => (d ? `${d}.${column}` : column)
  return `CASE WHEN ${c('os_family')} = 'windows' THEN
    CASE WHEN ${c('build')} IS NULL THEN '' WHEN ${c('build')} >= 10240 THEN '10.0.' || ${c('build')} WHEN ${c('build')} = 9600 THEN '6.3.9600' ELSE '6.1.' || ${c('build')} END
  ELSE COALESCE(${c('release')}, ${c('version')}, '') END`
}

/**
 * One row per device (the inventory's device_v view, OS columns included): id, name, user, os_family, os_version (dotted, comparable with the IN2
 * minimums), intune (1 when Intune manages it).
 */
export const DEVICE_SOURCE = `SELECT id, name, user, os_family, ${osVersionSql()} AS os_version, intune FROM device_v`

/**
 * (device_id, group_name) for the inventory's groups column, which the devices issue stores
 * wrapped in separators (";Finance;Sales;"). Turned into a JSON array to split it.
 */
export const inventoryGroupSource = (dialect: SqlDialect): string => `SELECT device.id AS device_id, g.value AS group_name FROM device,
  ${dialect.jsonArrayAt(`'["' || replace(replace(replace(substr(device.groups, 2, length(device.groups) - 2), '\\', '\\\\'), '"', '\\"'), ';', '","') || '"]'`, '$')} g
  WHERE device.groups <> '' AND g.value <> ''`

/** SQL condition: the inventory's groups column of device `d` names group `g` (case-insensitive). */
export const inventoryHasGroup = (d: string, g: string, dialect: SqlDialect): string => dialect.contains(`lower(${d}.groups)`, `';' || lower(${g}) || ';'`)

/**
 * (device_id, policy_type, policy_name, sample_sharing): onboarding policies of other types
 * (ConfigMgr Defender ATP policies deployed to a collection the device is in), for IN5.
 */
export const OTHER_ONBOARDING_SOURCE = `SELECT cm.device_id, 'ConfigMgr Defender ATP policy' AS policy_type, p.name AS policy_name, p.sample_sharing
  FROM policy p JOIN policy_deployment pd ON pd.policy_id = p.id JOIN collection_member cm ON cm.collection_id = pd.collection_id
  WHERE p.type = 'onboarding'`

/**
 * Per device, the EDR profile that reaches it (IN2/IN4) and whether that profile onboards it
 * (`connected`); a profile that onboards wins over one that only reaches. The logic of the
 * `intune_edr_onboarding` view (migrations 008 and 010), with the agent model's device filter (a
 * condition on \`d\`, a device_v row) applied inside, so one page of devices costs its own
 * devices' rows and not a pass over the whole inventory (issue 11 item 6).
 */
export const edrOnboardingSql = (filter: string, dialect: SqlDialect): string => `
    WITH a AS (
      SELECT p.name AS profile_name, x.kind, x.group_name FROM edr_profile p JOIN edr_profile_assignment x ON x.profile_id = p.id
    ), reach AS (
      SELECT d.id AS device_id, a.profile_name FROM a JOIN device_v d
        ON a.kind = 'device-group' AND ${inventoryHasGroup('d', 'a.group_name', dialect)} WHERE ${filter}
      UNION
      SELECT d.id, a.profile_name FROM a JOIN intune_group_member m ON a.kind = 'device-group' AND m.kind = 'device' AND m.group_name = a.group_name
        JOIN device_v d ON d.id = CAST(m.member AS INTEGER) WHERE ${filter}
      UNION
      SELECT d.id, a.profile_name FROM a JOIN intune_group_member m ON a.kind = 'user-group' AND m.kind = 'user' AND m.group_name = a.group_name
        JOIN device_v d ON d.user = ${dialect.caseless('m.member')} WHERE ${filter}
    ), judged AS (
      SELECT reach.device_id, reach.profile_name,
        (c.enabled = 1 AND c.windows = 1 AND d.intune = 1 AND d.os_family = 'windows' AND d.build >= 15063) AS connected
      FROM reach JOIN device_v d ON d.id = reach.device_id JOIN intune_connection c ON c.id = 1
    )
    -- A profile that onboards the device wins over one that only reaches it; then the first by
    -- name, case-insensitively (a CASE expression drops the NOCASE collation; core edrProfileOf).
    SELECT device_id, COALESCE(MIN(${dialect.caseless('CASE WHEN connected THEN profile_name END')}), MIN(${dialect.caseless('profile_name')})) AS profile_name, MAX(connected) AS connected
    FROM judged GROUP BY device_id`
