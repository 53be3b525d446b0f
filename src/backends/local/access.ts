import {randomUUID} from 'node:crypto'
import type {AccessPolicy, ClientApp} from '../../core/access/rules.js'
import {ALL, checkAccessPolicyRequest} from '../../core/access/rules.js'
import {NotFoundError, RuleError, UsageError} from '../../core/errors.js'
import type {AccessApi} from '../../core/port/intune-api.js'
import {requireGroup} from './intune.js'
import type {LocalStore, StoreSql} from './store.js'
import {requireTenantRow} from './tenant.js'
import {escapeName} from '../../core/names.js'

interface Row {
  id: string
  name: string
  kind: 'classic' | 'custom'
  protected: number
  enabled: number
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
  const find = (nameOrId: string): AccessPolicy => {
    const row = db.get('SELECT * FROM access_policy WHERE id = @p OR name = @p COLLATE NOCASE', {p: nameOrId}) as Row | undefined
    if (!row) throw new NotFoundError(`Conditional access policy '${escapeName(nameOrId)}' does not exist.`, {suggestions: ['List policies: atpctl access policy list']})
    return toPolicy(row)
  }

  return {
    async createPolicy(given) {
      requireTenantRow(store)
      // The CLI's own rule, run here for every caller (issue 15 item 3).
      const request = checkAccessPolicyRequest(given)
      return store.mutate('access.policy.create', request.name, () => {
        if (db.get('SELECT 1 FROM access_policy WHERE name = ? COLLATE NOCASE', request.name)) {
          throw new UsageError(`A conditional access policy named '${request.name}' already exists.`, {suggestions: ['List policies: atpctl access policy list', 'Or choose another --name.']})
        }

        const canonical = (g: string) => (g.toLowerCase() === ALL ? ALL : requireGroup(store, g))
        const definition: Definition = {
          includeGroups: [...new Set(request.includeGroups.map(canonical))],
          excludeGroups: [...new Set(request.excludeGroups.map(canonical))],
          apps: [...new Set(request.apps.map((a) => a.trim().toLowerCase()))],
          clients: [...new Set(request.clients)],
          grant: request.grant,
        }
        const row: Row = {
          id: randomUUID(),
          name: request.name,
          kind: 'custom',
          protected: 0,
          enabled: request.enabled ? 1 : 0,
          definition: JSON.stringify(definition),
          created_at: store.now().toISOString(),
        }
        db.run('INSERT INTO access_policy (id, name, kind, protected, enabled, definition, created_at) VALUES (@id, @name, @kind, @protected, @enabled, @definition, @created_at)', row)
        return toPolicy(row)
      })
    },

    async listPolicies() {
      requireTenantRow(store)
      return (db.all("SELECT * FROM access_policy ORDER BY kind = 'custom', created_at, name") as Row[]).map(toPolicy)
    },

    async setPolicyEnabled(nameOrId, enabled) {
      requireTenantRow(store)
      return store.mutate(enabled ? 'access.policy.enable' : 'access.policy.disable', nameOrId, () => {
        const policy = find(nameOrId)
        refuseProtected(policy, 'edited')
        if (policy.enabled === enabled) return {policy, changed: false}
        db.run('UPDATE access_policy SET enabled = ? WHERE id = ?', enabled ? 1 : 0, policy.id)
        return {policy: find(policy.id), changed: true}
      })
    },

    async deletePolicy(nameOrId) {
      requireTenantRow(store)
      return store.mutate('access.policy.delete', nameOrId, () => {
        const policy = find(nameOrId)
        refuseProtected(policy, 'deleted')
        db.run('DELETE FROM access_policy WHERE id = ?', policy.id)
        return policy
      })
    },
  }
}
