import {basename} from 'node:path'
import type {Backend} from '../port/types.js'
import {listPages, type PagedList} from '../port/page.js'
import {DEFAULT_CONFIGMGR_VERSION, parseConfigMgrVersion} from '../device/os.js'
import {RuleError, UsageError} from '../errors.js'
import {requireTenant} from '../tenant/service.js'
import {missAdvice} from './rules.js'
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
export async function createPolicy(backend: Backend, options: CreatePolicyOptions): Promise<{policy: Policy}> {
  const tenant = await requireTenant(backend, options.profile)
  let configFile: PolicyConfigFile | null = null
  if (options.configFile) {
    const {assertUsable, inspectPackage} = await import('../package/inspect.js')
    const inspection = assertUsable(await inspectPackage(options.configFile, {tenant: {orgId: tenant.orgId, certificateSha256: tenant.certificateSha256}}), {
      kind: options.type,
      requireTenant: true,
      requireKnownSigner: true,
    })
    if (inspection.os !== null && inspection.os !== 'windows') {
      const {InvalidInputError} = await import('../errors.js')
      throw new InvalidInputError(`'${inspection.fileName}' is a ${inspection.os} package; Configuration Manager policies need the Windows one.`, {
        code: 'PACKAGE_WRONG_OS',
        suggestions: [`Generate it: atpctl package generate ${options.type} --os windows --method configmgr --out ${options.type}.zip`],
      })
    }

    configFile = {name: basename(options.configFile), sha256: inspection.sha256, orgId: inspection.orgId, expiresAt: inspection.expiresAt}
  }

  const policy = await backend.policies.create({
    name: options.name,
    description: options.description,
    type: options.type,
    configFile,
    workspaceId: options.workspaceId ?? null,
    workspaceKey: options.workspaceKey ?? null,
    sampleSharing: options.sampleSharing,
    configMgrVersion: options.configMgrVersion,
  })
  return {policy}
}

export async function listPolicies(backend: Backend, options: {profile: string; limit?: number}): Promise<{policies: PagedList<Policy>}> {
  await requireTenant(backend, options.profile)
  return {policies: await listPages((page) => backend.policies.list(page), {limit: options.limit})}
}

export async function showPolicy(backend: Backend, options: {name: string; profile: string}): Promise<{policy: Policy}> {
  await requireTenant(backend, options.profile)
  return {policy: await backend.policies.get(options.name)}
}

export async function deletePolicy(backend: Backend, options: {name: string; profile: string}): Promise<{policy: Policy; deleted: true}> {
  await requireTenant(backend, options.profile)
  return {policy: await backend.policies.delete(options.name), deleted: true}
}

/**
 * Plans and (unless dryRun) applies a deployment. When devices would be missed and --force is
 * not given, `onRefused` gets the plan (to show it), then the refusal is thrown (exit 4, CM3).
 */
export async function deployPolicy(
  backend: Backend,
  options: {name: string; collections: string[]; dryRun: boolean; force: boolean; profile: string; onRefused?: (plan: DeploymentPlan) => void},
): Promise<{plan: DeploymentPlan}> {
  await requireTenant(backend, options.profile)
  const plan = await backend.policies.deploy({name: options.name, collections: options.collections, dryRun: options.dryRun, force: options.force})
  if (plan.refused && !plan.dryRun) {
    options.onRefused?.(plan)
    throw refusal(plan)
  }

  return {plan}
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
