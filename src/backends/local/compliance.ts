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
  strictestPolicy,
} from '../../core/compliance/rules.js'
import {NotFoundError} from '../../core/errors.js'
import {COMPLIANCE_DELETE_CONSEQUENCE, complianceAffects, complianceContent, contentDifferences, createOutcome, KINDS, requireDeleteConsent} from '../../core/intune/lifecycle.js'
import type {ComplianceApi} from '../../core/port/intune-api.js'
import type {IntuneState} from '../../core/integration/types.js'
import {readIntune} from './integrations.js'
import {deviceMembership, requireGroup, resolveDevice} from './intune.js'
import {inventoryHasGroup, osVersionSql, riskSource} from './intune-sources.js'
import {dottedOsVersion} from '../../core/device/os.js'
import {afterCondition, keysetPage, positionParams} from './keyset.js'
import type {SqlDialect} from './sqlite-dialect.js'
import type {LocalStore, StoreSql} from './store.js'
import {requireTenantRow} from './tenant.js'
import {escapeName, NAME_RULES, optionalText, requireName} from '../../core/names.js'

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
const evaluationCte = (dialect: SqlDialect) => `
  WITH risk AS (${riskSource(dialect)}),
  ranked AS (
    SELECT name, max_risk, connector, assign_group, row_number() OVER (ORDER BY max_rank, created_at, name) AS pos FROM compliance_policy
  ),
  e AS (
    SELECT d.id, d.name, d.os_class, d.os_family, ${osVersionSql('d')} AS os_version, d.intune,
      (SELECT MIN(p.pos) FROM ranked p WHERE p.connector = ${platformSql('d')} AND (
        p.assign_group IS NULL OR ${inventoryHasGroup('d', 'p.assign_group', dialect)}
        OR EXISTS (SELECT 1 FROM intune_group_member m WHERE m.group_name = p.assign_group AND m.kind = 'device' AND m.member = CAST(d.id AS TEXT))
        OR (d.user IS NOT NULL AND EXISTS (SELECT 1 FROM intune_group_member m WHERE m.group_name = p.assign_group AND m.kind = 'user' AND m.member = d.user))
      )) AS pos
    FROM device_v d WHERE @device IS NULL OR d.id = @device
  )`

export const evaluationSql = (dialect: SqlDialect): string => `${evaluationCte(dialect)}
  SELECT e.id, e.name, e.os_family, e.os_version, e.intune, COALESCE(risk.rank, 0) AS rank, p.name AS policy, p.max_risk
  FROM e LEFT JOIN risk ON risk.device_name = e.name LEFT JOIN ranked p ON p.pos = e.pos
  ORDER BY e.name, e.id`

/**
 * The same evaluation with the facts packed into one integer per device, so 100,000 rows cost
 * two values each: ((os class x 2 + intune) x 5 + risk rank) x @m + policy rank (0 = none),
 * where @m is the number of policies plus one.
 */
const compactSql = (dialect: SqlDialect) => `${evaluationCte(dialect)}
  SELECT e.id, e.name, ((e.os_class * 2 + e.intune) * 5 + COALESCE(risk.rank, 0)) * @m + COALESCE(e.pos, 0)
  FROM e LEFT JOIN risk ON risk.device_name = e.name
  ORDER BY e.name, e.id`

export function localComplianceApi(store: LocalStore): ComplianceApi {
  const db: StoreSql = store
  const find = async (s: StoreSql, nameOrId: string): Promise<PolicyRow> => {
    const row = await s.get<PolicyRow>('SELECT * FROM compliance_policy WHERE id = @p OR name = @p ORDER BY id = @p DESC LIMIT 1', {p: nameOrId})
    if (!row) throw new NotFoundError(`Compliance policy '${escapeName(nameOrId)}' does not exist.`, {suggestions: ['List policies: atpctl compliance list']})
    return row
  }

  return {
    async create(given) {
      await requireTenantRow(store)
      // The CLI's rules, run here for every caller (issue 15 item 3): no enum value reaches a CHECK constraint.
      const request = {
        ...given,
        name: requireName(given.name, NAME_RULES.compliancePolicy),
        description: optionalText(given.description, NAME_RULES.description),
        platform: parseCompliancePlatform(given.platform),
        maxRisk: parseMaxRisk(given.maxRisk),
      }
      return store.mutate('compliance.create', request.name, async (tx) => {
        const group = request.assignGroup ? await requireGroup(tx, request.assignGroup) : null
        const existing = await tx.get<PolicyRow>('SELECT * FROM compliance_policy WHERE name = ?', request.name)
        if (existing) {
          // The same create again is a no-op; other settings under the name are a conflict (SPEC §3).
          const policy = toPolicy(existing)
          createOutcome(
            KINDS.compliancePolicy,
            policy.name,
            complianceContent(policy),
            complianceContent({...request, description: given.description === undefined ? undefined : request.description, assignGroup: group}),
          )
          return {policy, changed: false}
        }

        const row: PolicyRow = {
          id: randomUUID(),
          name: request.name,
          description: request.description,
          platform: request.platform,
          max_risk: request.maxRisk,
          assign_group: group,
          created_at: store.now().toISOString(),
        }
        tx.run(
          `INSERT INTO compliance_policy (id, name, description, platform, connector, max_risk, max_rank, assign_group, created_at)
           VALUES (@id, @name, @description, @platform, @connector, @max_risk, @max_rank, @assign_group, @created_at)`,
          {...row, connector: connectorPlatform(request.platform), max_rank: MAX_RISK_RANK[request.maxRisk]},
        )
        return {policy: toPolicy(row), changed: true}
      })
    },

    async list(request) {
      await requireTenantRow(store)
      return keysetPage({
        list: 'compliance-policies',
        shape: ['string', 'string', 'string'],
        request,
        rows: (after, limit) =>
          db.all<PolicyRow>(`SELECT * FROM compliance_policy WHERE ${afterCondition(['created_at', 'name', 'id'], after)} ORDER BY created_at, name, id LIMIT @limit`, {...positionParams(after), limit}),
        positionOf: (r) => [r.created_at, r.name, r.id],
        toItem: toPolicy,
      })
    },

    async get(nameOrId) {
      await requireTenantRow(store)
      return toPolicy(await find(db, nameOrId))
    },

    async update(nameOrId, patch) {
      await requireTenantRow(store)
      return store.mutate('compliance.update', nameOrId, async (tx) => {
        const current = toPolicy(await find(tx, nameOrId))
        // Every rule of the create, on the policy as it would be (IN7).
        const next: CompliancePolicy = {
          ...current,
          description: patch.description === undefined ? current.description : optionalText(patch.description, NAME_RULES.description),
          platform: patch.platform === undefined ? current.platform : parseCompliancePlatform(patch.platform),
          maxRisk: patch.maxRisk === undefined ? current.maxRisk : parseMaxRisk(patch.maxRisk),
          assignGroup: patch.assignGroup === undefined ? current.assignGroup : patch.assignGroup === null ? null : await requireGroup(tx, patch.assignGroup),
        }
        if (contentDifferences(complianceContent(current), complianceContent(next)).length === 0) return {policy: current, changed: false}
        tx.run(`UPDATE compliance_policy SET description = @description, platform = @platform, connector = @connector, max_risk = @maxRisk, max_rank = @maxRank, assign_group = @assignGroup
           WHERE id = @id`, {...next, connector: connectorPlatform(next.platform), maxRank: MAX_RISK_RANK[next.maxRisk]})
        return {policy: toPolicy(await find(tx, current.id)), changed: true}
      })
    },

    async delete(nameOrId, options = {}) {
      await requireTenantRow(store)
      return store.mutate('compliance.delete', nameOrId, async (tx) => {
        const policy = toPolicy(await find(tx, nameOrId))
        // In use while it decides a device's compliance: the same evaluation as `compliance evaluate`.
        const decided = await tx.column<string>(`SELECT name FROM (${evaluationSql(tx.dialect)}) WHERE policy = @policy AND intune = 1`, {device: null, policy: policy.name})
        const access = await tx.column<string>("SELECT name FROM access_policy WHERE kind = 'custom' AND enabled = 1 ORDER BY name")
        const affects = requireDeleteConsent(KINDS.compliancePolicy, policy.name, complianceAffects(decided, access), options.force === true, COMPLIANCE_DELETE_CONSEQUENCE)
        tx.run('DELETE FROM compliance_policy WHERE id = ?', policy.id)
        return {policy, changed: true as const, affects}
      })
    },

    async evaluate(filter = {}) {
      await requireTenantRow(store)
      const connection = await readIntune(store)
      // One device (`compliance evaluate --device`, `access check`): the core rules on its facts.
      if (filter.device) return [await evaluateOne(store, (await resolveDevice(store, filter.device)).id, connection)]
      // Raw rows (arrays) keep 100,000 devices cheap: one query, one pass. The verdict is a pure
      // function of the facts, and devices share few distinct fact tuples, so it is computed
      // once per tuple and shared (reason strings included).
      // Policies in rank order (the row_number of evaluationCte) and OS classes, read once.
      const ranked = await db.all<{name: string; max_risk: MaxRisk}>('SELECT name, max_risk FROM compliance_policy ORDER BY max_rank, created_at, name')
      const osClass = `SELECT os_family, ${osVersionSql()} AS os_version FROM os_class WHERE id = ?`
      const m = ranked.length + 1
      const rows = await db.rows<[number, string, number]>(compactSql(store.dialect), {device: null, m})
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
          const os = (await db.get<{os_family: string; os_version: string}>(osClass, Math.floor(key / m / 10)))!
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

/**
 * One device judged by the core rules themselves (strictestPolicy, judgeCompliance) on its
 * facts: OS, Intune management, risk from its active alerts, its device groups (inventory and
 * explicit) and its signed-in user's groups. The set-based evaluation of every device above is
 * pinned to this by test/core/compliance/strictest.differential.test.ts.
 */
async function evaluateOne(store: LocalStore, id: number, connection: IntuneState): Promise<DeviceCompliance> {
  const db: StoreSql = store
  const d = (await db.get<{
    id: number
    name: string
    user: string | null
    os_family: string
    build: number | null
    release: string | null
    version: string | null
    intune: number
  }>('SELECT id, name, user, os_family, build, release, version, intune FROM device_v WHERE id = ?', id))!
  const risk = await db.value<number>(`SELECT rank FROM (${riskSource(db.dialect)}) WHERE device_name = ?`, d.name)
  const deviceGroups = await db.column<string>(`SELECT group_name FROM (${deviceMembership(db.dialect)}) WHERE device_id = ?`, d.id)
  const userGroups = d.user === null ? [] : await db.column<string>("SELECT group_name FROM intune_group_member WHERE kind = 'user' AND member = ?", d.user)
  const policies = (await db.all<PolicyRow>('SELECT * FROM compliance_policy')).map(toPolicy)
  return judgeCompliance(
    {
      deviceId: String(d.id),
      deviceName: d.name,
      osFamily: d.os_family,
      osVersion: dottedOsVersion({osFamily: d.os_family, build: d.build, release: d.release, version: d.version}),
      managedByIntune: d.intune === 1,
      risk: riskFromRank(risk ?? 0),
      strictest: strictestPolicy(d.os_family, policies, deviceGroups, userGroups),
    },
    connection,
  )
}
