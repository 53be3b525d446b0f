import {randomUUID} from 'node:crypto'
import {
  type CompliancePolicy,
  type DeviceCompliance,
  connectorPlatform,
  judgeCompliance,
  MAX_RISK_RANK,
  type MaxRisk,
  parseCompliancePlatform,
  parseMaxRisk,
  riskFromRank,
} from '../../core/compliance/rules.js'
import {UsageError} from '../../core/errors.js'
import type {ComplianceApi} from '../../core/port/intune-api.js'
import {readIntune} from './integrations.js'
import {requireGroup, resolveDevice} from './intune.js'
import {inventoryHasGroup, osVersionSql, RISK_SOURCE} from './intune-sources.js'
import type {LocalStore, StoreSql} from './store.js'
import {requireTenantRow} from './tenant.js'
import {NAME_RULES, optionalText, requireName} from '../../core/names.js'

interface PolicyRow {
  id: string
  name: string
  description: string | null
  platform: CompliancePolicy['platform']
  max_risk: MaxRisk
  assign_group: string | null
  created_at: string
}

const toPolicy = (r: PolicyRow): CompliancePolicy => ({
  id: r.id,
  name: r.name,
  description: r.description,
  platform: r.platform,
  maxRisk: r.max_risk,
  assignGroup: r.assign_group,
  createdAt: r.created_at,
})

/** SQL: the Intune connector platform of device `dv` by its OS family (null for others). */
export const platformSql = (dv: string): string =>
  `CASE ${dv}.os_family WHEN 'windows' THEN 'windows' WHEN 'android' THEN 'android' WHEN 'ios' THEN 'ios' END`

/**
 * One set-based pass: every device (or one, @device) with its risk from active alerts and the
 * strictest compliance policy of its platform assigned to it: no group = all devices; else the
 * group holds the device (inventory groups column or `group add --device`) or its signed-in
 * user. Policies are ranked once (lowest maximum first, then oldest, then by name) and each
 * device takes the best rank among its assigned ones through indexed lookups, so the cost is
 * devices x policies without sorting or materialising the pairs. The verdict itself is
 * judgeCompliance, applied to each row.
 */
const EVALUATION_CTE = `
  WITH risk AS (${RISK_SOURCE}),
  ranked AS (
    SELECT name, max_risk, connector, assign_group, row_number() OVER (ORDER BY max_rank, created_at, name) AS pos FROM compliance_policy
  ),
  e AS (
    SELECT d.id, d.name, d.os_class, d.os_family, ${osVersionSql('d')} AS os_version, d.intune,
      (SELECT MIN(p.pos) FROM ranked p WHERE p.connector = ${platformSql('d')} AND (
        p.assign_group IS NULL OR ${inventoryHasGroup('d', 'p.assign_group')}
        OR EXISTS (SELECT 1 FROM intune_group_member m WHERE m.group_name = p.assign_group AND m.kind = 'device' AND m.member = CAST(d.id AS TEXT))
        OR (d.user IS NOT NULL AND EXISTS (SELECT 1 FROM intune_group_member m WHERE m.group_name = p.assign_group AND m.kind = 'user' AND m.member = d.user))
      )) AS pos
    FROM device_v d WHERE @device IS NULL OR d.id = @device
  )`

export const EVALUATION_SQL = `${EVALUATION_CTE}
  SELECT e.id, e.name, e.os_family, e.os_version, e.intune, COALESCE(risk.rank, 0) AS rank, p.name AS policy, p.max_risk
  FROM e LEFT JOIN risk ON risk.device_name = e.name LEFT JOIN ranked p ON p.pos = e.pos
  ORDER BY e.name, e.id`

/**
 * The same evaluation with the facts packed into one integer per device, so 100,000 rows cost
 * two values each: ((os class x 2 + intune) x 5 + risk rank) x @m + policy rank (0 = none),
 * where @m is the number of policies plus one.
 */
const COMPACT_SQL = `${EVALUATION_CTE}
  SELECT e.id, e.name, ((e.os_class * 2 + e.intune) * 5 + COALESCE(risk.rank, 0)) * @m + COALESCE(e.pos, 0)
  FROM e LEFT JOIN risk ON risk.device_name = e.name
  ORDER BY e.name, e.id`

export function localComplianceApi(store: LocalStore): ComplianceApi {
  const db: StoreSql = store
  return {
    async create(given) {
      requireTenantRow(store)
      // The CLI's rules, run here for every caller (issue 15 item 3): no enum value reaches a CHECK constraint.
      const request = {
        ...given,
        name: requireName(given.name, NAME_RULES.compliancePolicy),
        description: optionalText(given.description, NAME_RULES.description),
        platform: parseCompliancePlatform(given.platform),
        maxRisk: parseMaxRisk(given.maxRisk),
      }
      return store.mutate('compliance.create', request.name, () => {
        if (db.get('SELECT 1 FROM compliance_policy WHERE name = ?', request.name)) {
          throw new UsageError(`A compliance policy named '${request.name}' already exists.`, {suggestions: ['List policies: atpctl compliance list', 'Or choose another --name.']})
        }

        const group = request.assignGroup ? requireGroup(store, request.assignGroup) : null
        const row: PolicyRow = {
          id: randomUUID(),
          name: request.name,
          description: request.description ?? null,
          platform: request.platform,
          max_risk: request.maxRisk,
          assign_group: group,
          created_at: store.now().toISOString(),
        }
        db.run(
          `INSERT INTO compliance_policy (id, name, description, platform, connector, max_risk, max_rank, assign_group, created_at)
           VALUES (@id, @name, @description, @platform, @connector, @max_risk, @max_rank, @assign_group, @created_at)`,
          {...row, connector: connectorPlatform(request.platform), max_rank: MAX_RISK_RANK[request.maxRisk]},
        )
        return toPolicy(row)
      })
    },

    async list() {
      requireTenantRow(store)
      return (db.all('SELECT * FROM compliance_policy ORDER BY created_at, name') as PolicyRow[]).map(toPolicy)
    },

    async evaluate(filter = {}) {
      requireTenantRow(store)
      const deviceId = filter.device ? resolveDevice(store, filter.device).id : null
      const connection = readIntune(store)
      // Raw rows (arrays) keep 100,000 devices cheap: one query, one pass. The verdict is a pure
      // function of the facts, and devices share few distinct fact tuples, so it is computed
      // once per tuple and shared (reason strings included).
      // Policies in rank order (the row_number of EVALUATION_CTE) and OS classes, read once.
      const ranked = db.all('SELECT name, max_risk FROM compliance_policy ORDER BY max_rank, created_at, name') as {name: string; max_risk: MaxRisk}[]
      const osClass = `SELECT os_family, ${osVersionSql()} AS os_version FROM os_class WHERE id = ?`
      const m = ranked.length + 1
      const rows = db.rows(COMPACT_SQL, {device: deviceId, m}) as [number, string, number][]
      // The verdict is a pure function of the facts and devices share few distinct fact tuples:
      // judge each tuple once and share it (reason strings included).
      const verdicts = new Map<number, Omit<DeviceCompliance, 'deviceId' | 'deviceName'>>()
      const results: DeviceCompliance[] = new Array(rows.length)
      for (let i = 0; i < rows.length; i++) {
        const [id, name, key] = rows[i]
        let v = verdicts.get(key)
        if (!v) {
          const pos = key % m
          const rank = Math.floor(key / m) % 5
          const intune = Math.floor(key / m / 5) % 2
          const os = db.get(osClass, Math.floor(key / m / 10)) as {os_family: string; os_version: string}
          const policy = pos === 0 ? null : ranked[pos - 1]
          const {deviceId: _id, deviceName: _name, ...rest} = judgeCompliance(
            {
              deviceId: '',
              deviceName: '',
              osFamily: os.os_family,
              osVersion: os.os_version,
              managedByIntune: intune === 1,
              risk: riskFromRank(rank),
              strictest: policy ? {name: policy.name, maxRisk: policy.max_risk} : null,
            },
            connection,
          )
          v = rest
          verdicts.set(key, v)
        }

        results[i] = {deviceId: String(id), deviceName: name, platform: v.platform, risk: v.risk, status: v.status, policy: v.policy, maxRisk: v.maxRisk, reason: v.reason}
      }

      return results
    },
  }
}
