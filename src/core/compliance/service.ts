import type {Backend} from '../port/types.js'
import type {Deleted} from '../port/intune-api.js'
import {listPages, type PagedList} from '../port/page.js'
import {UsageError} from '../errors.js'
import {requireTenant} from '../tenant/service.js'
import {type CompliancePolicy, type CompliancePolicyUpdateRequest, type CompliancePlatform, type ComplianceSummary, type DeviceCompliance, type MaxRisk, summarise} from './rules.js'
import {NAME_RULES, requireName} from '../names.js'

export async function createCompliancePolicy(
  backend: Backend,
  options: {name: string; description?: string; platform: CompliancePlatform; maxRisk: MaxRisk; assignGroup?: string; profile: string},
): Promise<{policy: CompliancePolicy; changed: boolean}> {
  requireName(options.name, NAME_RULES.compliancePolicy, ['Pass --name "Windows baseline".']) // the backend runs the same rule (issue 15 item 3)
  await requireTenant(backend, options.profile)
  const {profile: _profile, ...request} = options
  return backend.compliance.create({...request, name: request.name.trim()})
}

export async function showCompliancePolicy(backend: Backend, options: {name: string; profile: string}): Promise<{policy: CompliancePolicy}> {
  await requireTenant(backend, options.profile)
  return {policy: await backend.compliance.get(options.name)}
}

export async function updateCompliancePolicy(backend: Backend, options: CompliancePolicyUpdateRequest & {name: string; profile: string}): Promise<{policy: CompliancePolicy; changed: boolean}> {
  const {profile, name, ...patch} = options
  await requireTenant(backend, profile)
  return backend.compliance.update(name, patch)
}

export async function deleteCompliancePolicy(backend: Backend, options: {name: string; force: boolean; profile: string}): Promise<Deleted<'policy', CompliancePolicy>> {
  await requireTenant(backend, options.profile)
  return backend.compliance.delete(options.name, {force: options.force})
}

export async function listCompliancePolicies(backend: Backend, options: {profile: string; limit?: number}): Promise<{policies: PagedList<CompliancePolicy>}> {
  await requireTenant(backend, options.profile)
  return {policies: await listPages((page) => backend.compliance.list(page), {limit: options.limit})}
}

export interface ComplianceEvaluation {
  summary: ComplianceSummary
  devices: DeviceCompliance[]
}

/** IN2 + IN7: compliant / noncompliant / not evaluated, with the reason, per device. */
export async function evaluateCompliance(backend: Backend, options: {device?: string; profile: string}): Promise<ComplianceEvaluation> {
  await requireTenant(backend, options.profile)
  const devices = await backend.compliance.evaluate({device: options.device})
  return {summary: summarise(devices), devices}
}
