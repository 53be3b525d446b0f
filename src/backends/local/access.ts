import {randomUUID} from 'node:crypto'
import type {AccessPolicy, AccessPolicyCreateRequest, ClientApp} from '../../core/access/rules.js'
import {ALL, checkAccessPolicyRequest, checkAccessPolicyUpdate, updatedAccessState} from '../../core/access/rules.js'
import {NotFoundError, RuleError} from '../../core/errors.js'
import {ACCESS_DELETE_CONSEQUENCE, accessAffects, accessContent, contentDifferences, createOutcome, KINDS, requireDeleteConsent} from '../../core/intune/lifecycle.js'
import type {AccessApi} from '../../core/port/intune-api.js'
import {requireGroup} from './intune.js'
import {afterCondition, keysetPage, positionParams} from './keyset.js'
import type {LocalStore, StoreSql} from './store.js'
import {requireTenantRow} from './tenant.js'
import {escapeName} from '../../core/names.js'

interface Row {
  id: string
  name: string
  kind: 'classic' | 'custom'
  protected: number
  enabled: number
  report_only: number
  definition: string
  created_at: string
}

interface Definition {
  includeGroups?: string[]
  excludeGroups?: string[]
  apps?: string[]
  clients?: ClientApp[]
  grant?: 'compliant-device'
}

const toPolicy = (r: Row): AccessPolicy => {
  const d = JSON.parse(r.definition) as Definition
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    protected: r.protected === 1,
    enabled: r.enabled === 1,
    reportOnly: r.report_only === 1,
    includeGroups: d.includeGroups ?? [],
    excludeGroups: d.excludeGroups ?? [],
    apps: d.apps ?? [],
    clients: d.clients ?? [],
    grant: d.grant ?? 'compliant-device',
    createdAt: r.created_at,
  }
}

/** IN3: the classic policy cannot be changed; the message says what to do instead. */
function refuseProtected(policy: AccessPolicy, action: string): void {
  if (!policy.protected) return
  throw new RuleError('IN3', `'${policy.name}' is the classic policy of the Intune connection and must not be ${action}.`, {
    suggestions: [
      'Leave it as it is; it has no effect on cloud apps. Create your own: atpctl access policy create ...',
      'If it is missing or broken, turn the connection off and on again: atpctl integration disable intune && atpctl integration enable intune',
    ],
  })
}

export function localAccessApi(store: LocalStore): AccessApi {
  const db: StoreSql = store
  const find = async (s: StoreSql, nameOrId: string): Promise<AccessPolicy> => {
    const row = await s.get<Row>(`SELECT * FROM access_policy WHERE id = @p OR name = ${store.dialect.caseless('@p')}`, {p: nameOrId})
    if (!row) throw new NotFoundError(`Conditional access policy '${escapeName(nameOrId)}' does not exist.`, {suggestions: ['List policies: atpctl access policy list']})
    return toPolicy(row)
  }

  /** The stored definition: groups in their stored spelling, each value once; null lists are taken from `keep`. */
  const canonicalDefinition = async (
    s: LocalStore,
    request: Omit<AccessPolicyCreateRequest, 'includeGroups' | 'excludeGroups' | 'name' | 'enabled' | 'reportOnly'> & {includeGroups: string[] | null; excludeGroups: string[] | null},
    keep?: AccessPolicy,
  ): Promise<Required<Definition>> => {
    const canonical = async (groups: string[]) => {
      const names: string[] = []
      for (const g of groups) names.push(g.toLowerCase() === ALL ? ALL : await requireGroup(s, g))
      return [...new Set(names)]
    }

    return {
      includeGroups: request.includeGroups ? await canonical(request.includeGroups) : (keep?.includeGroups ?? []),
      excludeGroups: request.excludeGroups ? await canonical(request.excludeGroups) : (keep?.excludeGroups ?? []),
      apps: [...new Set(request.apps.map((a) => a.trim().toLowerCase()))],
      clients: [...new Set(request.clients)],
      grant: request.grant,
    }
  }

  return {
    async createPolicy(given) {
      await requireTenantRow(store)
      // The CLI's own rule, run here for every caller (issue 15 item 3).
      const request = checkAccessPolicyRequest(given)
      return store.mutate('access.policy.create', request.name, async (tx) => {
        const definition = await canonicalDefinition(tx, request)
        const existing = await tx.get<Row>(`SELECT * FROM access_policy WHERE name = ${store.dialect.caseless('?')}`, request.name)
        if (existing) {
          // The same create again is a no-op; other settings under the name are a conflict (SPEC §3).
          const policy = toPolicy(existing)
          refuseProtected(policy, 'replaced')
          createOutcome(KINDS.accessPolicy, policy.name, accessContent(policy), accessContent({...definition, enabled: request.enabled, reportOnly: request.reportOnly}))
          return {policy, changed: false}
        }

        const row: Row = {
          id: randomUUID(),
          name: request.name,
          kind: 'custom',
          protected: 0,
          enabled: request.enabled ? 1 : 0,
          report_only: request.reportOnly ? 1 : 0,
          definition: JSON.stringify(definition),
          created_at: store.now().toISOString(),
        }
        tx.run('INSERT INTO access_policy (id, name, kind, protected, enabled, report_only, definition, created_at) VALUES (@id, @name, @kind, @protected, @enabled, @report_only, @definition, @created_at)', row)
        return {policy: toPolicy(row), changed: true}
      })
    },

    async listPolicies(request) {
      await requireTenantRow(store)
      // The protected classic policy first, then custom ones oldest first.
      const order = ["kind = 'custom'", 'created_at', 'name', 'id']
      return keysetPage({
        list: 'access-policies',
        shape: ['number', 'string', 'string', 'string'],
        request,
        rows: (after, limit) =>
          db.all<Row & {custom: number}>(`SELECT *, kind = 'custom' AS custom FROM access_policy WHERE ${afterCondition(order, after)} ORDER BY ${order.join(', ')} LIMIT @limit`, {...positionParams(after), limit}),
        positionOf: (r) => [r.custom, r.created_at, r.name, r.id],
        toItem: toPolicy,
      })
    },

    async getPolicy(nameOrId) {
      await requireTenantRow(store)
      return find(db, nameOrId)
    },

    async updatePolicy(nameOrId, patch) {
      await requireTenantRow(store)
      return store.mutate('access.policy.update', nameOrId, async (tx) => {
        const current = await find(tx, nameOrId)
        refuseProtected(current, 'edited')
        const request = checkAccessPolicyUpdate(current, patch)
        // Group lists not given are kept as stored, even when a group they name was deleted since.
        const definition = await canonicalDefinition(
          tx,
          {...request, includeGroups: patch.includeGroups ? request.includeGroups : null, excludeGroups: patch.excludeGroups ? request.excludeGroups : null},
          current,
        )
        const state = updatedAccessState(current, patch.reportOnly)
        if (contentDifferences(accessContent(current), accessContent({...definition, ...state})).length === 0) return {policy: current, changed: false}
        tx.run('UPDATE access_policy SET definition = ?, enabled = ?, report_only = ? WHERE id = ?', JSON.stringify(definition), +state.enabled, +state.reportOnly, current.id)
        return {policy: await find(tx, current.id), changed: true}
      })
    },

    async setPolicyEnabled(nameOrId, enabled) {
      await requireTenantRow(store)
      return store.mutate(enabled ? 'access.policy.enable' : 'access.policy.disable', nameOrId, async (tx) => {
        const policy = await find(tx, nameOrId)
        refuseProtected(policy, 'edited')
        // Enable enforces a report-only policy; disable switches it off as well.
        if (policy.enabled === enabled && !policy.reportOnly) return {policy, changed: false}
        tx.run('UPDATE access_policy SET enabled = ?, report_only = 0 WHERE id = ?', enabled ? 1 : 0, policy.id)
        return {policy: await find(tx, policy.id), changed: true}
      })
    },

    async deletePolicy(nameOrId, options = {}) {
      await requireTenantRow(store)
      return store.mutate('access.policy.delete', nameOrId, async (tx) => {
        const policy = await find(tx, nameOrId)
        refuseProtected(policy, 'deleted') // IN3: forced or not
        const affects = requireDeleteConsent(KINDS.accessPolicy, policy.name, accessAffects(policy), options.force === true, ACCESS_DELETE_CONSEQUENCE)
        tx.run('DELETE FROM access_policy WHERE id = ?', policy.id)
        return {policy, changed: true as const, affects}
      })
    },
  }
}
