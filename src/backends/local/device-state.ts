/**
 * The agent model as SQL (CM3, CM6, DC1–DC5, TP1/TP3) and the helpers a listing, a deployment
 * plan and the monitor share, apart from devices.ts so that `policy deploy` and `monitor` do
 * not load the inventory's import and lifecycle code.
 */
import {PROVIDERS} from '../../core/integration/catalogue.js'
import {ONBOARDED_CODES} from '../../core/device/onboarding.js'
import {NotFoundError} from '../../core/errors.js'
import {escapeName, nameKey} from '../../core/names.js'
import {edrOnboardingSql, osVersionSql} from './intune-sources.js'
import type {SqlDialect} from './sqlite-dialect.js'
import type {LocalStore, StoreSql} from './store.js'

export const DEFAULT_PERIOD_MS = 7 * 86_400_000

const ONBOARDED_SQL = ONBOARDED_CODES.map((c) => `'${c}'`).join(',')

/** Providers' platforms as SQL: does the device's family fit its third-party provider? */
function providerPlatformSql(): string {
  const cases = PROVIDERS.map((p) => `(third_party = '${p.id}' AND os_family IN (${p.platforms.map((f) => `'${f}'`).join(',')}))`)
  return `(${cases.join(' OR ')})`
}

/**
 * The agent model as one set-based query (CM3, CM6, DC1–DC5, TP1/TP3): per device, the
 * onboarding reason code (first path that onboards; else the reason of its first manager),
 * `onboarded`, and health. `filter` is a condition on device columns `d.*`, applied inside the
 * policy aggregates too, so one device costs one device's rows, not the inventory's. Parameter
 * @since is the ISO start of the health period. Exported so the bench runs the very same SQL through
 * the sqlite3 tool as its baseline.
 */
export function deviceStateSql(dialect: SqlDialect, filter = '1'): string {
  const covers = `d.min_configmgr IS NOT NULL AND p.configmgr_version >= d.min_configmgr
        AND ((d.level = 'up-level' AND p.config_file_sha256 IS NOT NULL) OR (d.level = 'down-level' AND p.workspace_key_sha256 IS NOT NULL))`
  const dfcOk = `dfc = 1 AND subscription IS NOT NULL AND last_seen IS NOT NULL AND (
        (os_family = 'linux' AND dfc_linux = 1 AND other_fanotify = 0 AND environment IN ('azure-vm','azure-arc','aws'))
        OR (os_family = 'windows-server' AND dfc_windows = 1 AND (environment IN ('azure-arc','aws') OR (environment = 'azure-vm' AND (build IN (7601, 9600) OR build >= 14393))))
        OR (os_family = 'windows' AND dfc_windows = 1 AND (environment IN ('azure-arc','aws') OR (environment = 'azure-vm' AND multi_session = 1))))`
  const platform = providerPlatformSql()
  return `
WITH onb AS (
  SELECT m.device_id AS device_id,
    MAX(CASE WHEN d.min_configmgr IS NOT NULL AND p.configmgr_version >= d.min_configmgr THEN 1 ELSE 0 END) AS supported,
    MAX(CASE WHEN ${covers} THEN 1 ELSE 0 END) AS covered,
    MIN(${dialect.caseless(`CASE WHEN ${covers} THEN p.name END`)}) AS policy_name -- a CASE drops the column's collation
  FROM policy_deployment pd
  JOIN policy p ON p.id = pd.policy_id AND p.type = 'onboarding'
  JOIN collection_member m ON m.collection_id = pd.collection_id
  JOIN device_v d ON d.id = m.device_id
  WHERE ${filter}
  GROUP BY m.device_id
), off AS (
  SELECT DISTINCT m.device_id AS device_id
  FROM policy_deployment pd
  JOIN policy p ON p.id = pd.policy_id AND p.type = 'offboarding'
  JOIN collection_member m ON m.collection_id = pd.collection_id
  JOIN device_v d ON d.id = m.device_id
  WHERE ${filter}
), edr AS (${edrOnboardingSql(filter, dialect)}
), x AS (
  SELECT d.*,
    onb.device_id IS NOT NULL AS cm_targeted, COALESCE(onb.supported, 0) AS cm_supported, COALESCE(onb.covered, 0) AS cm_covered,
    onb.policy_name AS policy_name, off.device_id IS NOT NULL AS cm_off, e.profile_name AS edr_profile,
    COALESCE(e.connected, 0) AS edr_connected, COALESCE(ic.enabled, 0) AS intune_enabled, COALESCE(ic.windows, 0) AS intune_windows,
    ${osVersionSql('d')} AS intune_os_version,
    COALESCE(s.windows, 0) AS dfc_windows, COALESCE(s.linux, 0) AS dfc_linux,
    COALESCE(t.enabled, 0) AS tp_enabled
  FROM device_v d
  LEFT JOIN onb ON onb.device_id = d.id
  LEFT JOIN off ON off.device_id = d.id
  LEFT JOIN edr e ON e.device_id = d.id -- issue 6: EDR profiles (IN2/IN4)
  LEFT JOIN intune_connection ic ON ic.id = 1
  LEFT JOIN dfc_subscription s ON s.subscription_id = d.subscription
  LEFT JOIN third_party_integration t ON t.provider = d.third_party
  WHERE ${filter}
), r AS (
  SELECT x.*, CASE
    -- Issue 12: the offboard action wins over every onboarding path (core/device/offboard.ts).
    WHEN offboarded_at IS NOT NULL THEN 'offboarded'
    WHEN configmgr = 1 AND cm_covered = 1 AND NOT cm_off AND sensor_service <> 'absent' AND last_seen IS NOT NULL THEN 'cm-onboarded'
    WHEN ${dfcOk} THEN CASE WHEN previous_install = 1 THEN 'dfc-reconfigured' ELSE 'dfc-onboarded' END
    WHEN third_party IS NOT NULL AND tp_enabled = 1 AND ${platform} AND sensor_service <> 'absent' AND last_seen IS NOT NULL
      THEN CASE WHEN source = 'sensor' THEN 'sensor-onboarded' ELSE 'tp-onboarded' END
    WHEN edr_profile IS NOT NULL AND edr_connected = 1 AND sensor_service <> 'absent' AND last_seen IS NOT NULL THEN 'intune-onboarded'
    WHEN configmgr = 1 THEN CASE
      WHEN cm_off AND cm_targeted THEN 'cm-conflict'
      WHEN cm_off THEN 'cm-offboarded'
      WHEN NOT cm_targeted THEN 'cm-not-targeted'
      WHEN cm_supported = 0 THEN 'cm-unsupported-os'
      WHEN cm_covered = 0 AND level = 'up-level' THEN 'cm-up-level-without-file'
      WHEN cm_covered = 0 THEN 'cm-down-level-without-workspace'
      WHEN sensor_service = 'absent' THEN 'cm-sensor-absent'
      ELSE 'cm-never-seen' END
    WHEN dfc = 1 THEN CASE
      WHEN os_family NOT IN ('windows','windows-server','linux') THEN 'dfc-unsupported-os'
      WHEN subscription IS NULL THEN 'dfc-no-subscription'
      WHEN environment IS NULL OR environment = 'on-premises' THEN 'dfc-not-connected'
      WHEN os_family = 'windows' AND environment = 'azure-vm' AND multi_session = 0 THEN 'dfc-windows-client-azure-vm'
      WHEN os_family = 'windows-server' AND environment = 'azure-vm' AND NOT (build IN (7601, 9600) OR build >= 14393) THEN 'dfc-unsupported-os'
      WHEN os_family = 'linux' AND dfc_linux = 0 THEN CASE WHEN dfc_windows = 1 THEN 'dfc-linux-off' ELSE 'dfc-integration-off' END
      WHEN os_family <> 'linux' AND dfc_windows = 0 THEN 'dfc-integration-off'
      WHEN os_family = 'linux' AND other_fanotify = 1 THEN 'dfc-fanotify'
      ELSE 'dfc-never-seen' END
    WHEN third_party IS NOT NULL THEN CASE
      WHEN tp_enabled = 0 THEN 'tp-integration-off'
      WHEN NOT ${platform} THEN 'tp-platform'
      WHEN sensor_service = 'absent' THEN 'tp-sensor-absent'
      ELSE 'tp-never-seen' END
    WHEN intune = 1 THEN CASE WHEN edr_profile IS NULL THEN 'intune-edr-profile' WHEN edr_connected = 0 THEN 'intune-edr-not-onboarding' ELSE 'intune-never-seen' END
    ELSE 'unmanaged' END AS reason_code
  FROM x
)
SELECT r.*, reason_code IN (${ONBOARDED_SQL}) AS onboarded,
  CASE WHEN reason_code NOT IN (${ONBOARDED_SQL}) THEN 'not-onboarded'
    WHEN sensor_service = 'stopped' THEN 'agent-state'
    WHEN last_seen < @since THEN 'inactive'
    ELSE 'healthy' END AS health
FROM r`
}

export function sinceIso(store: LocalStore, periodMs = DEFAULT_PERIOD_MS): string {
  return new Date(store.now().getTime() - periodMs).toISOString()
}

export async function collectionId(db: StoreSql, name: string): Promise<number> {
  const row = await db.get<{id: number}>('SELECT id FROM collection WHERE name_key = ?', nameKey(name))
  if (!row) {
    throw new NotFoundError(`Collection '${escapeName(name)}' does not exist.`, {
      suggestions: ['List collections: atpctl collection list', `Create it: atpctl collection create "${escapeName(name)}"`],
    })
  }

  return row.id
}
