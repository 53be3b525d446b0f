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
export const RISK_SOURCE = `SELECT device_name COLLATE NOCASE AS device_name, MAX(1, MAX(severity_rank)) AS rank FROM alert WHERE status <> 'Resolved' GROUP BY device_name COLLATE NOCASE`

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
export const INVENTORY_GROUP_SOURCE = `SELECT device.id AS device_id, g.value AS group_name FROM device,
  json_each('["' || replace(replace(replace(substr(device.groups, 2, length(device.groups) - 2), '\\', '\\\\'), '"', '\\"'), ';', '","') || '"]') g
  WHERE device.groups <> '' AND g.value <> ''`

/** SQL condition: the inventory's groups column of device `d` names group `g` (case-insensitive). */
export const inventoryHasGroup = (d: string, g: string): string => `instr(lower(${d}.groups), ';' || lower(${g}) || ';') > 0`

/**
 * (device_id, policy_type, policy_name, sample_sharing): onboarding policies of other types
 * (ConfigMgr Defender ATP policies deployed to a collection the device is in), for IN5.
 */
export const OTHER_ONBOARDING_SOURCE = `SELECT cm.device_id, 'ConfigMgr Defender ATP policy' AS policy_type, p.name AS policy_name, p.sample_sharing
  FROM policy p JOIN policy_deployment pd ON pd.policy_id = p.id JOIN collection_member cm ON cm.collection_id = pd.collection_id
  WHERE p.type = 'onboarding'`
