import type {Tenant} from '../../core/tenant/model.js'
import {renderFields} from '../table.js'
import {style} from '../style.js'

export function tenantFields(tenant: Tenant): [string, string][] {
  return [
    ['Org id', style.id(tenant.orgId)],
    ['Location', tenant.location],
    ['Datacenter', tenant.datacenter],
    ['Workspace ID', tenant.workspaceId],
    ['Workspace key', `${style.dim('(hidden; atpctl workspace show --reveal)')}`],
    ['Created', tenant.createdAt],
  ]
}

export function presentTenant(tenant: Tenant): string {
  return renderFields(tenantFields(tenant))
}
