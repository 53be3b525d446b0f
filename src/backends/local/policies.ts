import {createHash, randomUUID} from 'node:crypto'
import {formatDuration} from '../../core/duration.js'
import {InvalidInputError, NotFoundError, RuleError, UsageError} from '../../core/errors.js'
import type {CollectionMonitor, DeploymentStatus, HealthCounts, MonitorReport} from '../../core/monitor/types.js'
import {conflict, deploymentRemovalImpact, inUseLead, requireConfirmedRemoval} from '../../core/endpoint-lifecycle.js'
import {checkPolicyChange, checkPolicyTenantParts, checkPolicyValues, checkUpdateReach, describeMiss, planOutcome, policyDifferences, type PolicyContent, policyShape, requiredParts} from '../../core/policy/rules.js'
import type {DeploymentPlan, MissedDevice, MissReason, Policy, PolicyConfigFile, PolicyCreateRequest} from '../../core/policy/types.js'
import type {DeployOutcome, MonitorApi, PolicyApi} from '../../core/port/policies-api.js'
import {collectionId, deviceStateSql, sinceIso} from './device-state.js'
import {recordOperation} from './operations.js'
import {afterCondition, keysetPage, positionParams} from './keyset.js'
import type {SqlDialect} from './sqlite-dialect.js'
import type {LocalStore, StoreSql} from './store.js'
import {requireTenantRow} from './tenant.js'
import {escapeName, NAME_RULES, requireName} from '../../core/names.js'

interface PolicyRow {
  id: string
  name: string
  description: string
  type: Policy['type']
  config_file_name: string | null
  config_file_sha256: string | null
  config_org_id?: string | null
  config_expires_at: string | null
  workspace_id: string | null
  workspace_key_sha256: string | null
  sample_sharing: Policy['sampleSharing']
  configmgr_version: number
  created_at: string
  deployments: string
}

const policySql = (d: SqlDialect) => `SELECT p.*, (SELECT ${d.jsonArrayAggregate(d.jsonObject([['collection', 'c.name'], ['deployedAt', 'pd.deployed_at'], ['forced', 'pd.forced = 1']]))}
    FROM policy_deployment pd JOIN collection c ON c.id = pd.collection_id WHERE pd.policy_id = p.id) AS deployments FROM policy p`

function toPolicy(r: PolicyRow, orgId: string): Policy {
  const configFile: PolicyConfigFile | null = r.config_file_sha256
    ? {name: r.config_file_name ?? '', sha256: r.config_file_sha256, orgId, expiresAt: r.config_expires_at}
    : null
  const base = {type: r.type, configFile, workspaceId: r.workspace_id, workspaceKey: r.workspace_key_sha256 !== null}
  return {
    name: r.name,
    description: r.description,
    ...base,
    shape: policyShape(base),
    sampleSharing: r.sample_sharing,
    configMgrVersion: r.configmgr_version,
    deployments: (JSON.parse(r.deployments) as Policy['deployments']).map((d) => ({...d, forced: Boolean(d.forced)})).sort((a, b) => a.collection.localeCompare(b.collection)),
    createdAt: r.created_at,
  }
}

/** What a stored policy holds, for the comparison of a create of the same name. */
function rowContent(r: PolicyRow): PolicyContent {
  return {
    description: r.description,
    type: r.type,
    configFile: r.config_file_sha256 ? {name: r.config_file_name ?? '', sha256: r.config_file_sha256} : null,
    workspaceId: r.workspace_id,
    workspaceKeySha256: r.workspace_key_sha256,
    sampleSharing: r.sample_sharing,
    configMgrVersion: r.configmgr_version,
  }
}

/** Stands for the stored Workspace key (known by its hash only) in the checks of an update. */
const KEPT_KEY = '\u0000kept'

/** The stored tenant's parts a policy must match. */
const tenantParts = (t: {org_id: string; workspace_id: string; workspace_key: string}) => ({orgId: t.org_id, workspaceId: t.workspace_id, workspaceKey: t.workspace_key})

/** Devices of the collections a policy would miss with these parts (the plan's SQL). */
function missedDevices(db: StoreSql, policyId: string, collectionIds: number[], p: {type: string; expired: boolean; version: number; hasFile: boolean; hasKey: boolean}): Promise<string[]> {
  const params = {type: p.type, policyId, expired: p.expired ? 1 : 0, version: p.version, hasFile: p.hasFile ? 1 : 0, hasKey: p.hasKey ? 1 : 0}
  return db.column<string>(`SELECT name FROM (${PLAN_SQL(collectionIds.length)}) WHERE reason IS NOT NULL ORDER BY name`, ...collectionIds, params)
}

/** The ids of the named collections, in order; NotFoundError for the first unknown one. */
async function collectionIds(db: StoreSql, names: string[]): Promise<number[]> {
  const ids: number[] = []
  for (const n of names) ids.push(await collectionId(db, n))
  return ids
}

/** Distinct devices in the collections. */
async function targetedCount(db: StoreSql, collectionIds: number[]): Promise<number> {
  if (collectionIds.length === 0) return 0
  return (await db.value<number>(`SELECT COUNT(DISTINCT device_id) FROM collection_member WHERE collection_id IN (${collectionIds.map(() => '?').join(', ')})`, ...collectionIds))!
}

function policyNotFound(name: string): NotFoundError {
  return new NotFoundError(`Policy '${escapeName(name)}' does not exist.`, {suggestions: ['List policies: atpctl policy list', 'Create one: atpctl policy create']})
}

async function requirePolicy(db: LocalStore, name: string): Promise<PolicyRow> {
  const row = await db.get<PolicyRow>(`${policySql(db.dialect)} WHERE p.name = ?`, name)
  if (!row) throw policyNotFound(name)
  return row
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

/**
 * The deployment plan of one policy to some collections, set-based: every targeted device with
 * the reason it would be missed (NULL = reached), as core/policy/rules.ts missReason decides it
 * (pinned by test/core/policy/plan.differential.test.ts). Exported for the bench's SQL baseline.
 */
export const PLAN_SQL = (collectionCount: number) => `
WITH t AS (SELECT DISTINCT device_id FROM collection_member WHERE collection_id IN (${Array.from({length: collectionCount}, () => '?').join(', ')})),
other AS (
  SELECT DISTINCT m.device_id FROM policy_deployment pd
  JOIN policy p ON p.id = pd.policy_id AND p.type <> @type AND p.id <> @policyId
  JOIN collection_member m ON m.collection_id = pd.collection_id
)
SELECT d.name AS name, d.os_name AS os_name, d.level AS level, CASE
  WHEN d.configmgr = 0 THEN 'not-configmgr-client'
  WHEN @expired = 1 THEN 'expired-offboarding-file'
  WHEN o.device_id IS NOT NULL THEN 'onboarding-and-offboarding'
  WHEN d.min_configmgr IS NULL OR @version < d.min_configmgr THEN 'unsupported-os'
  WHEN @type = 'onboarding' AND d.level = 'up-level' AND @hasFile = 0 THEN 'up-level-without-file'
  WHEN @type = 'onboarding' AND d.level = 'down-level' AND @hasKey = 0 THEN 'down-level-without-workspace'
  END AS reason
FROM t JOIN device_v d ON d.id = t.device_id LEFT JOIN other o ON o.device_id = d.id`

export function localPolicyApi(store: LocalStore): PolicyApi {
  const db: StoreSql = store
  const orgId = async () => (await requireTenantRow(store)).org_id
  return {
    async create(request) {
      const tenant = await requireTenantRow(store)
      // Every value checked here for every caller (issue 15 item 3).
      const name = requireName(request.name, NAME_RULES.policy)
      checkPolicyValues(request)
      requiredParts(request)
      checkPolicyTenantParts(request, tenantParts(tenant), store.now())
      return store.mutate('policy.create', name, async (tx) => {
        const existing = await tx.get<PolicyRow>(`${policySql(tx.dialect)} WHERE p.name = ?`, name)
        if (existing) {
          // The same create again changes nothing; other content is a conflict (issue 11 item 4).
          const diffs = policyDifferences(rowContent(existing), {
            description: request.description,
            type: request.type,
            configFile: request.configFile,
            workspaceId: request.workspaceId === null ? null : tenant.workspace_id,
            workspaceKeySha256: request.workspaceKey === null ? null : sha256(request.workspaceKey.trim()),
            sampleSharing: request.sampleSharing,
            configMgrVersion: request.configMgrVersion,
          })
          if (diffs.length > 0) {
            throw conflict(`Policy '${escapeName(existing.name)}'`, diffs, [`Change it: atpctl policy update "${escapeName(existing.name)}" ...`, 'Or create the new one under another --name.'])
          }

          return {policy: toPolicy(existing, tenant.org_id), changed: false}
        }

        tx.run(
          `INSERT INTO policy (id, name, description, type, config_file_name, config_file_sha256, config_expires_at, workspace_id,
             workspace_key_sha256, sample_sharing, configmgr_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,

          randomUUID(),
          name,
          request.description,
          request.type,
          request.configFile?.name ?? null,
          request.configFile?.sha256 ?? null,
          request.configFile?.expiresAt ?? null,
          request.workspaceId === null ? null : tenant.workspace_id,
          request.workspaceKey === null ? null : sha256(request.workspaceKey.trim()),
          request.sampleSharing,
          request.configMgrVersion,
          store.now().toISOString(),
        )
        return {policy: toPolicy(await requirePolicy(tx, name), tenant.org_id), changed: true}
      })
    },

    async list(request) {
      const org = await orgId()
      // Names are unique (case-insensitively): the name is the position.
      return keysetPage({
        list: 'policies',
        shape: ['string'],
        request,
        rows: (after, limit) => db.all<PolicyRow>(`${policySql(store.dialect)} WHERE ${afterCondition(['p.name'], after)} ORDER BY p.name LIMIT @limit`, {...positionParams(after), limit}),
        positionOf: (r) => [r.name],
        toItem: (r) => toPolicy(r, org),
      })
    },

    async get(name) {
      return toPolicy(await requirePolicy(store, name), await orgId())
    },

    async update(name, change) {
      const tenant = await requireTenantRow(store)
      checkPolicyChange(name, change)
      return store.mutate('policy.update', name, async (tx) => {
        const row = await requirePolicy(tx, name)
        const current = toPolicy(row, tenant.org_id)
        // The stored key is known by its hash only: a stand-in keeps its presence for the checks.
        const keptKey = row.workspace_key_sha256 === null ? null : KEPT_KEY
        const merged = {
          name: row.name,
          description: change.description ?? row.description,
          type: row.type,
          configFile: change.configFile === undefined ? current.configFile : change.configFile,
          workspaceId: change.workspaceId === undefined ? row.workspace_id : change.workspaceId,
          workspaceKey: change.workspaceKey === undefined ? keptKey : change.workspaceKey,
          sampleSharing: change.sampleSharing ?? row.sample_sharing,
          configMgrVersion: change.configMgrVersion ?? row.configmgr_version,
        }
        // Everything create checks, on the policy as it would be (CM4, CM7, this tenant's parts).
        checkPolicyValues(merged)
        requiredParts(merged)
        checkPolicyTenantParts(
          {configFile: change.configFile ?? null, workspaceId: change.workspaceId ?? null, workspaceKey: change.workspaceKey ?? null},
          tenantParts(tenant),
          store.now(),
        )
        const next: PolicyContent = {
          description: merged.description,
          type: merged.type,
          configFile: merged.configFile,
          workspaceId: merged.workspaceId === null ? null : tenant.workspace_id,
          workspaceKeySha256: merged.workspaceKey === null ? null : merged.workspaceKey === KEPT_KEY ? row.workspace_key_sha256 : sha256(merged.workspaceKey.trim()),
          sampleSharing: merged.sampleSharing,
          configMgrVersion: merged.configMgrVersion,
        }
        const changed = policyDifferences(rowContent(row), next).length > 0 || (merged.configFile?.name ?? null) !== row.config_file_name
        if (!changed) return {policy: current, changed: false}
        // CM3: a deployed policy must not silently stop reaching devices it reaches now.
        const deployedTo = await tx.column<number>('SELECT collection_id FROM policy_deployment WHERE policy_id = ?', row.id)
        if (deployedTo.length > 0) {
          const missed = (p: {type: string; configFile: {expiresAt: string | null} | null; hasKey: boolean; version: number}) =>
            missedDevices(tx, row.id, deployedTo, {
              type: p.type,
              expired: p.configFile?.expiresAt ? Date.parse(p.configFile.expiresAt) <= store.now().getTime() : false,
              version: p.version,
              hasFile: p.configFile !== null,
              hasKey: p.hasKey,
            })
          const before = await missed({type: row.type, configFile: current.configFile, hasKey: current.workspaceKey, version: current.configMgrVersion})
          const after = await missed({type: next.type, configFile: merged.configFile, hasKey: next.workspaceKeySha256 !== null, version: next.configMgrVersion})
          checkUpdateReach(row.name, before, after, change.force === true)
        }

        tx.run(`UPDATE policy SET description = ?, config_file_name = ?, config_file_sha256 = ?, config_expires_at = ?, workspace_id = ?, workspace_key_sha256 = ?,
             sample_sharing = ?, configmgr_version = ? WHERE id = ?`, next.description,
          merged.configFile?.name ?? null,
          merged.configFile?.sha256 ?? null,
          merged.configFile?.expiresAt ?? null,
          next.workspaceId,
          next.workspaceKeySha256,
          next.sampleSharing,
          next.configMgrVersion,
          row.id,)
        return {policy: toPolicy(await requirePolicy(tx, row.name), tenant.org_id), changed: true}
      })
    },

    async delete(name, options = {}) {
      const org = await orgId()
      const assess = async (s: LocalStore) => {
        const row = await requirePolicy(s, name)
        const policy = toPolicy(row, org)
        const ids = await s.column<number>('SELECT collection_id FROM policy_deployment WHERE policy_id = ?', row.id)
        return {row, policy, impact: deploymentRemovalImpact({policy: policy.name, collections: policy.deployments.map((d) => d.collection), targeted: await targetedCount(s, ids)})}
      }

      if (options.dryRun) {
        const {policy, impact} = await assess(store)
        return {policy, changed: false, impact}
      }

      return store.mutate('policy.delete', name, async (tx) => {
        const {row, policy, impact} = await assess(tx)
        requireConfirmedRemoval(inUseLead(`Policy '${escapeName(policy.name)}'`), impact, options.force === true)
        tx.run('DELETE FROM policy WHERE id = ?', row.id)
        return {policy, changed: true, impact}
      })
    },

    async undeploy(request) {
      const org = await orgId()
      if (request.collections.length === 0) throw new UsageError('No collection to undeploy from.', {suggestions: ['Pass --collection NAME (several allowed).']})
      const assess = async (s: LocalStore) => {
        const row = await requirePolicy(s, request.name)
        const policy = toPolicy(row, org)
        const deployed = new Set(await s.column<number>('SELECT collection_id FROM policy_deployment WHERE policy_id = ?', row.id))
        const ids = [...new Set(await collectionIds(s, request.collections))]
        const names = async (list: number[]) => {
          const out: string[] = []
          for (const id of list) out.push((await s.value<string>('SELECT name FROM collection WHERE id = ?', id))!)
          return out
        }

        const removed = ids.filter((id) => deployed.has(id))
        const removedNames = await names(removed)
        const impact = deploymentRemovalImpact({policy: policy.name, collections: removedNames, targeted: await targetedCount(s, removed)})
        return {row, policy, removed, removedNames, notDeployed: await names(ids.filter((id) => !deployed.has(id))), impact}
      }

      if (request.dryRun) {
        const {policy, removedNames, notDeployed, impact} = await assess(store)
        return {policy, changed: false, removed: removedNames, notDeployed, impact}
      }

      return store.mutate('policy.undeploy', `${request.name} -> ${request.collections.join(', ')}`, async (tx) => {
        const {row, policy, removed, removedNames, notDeployed, impact} = await assess(tx)
        requireConfirmedRemoval(inUseLead(`Policy '${escapeName(policy.name)}'`), impact, request.force === true, 'undeploy')
        const del = 'DELETE FROM policy_deployment WHERE policy_id = ? AND collection_id = ?'
        for (const id of removed) tx.run(del, row.id, id)
        return {policy: toPolicy(await requirePolicy(tx, row.name), org), changed: removed.length > 0, removed: removedNames, notDeployed, impact}
      })
    },

    async deploy(request) {
      const org = await orgId()
      if (request.collections.length === 0) throw new UsageError('No collection to deploy to.', {suggestions: ['Pass --collection NAME (several allowed).']})
      const compute = async (s: LocalStore): Promise<DeploymentPlan> => {
        const row = await requirePolicy(s, request.name)
        const policy = toPolicy(row, org)
        const names = [...new Set(request.collections)]
        const ids = await collectionIds(s, names)
        const canonical: string[] = []
        for (const id of ids) canonical.push((await s.value<string>('SELECT name FROM collection WHERE id = ?', id))!)
        const expired = policy.configFile?.expiresAt ? Date.parse(policy.configFile.expiresAt) <= store.now().getTime() : false
        const params = {
          type: policy.type,
          policyId: row.id,
          expired: expired ? 1 : 0,
          version: policy.configMgrVersion,
          hasFile: policy.configFile ? 1 : 0,
          hasKey: policy.workspaceKey ? 1 : 0,
        }
        const rows = await s.all<{name: string; os_name: string; level: string; reason: MissReason}>(
          `SELECT * FROM (${PLAN_SQL(ids.length)}) WHERE reason IS NOT NULL ORDER BY name`,
          ...ids,
          params,
        )
        const targeted = await targetedCount(s, ids)
        const outcome = planOutcome(targeted, rows.map((r) => ({name: r.name, osName: r.os_name, level: r.level, reason: r.reason})), policy, request.force)
        return {
          policy: policy.name,
          type: policy.type,
          shape: policy.shape,
          configMgrVersion: policy.configMgrVersion,
          collections: canonical,
          summary: outcome.summary,
          missed: outcome.missed,
          dryRun: request.dryRun,
          forced: request.force,
          applied: false,
          refused: outcome.refused,
        }
      }

      if (request.dryRun) return {plan: await compute(store), operation: null}
      return store.mutate('policy.deploy', `${request.name} -> ${request.collections.join(', ')}`, async (tx): Promise<DeployOutcome> => {
        const plan = await compute(tx)
        if (plan.refused) return {plan, operation: null}
        if (plan.type === 'offboarding' && plan.summary.byReason['expired-offboarding-file']) {
          throw new InvalidInputError(`Policy '${plan.policy}' has an expired offboarding file; it cannot be deployed.`, {
            code: 'PACKAGE_EXPIRED',
            suggestions: ['Create a new offboarding policy with a fresh file: atpctl package generate offboarding --os windows --method configmgr'],
          })
        }

        const policyId = (await requirePolicy(tx, plan.policy)).id
        const insert = `INSERT INTO policy_deployment (policy_id, collection_id, deployed_at, forced) VALUES (?, ?, ?, ?)
           ON CONFLICT(policy_id, collection_id) DO UPDATE SET deployed_at = excluded.deployed_at, forced = excluded.forced`
        const now = store.now().toISOString()
        for (const c of plan.collections) tx.run(insert, policyId, await collectionId(tx, c), now, request.force && plan.summary.missed > 0 ? 1 : 0)
        const applied = {...plan, applied: true}
        // Issue 11 item 5: the deployment's operation, in the same transaction (finished at once here).
        return {plan: applied, operation: await recordOperation(tx, {kind: 'policy.deploy', target: `${plan.policy} -> ${plan.collections.join(', ')}`, result: applied})}
      })
    },
  }
}

/**
 * The dashboard as SQL over the agent model (CM6). Exported for the bench's SQL baseline.
 * Parameters: @since; with a collection, @collectionId limits the scope.
 */
export function monitorSql(scoped: boolean, dialect: SqlDialect): string {
  const filter = scoped ? 'd.id IN (SELECT device_id FROM collection_member WHERE collection_id = @collectionId)' : '1'
  const aggregates = `COUNT(*) AS devices,
    SUM(eligible) AS eligible, SUM(eligible AND onboarded) AS onboarded,
    SUM(eligible AND health = 'healthy') AS healthy, SUM(eligible AND health = 'inactive') AS inactive,
    SUM(eligible AND health = 'agent-state') AS agent_state, SUM(eligible AND health = 'not-onboarded') AS not_onboarded,
    SUM(reason_code = 'cm-onboarded') AS by_configmgr, SUM(reason_code IN ('dfc-onboarded','dfc-reconfigured')) AS by_dfc,
    SUM(reason_code = 'tp-onboarded') AS by_third_party, SUM(reason_code = 'sensor-onboarded') AS by_sensor`
  return `
WITH st AS MATERIALIZED (
  SELECT id, onboarded, health, reason_code, (configmgr = 1 AND cm_targeted AND cm_supported = 1) AS eligible FROM (${deviceStateSql(dialect, filter)})
)
SELECT NULL AS collection, ${aggregates} FROM st
UNION ALL
SELECT c.name AS collection, ${aggregates}
FROM collection c JOIN collection_member m ON m.collection_id = c.id JOIN st ON st.id = m.device_id
GROUP BY c.id`
}

interface MonitorRow {
  collection: string | null
  devices: number
  eligible: number | null
  onboarded: number | null
  healthy: number | null
  inactive: number | null
  agent_state: number | null
  not_onboarded: number | null
  by_configmgr: number | null
  by_dfc: number | null
  by_third_party: number | null
  by_sensor: number | null
}

const pct = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10)

function deploymentOf(r: MonitorRow): DeploymentStatus {
  const eligible = r.eligible ?? 0
  return {eligible, onboarded: r.onboarded ?? 0, percent: pct(r.onboarded ?? 0, eligible)}
}

function healthOf(r: MonitorRow): HealthCounts {
  return {healthy: r.healthy ?? 0, inactive: r.inactive ?? 0, agentState: r.agent_state ?? 0, notOnboarded: r.not_onboarded ?? 0}
}

export function localMonitorApi(store: LocalStore): MonitorApi {
  const db: StoreSql = store
  return {
    async report(request) {
      await requireTenantRow(store)
      const params: Record<string, unknown> = {since: sinceIso(store, request.periodMs)}
      let canonical: string | null = null
      if (request.collection !== undefined) {
        params.collectionId = await collectionId(db, request.collection)
        canonical = (await db.value<string>('SELECT name FROM collection WHERE id = ?', params.collectionId))!
      }

      const rows = await db.all<MonitorRow>(monitorSql(canonical !== null, db.dialect), params)
      const total = rows.find((r) => r.collection === null)!
      const health = healthOf(total)
      const eligible = total.eligible ?? 0
      const collections: CollectionMonitor[] = rows
        .filter((r) => r.collection !== null && (canonical === null || r.collection === canonical))
        .map((r) => ({name: r.collection!, members: r.devices, deployment: deploymentOf(r), health: healthOf(r)}))
        .sort((a, b) => a.name.localeCompare(b.name))
      const report: MonitorReport = {
        collection: canonical,
        periodMs: request.periodMs,
        period: formatDuration(request.periodMs),
        since: params.since as string,
        deployment: deploymentOf(total),
        health,
        healthPercent: {
          healthy: pct(health.healthy, eligible),
          inactive: pct(health.inactive, eligible),
          agentState: pct(health.agentState, eligible),
          notOnboarded: pct(health.notOnboarded, eligible),
        },
        onboardedByPath: {
          configmgr: total.by_configmgr ?? 0,
          'defender-for-cloud': total.by_dfc ?? 0,
          'third-party': total.by_third_party ?? 0,
          sensor: total.by_sensor ?? 0,
        },
        devices: total.devices,
        collections,
      }
      return report
    },
  }
}
