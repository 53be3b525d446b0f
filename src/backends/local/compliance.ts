import {randomUUID} from 'node:crypto'
import {
  type CompliancePolicy,
  connectorPlatform,
  judgeCompliance,
  MAX_RISK_RANK,
  type MaxRisk,
  riskFromRank,
} from '../../core/compliance/rules.js'
import {UsageError} from '../../core/errors.js'
import type {ComplianceApi} from '../intune-api.js'
import {readIntune} from './integrations.js'
import {requireGroup, resolveDevice} from './intune.js'
import {inventoryHasGroup, osVersionSql, RISK_SOURCE} from './intune-sources.js'
import type {LocalStore} from './store.js'
import {requireTenantRow} from './tenant.js'

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
 * user. The verdict itself is judgeCompliance, applied to each row.
 */
export const EVALUATION_SQL = `
  WITH risk AS (${RISK_SOURCE}),
  assigned AS (
    SELECT dv.id AS device_id, p.name, p.max_risk, p.max_rank, p.created_at
      FROM compliance_policy p JOIN device dv ON p.connector = ${platformSql('dv')}
      WHERE (p.assign_group IS NULL OR ${inventoryHasGroup('dv', 'p.assign_group')}) AND (@device IS NULL OR dv.id = @device)
    UNION ALL
    SELECT dv.id, p.name, p.max_risk, p.max_rank, p.created_at
      FROM compliance_policy p JOIN intune_group_member m ON m.kind = 'device' AND m.group_name = p.assign_group
      JOIN device dv ON dv.id = CAST(m.member AS INTEGER) AND p.connector = ${platformSql('dv')}
      WHERE @device IS NULL OR dv.id = @device
    UNION ALL
    SELECT dv.id, p.name, p.max_risk, p.max_rank, p.created_at
      FROM compliance_policy p JOIN intune_group_member m ON m.kind = 'user' AND m.group_name = p.assign_group
      JOIN device dv ON dv.user = m.member COLLATE NOCASE AND p.connector = ${platformSql('dv')}
      WHERE @device IS NULL OR dv.id = @device
  ),
  strictest AS (
    SELECT device_id, name, max_risk FROM (
      SELECT *, row_number() OVER (PARTITION BY device_id ORDER BY max_rank, created_at, name) AS rn FROM assigned
    ) WHERE rn = 1
  )
  SELECT d.id, d.name, d.os_family, ${osVersionSql('d')} AS os_version,
    d.intune, COALESCE(risk.rank, 0) AS rank, s.name AS policy, s.max_risk
  FROM device d LEFT JOIN risk ON risk.device_name = d.name LEFT JOIN strictest s ON s.device_id = d.id
  WHERE @device IS NULL OR d.id = @device
  ORDER BY d.name, d.id`

export function localComplianceApi(store: LocalStore): ComplianceApi {
  const {db} = store
  return {
    async create(request) {
      requireTenantRow(store)
      return store.mutate('compliance.create', request.name, () => {
        if (db.prepare('SELECT 1 FROM compliance_policy WHERE name = ?').get(request.name)) {
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
        db.prepare(
          `INSERT INTO compliance_policy (id, name, description, platform, connector, max_risk, max_rank, assign_group, created_at)
           VALUES (@id, @name, @description, @platform, @connector, @max_risk, @max_rank, @assign_group, @created_at)`,
        ).run({...row, connector: connectorPlatform(request.platform), max_rank: MAX_RISK_RANK[request.maxRisk]})
        return toPolicy(row)
      })
    },

    async list() {
      requireTenantRow(store)
      return (db.prepare('SELECT * FROM compliance_policy ORDER BY created_at, name').all() as PolicyRow[]).map(toPolicy)
    },

    async evaluate(filter = {}) {
      requireTenantRow(store)
      const deviceId = filter.device ? resolveDevice(store, filter.device).id : null
      const connection = readIntune(store)
      const rows = db.prepare(EVALUATION_SQL).all({device: deviceId}) as {
        id: number
        name: string
        os_family: string
        os_version: string
        intune: number
        rank: number
        policy: string | null
        max_risk: MaxRisk | null
      }[]
      return rows.map((r) =>
        judgeCompliance(
          {
            deviceId: String(r.id),
            deviceName: r.name,
            osFamily: r.os_family,
            osVersion: r.os_version,
            managedByIntune: r.intune === 1,
            risk: riskFromRank(r.rank),
            strictest: r.policy === null ? null : {name: r.policy, maxRisk: r.max_risk!},
          },
          connection,
        ),
      )
    },
  }
}
