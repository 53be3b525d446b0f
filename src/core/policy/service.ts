import {basename} from 'node:path'
import type {Backend} from '../port/types.js'
import {listPages, type PagedList} from '../port/page.js'
import {DEFAULT_CONFIGMGR_VERSION, parseConfigMgrVersion} from '../device/os.js'
import {RuleError, UsageError} from '../errors.js'
import {requireOwnTenant, requireTenant} from '../tenant/service.js'
import {DEFAULT_WAIT_MS, type OperationWaitOptions, settleOperation} from '../operation/wait.js'
import type {Operation} from '../port/operations-api.js'
import type {ConfirmImpact} from '../collection/service.js'
import type {DeleteImpact} from '../endpoint-lifecycle.js'
import {checkPolicyChange, missAdvice, type PolicyChange} from './rules.js'
import type {DeploymentPlan, Policy, PolicyConfigFile, PolicyType, SampleSharing} from './types.js'

export interface CreatePolicyOptions {
  name: string
  description: string
  type: PolicyType
  configFile?: string
  workspaceId?: string
  workspaceKey?: string
  sampleSharing: SampleSharing
  configMgrVersion: number
  profile: string
}

/** --configmgr-version, else the profile's `configmgr-version`, else the default. */
export function resolveConfigMgrVersion(flag: string | undefined, profileSetting: string | undefined): number {
  const text = flag ?? profileSetting
  if (text === undefined) return DEFAULT_CONFIGMGR_VERSION
  const version = parseConfigMgrVersion(text)
  if (version === undefined) {
    throw new UsageError(`'${text}' is not a Configuration Manager version (YYMM, e.g. 1910, 2002, 2103).`, {
      suggestions: ['Pass --configmgr-version 2103, or set a default: atpctl config set configmgr-version 2103'],
    })
  }

  return version
}

/**
 * Creates a ConfigMgr ATP policy (CM5). The configuration file goes through the package
 * inspector: right kind, valid signature by this tenant (or Microsoft), this tenant's org,
 * a Windows package (CM8), offboarding not expired (CM7).
 */
export async function createPolicy(backend: Backend, options: CreatePolicyOptions): Promise<{policy: Policy; changed: boolean}> {
  const tenant = await requireOwnTenant(backend, options.profile, 'configmgr-policies')
  const configFile = options.configFile ? await verifiedConfigFile(options.configFile, options.type, tenant) : null
  return backend.policies.create({
    name: options.name,
    description: options.description,
    type: options.type,
    configFile,
    workspaceId: options.workspaceId ?? null,
    workspaceKey: options.workspaceKey ?? null,
    sampleSharing: options.sampleSharing,
    configMgrVersion: options.configMgrVersion,
  })
}

/** The facts of a configuration file the package inspector accepts for a policy of this type (CM7, CM8); `policy create` and the tenant-file plan check files with it. */
export async function verifiedConfigFile(path: string, type: PolicyType, tenant: {orgId: string; certificateSha256: string}): Promise<PolicyConfigFile> {
  const {assertUsable, inspectPackage} = await import('../package/inspect.js')
  const inspection = assertUsable(await inspectPackage(path, {tenant: {orgId: tenant.orgId, certificateSha256: tenant.certificateSha256}}), {
    kind: type,
    requireTenant: true,
    requireKnownSigner: true,
  })
  if (inspection.os !== null && inspection.os !== 'windows') {
    const {InvalidInputError} = await import('../errors.js')
    throw new InvalidInputError(`'${inspection.fileName}' is a ${inspection.os} package; Configuration Manager policies need the Windows one.`, {
      code: 'PACKAGE_WRONG_OS',
      suggestions: [`Generate it: atpctl package generate ${type} --os windows --method configmgr --out ${type}.zip`],
    })
  }

  return {name: basename(path), sha256: inspection.sha256, orgId: inspection.orgId, expiresAt: inspection.expiresAt}
}

export interface UpdatePolicyOptions {
  name: string
  description?: string
  /** A new configuration file (checked like create's), or null to remove it. */
  configFile?: string | null
  /** With workspaceKey; null removes both. */
  workspaceId?: string | null
  workspaceKey?: string | null
  sampleSharing?: SampleSharing
  configMgrVersion?: number
  force: boolean
  profile: string
}

/** Changes a policy (issue 11 item 8); the backend re-checks it as a create, and CM3 for its deployments. */
export async function updatePolicy(backend: Backend, options: UpdatePolicyOptions): Promise<{policy: Policy; changed: boolean}> {
  const tenant = await requireOwnTenant(backend, options.profile, 'configmgr-policies')
  const change: PolicyChange = {
    description: options.description,
    workspaceId: options.workspaceId,
    workspaceKey: options.workspaceKey,
    sampleSharing: options.sampleSharing,
    configMgrVersion: options.configMgrVersion,
    force: options.force,
  }
  checkPolicyChange(options.name, {...change, configFile: options.configFile === undefined ? undefined : null})
  if (options.configFile !== undefined) {
    const {type} = await backend.policies.get(options.name)
    change.configFile = options.configFile === null ? null : await verifiedConfigFile(options.configFile, type, tenant)
  }

  return backend.policies.update(options.name, change)
}

export async function listPolicies(backend: Backend, options: {profile: string; limit?: number}): Promise<{policies: PagedList<Policy>}> {
  await requireTenant(backend, options.profile)
  return {policies: await listPages((page) => backend.policies.list(page), {limit: options.limit})}
}

export async function showPolicy(backend: Backend, options: {name: string; profile: string}): Promise<{policy: Policy}> {
  await requireTenant(backend, options.profile)
  return {policy: await backend.policies.get(options.name)}
}

/** Deletes a policy; a deployed one is confirmed first (`confirm` sees what it affects). */
export async function deletePolicy(backend: Backend, options: {name: string; confirm: ConfirmImpact; profile: string}): Promise<{policy: Policy; changed: boolean; impact: DeleteImpact}> {
  await requireTenant(backend, options.profile)
  const preview = await backend.policies.delete(options.name, {dryRun: true})
  if (preview.impact.inUse) await options.confirm(preview.impact)
  return backend.policies.delete(options.name, {force: preview.impact.inUse})
}

/** Removes a policy's deployments to collections, confirmed first with what it affects. */
export async function undeployPolicy(
  backend: Backend,
  options: {name: string; collections: string[]; confirm: ConfirmImpact; profile: string},
): Promise<{policy: Policy; changed: boolean; removed: string[]; notDeployed: string[]; impact: DeleteImpact}> {
  await requireTenant(backend, options.profile)
  const preview = await backend.policies.undeploy({name: options.name, collections: options.collections, dryRun: true})
  if (preview.impact.inUse) await options.confirm(preview.impact)
  return backend.policies.undeploy({name: options.name, collections: options.collections, force: preview.impact.inUse})
}

/**
 * Plans and (unless dryRun) applies a deployment. When devices would be missed and --force is
 * not given, `onRefused` gets the plan (to show it), then the refusal is thrown (exit 4, CM3).
 * An applied deployment is an operation (issue 11 item 5), followed as `wait` says: its applied
 * plan when it finished, StillRunningError (exit 9) when it still runs after the wait.
 */
export async function deployPolicy(
  backend: Backend,
  options: {
    name: string
    collections: string[]
    dryRun: boolean
    force: boolean
    profile: string
    /** Default: wait up to DEFAULT_WAIT_MS. */
    wait?: OperationWaitOptions
    onRefused?: (plan: DeploymentPlan) => void
  },
): Promise<{plan: DeploymentPlan; operation: Operation<DeploymentPlan> | null}> {
  await requireTenant(backend, options.profile)
  const {plan, operation} = await backend.policies.deploy({name: options.name, collections: options.collections, dryRun: options.dryRun, force: options.force})
  if (plan.refused && !plan.dryRun) {
    options.onRefused?.(plan)
    throw refusal(plan)
  }

  if (!operation) return {plan, operation: null}
  const settled = await settleOperation(backend.operations, operation, options.wait ?? {timeoutMs: DEFAULT_WAIT_MS})
  return {plan: settled.result, operation: settled.operation}
}

export function refusal(plan: DeploymentPlan): RuleError {
  const reasons = Object.entries(plan.summary.byReason)
    .map(([r, n]) => `${n} ${r}`)
    .join(', ')
  const sample = plan.missed
    .slice(0, 3)
    .map((m) => m.name)
    .join(', ')
  return new RuleError(
    'CM3',
    `Deploying '${plan.policy}' would miss ${plan.summary.missed} of ${plan.summary.targeted} device(s) (${reasons}): ${sample}${plan.missed.length > 3 ? ', …' : ''}. Nothing was deployed.`,
    {suggestions: missAdvice(plan.summary.byReason, plan.configMgrVersion), details: {summary: plan.summary}},
  )
}
