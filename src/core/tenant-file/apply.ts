/**
 * `atpctl apply` (issue 14): the ordered port calls that take a tenant from what a plan found to
 * what the file asks for. Creates and updates run in SETUP_KINDS order (groups before what names
 * them, collections before deployments, a limiting collection before those it limits), deletes
 * (only in a pruning plan) in the reverse order, forced: the user confirmed the plan that lists
 * them. Every call goes through the port, so every backend applies its own rules to each one
 * (the server trusts no client); creates are idempotent and updates send the whole desired
 * resource, so a step run again changes nothing.
 *
 * Secrets are resolved before the first change (resolveSetupSecrets): a missing reference is
 * exit 7 naming it and the resource, and nothing has changed yet.
 */
import {requireCapability} from '../capabilities.js'
import {DEFAULT_CONFIGMGR_VERSION} from '../device/os.js'
import {ConflictError, InvalidInputError, RuleError} from '../errors.js'
import {refusal as deploymentRefusal, verifiedConfigFile} from '../policy/service.js'
import type {PolicyConfigFile} from '../policy/types.js'
import type {Backend} from '../port/types.js'
import {resolveDatacenter} from '../tenant/model.js'
import {requireOwnTenant} from '../tenant/service.js'
import type {
  AccessPolicyEntry,
  CollectionEntry,
  CompliancePolicyEntry,
  DefenderForCloudEntry,
  EdrProfileEntry,
  GroupEntry,
  PolicyEntry,
  SecretReference,
  TenantDocument,
} from './document.js'
import {SETUP_KIND_CAPABILITY} from './export.js'
import type {SecretFacts} from './plan.js'
import {type ResourceAction, SETUP_KINDS, type SetupKind, type SetupPlan} from './plan-types.js'

export type SetupStepAction = Exclude<ResourceAction, 'unchanged' | 'unmanaged'>

/** One resource to change: the unit apply orders, journals and reports. */
export interface SetupStep {
  /** `action kind name`: stable across runs of the same plan (the journal's key of a step). */
  id: string
  kind: SetupKind
  name: string
  action: SetupStepAction
}

export interface SetupStepResult extends SetupStep {
  /** False when the backend found it already done (an idempotent create, an update to the same values). */
  changed: boolean
  /** True when a journal of an earlier, interrupted run of this plan says it is done (microsoft). */
  resumed?: boolean
}

/** Secrets the file references, resolved by the caller before anything changes (never in a plan or a journal). */
export interface SetupSecrets {
  /** Workspace keys by policy name. */
  workspaceKeys: Record<string, string>
  /** The checked facts of each policy's configuration file (never its content), by policy name. */
  configFiles: Record<string, PolicyConfigFile>
}

export const NO_SECRETS: SetupSecrets = {workspaceKeys: {}, configFiles: {}}

export interface SetupApplySummary {
  created: number
  updated: number
  deleted: number
  /** Steps the backend found already done. */
  alreadyDone: number
  unchanged: number
  unmanaged: number
}

export interface SetupApplyResult {
  profile: string
  backend: Backend['kind']
  file: string
  prune: boolean
  documentSha256: string
  /** The tenant's fingerprint before the apply. */
  tenantSha256: string
  steps: SetupStepResult[]
  summary: SetupApplySummary
  /** The journal of the apply (microsoft), so a rerun continues where it stopped. */
  journal?: string
}

const kindIndex = (kind: SetupKind) => SETUP_KINDS.indexOf(kind)

/** The steps of a plan, in the order apply takes them. */
export function setupSteps(plan: SetupPlan, document: TenantDocument): SetupStep[] {
  const step = (r: {kind: SetupKind; name: string; action: SetupStepAction}): SetupStep => ({id: `${r.action} ${r.kind} ${r.name}`, kind: r.kind, name: r.name, action: r.action})
  const changes = plan.resources.filter((r) => r.action === 'create' || r.action === 'update')
  const deletes = plan.prune ? plan.resources.filter((r) => r.action === 'delete') : []
  const collectionRank = limitOrder(document.collections ?? [])
  const rank = (r: {kind: SetupKind; name: string}) => (r.kind === 'collection' ? (collectionRank.get(r.name) ?? -1) : 0)
  const forward = [...changes].sort((a, b) => kindIndex(a.kind) - kindIndex(b.kind) || rank(a) - rank(b))
  // Deletes last and backwards: deployments before policies, policies before collections, ….
  const backward = [...deletes].sort((a, b) => kindIndex(b.kind) - kindIndex(a.kind))
  return [...forward, ...backward].map((r) => step({kind: r.kind, name: r.name, action: r.action as SetupStepAction}))
}

/** Each collection's depth in the file's limit chains: a limiting collection comes before those it limits. */
function limitOrder(collections: CollectionEntry[]): Map<string, number> {
  const byName = new Map(collections.map((c) => [c.name.toLowerCase(), c]))
  const depth = new Map<string, number>()
  const of = (c: CollectionEntry, seen: number): number => {
    const known = depth.get(c.name)
    if (known !== undefined) return known
    const parent = c.limitTo ? byName.get(c.limitTo.toLowerCase()) : undefined
    // A cycle is the backend's to refuse; here it only must not loop.
    const d = parent && seen < collections.length ? of(parent, seen + 1) + 1 : 0
    depth.set(c.name, d)
    return d
  }

  for (const c of collections) of(c, 0)
  return depth
}

/** A plan's blocking predictions refuse the apply, before any change, with the rule's message. */
export function assertNoBlockingPredictions(plan: SetupPlan): void {
  const blocking = plan.predictions.filter((p) => p.blocking)
  if (blocking.length === 0) return
  const [first] = blocking
  const more = blocking.length > 1 ? ` (and ${blocking.length - 1} more refusal${blocking.length > 2 ? 's' : ''})` : ''
  // Prediction codes name the rule (T1, DEVICES_MISSED) or are already a refusal's code (REFUSED_DC2).
  throw new RuleError(first.code.replace(/^REFUSED_?/, ''), `${first.kind} ${first.name}: ${first.message}${more}`, {
    details: {predictions: blocking},
    suggestions: ['Change the file (or the tenant) so that the plan has no refusal, then run atpctl plan again.'],
  })
}

/** A saved plan is applied only to the tenant it was made against (exit 4, PLAN_STALE). */
export function assertPlanFresh(expectedTenantSha256: string, currentTenantSha256: string): void {
  if (expectedTenantSha256 === currentTenantSha256) return
  throw new ConflictError('The tenant changed since the plan was made; run atpctl plan again.', {
    code: 'PLAN_STALE',
    details: {planTenantSha256: expectedTenantSha256, tenantSha256: currentTenantSha256},
    suggestions: ['atpctl plan -f FILE --out PLAN, review it, then atpctl apply -f FILE --plan PLAN'],
  })
}

/** A saved plan is applied only with the file it was made from (exit 7, PLAN_MISMATCH). */
export function assertPlanOfDocument(plan: SetupPlan, documentSha256: string, file: string): void {
  if (plan.documentSha256 === documentSha256) return
  throw new InvalidInputError(`The plan was made from another version of ${file === '-' ? 'the file' : file} (or another file).`, {
    code: 'PLAN_MISMATCH',
    details: {planDocumentSha256: plan.documentSha256, documentSha256},
    suggestions: [`Make the plan again from this file: atpctl plan -f ${file} --out PLAN`],
  })
}

/** Checks the shape of a saved plan file (exit 7 when it is not one). */
export function parseSavedPlan(text: string, file: string): SetupPlan {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new InvalidInputError(`${file} is not a saved plan (it is not JSON).`, {code: 'PLAN_INVALID', suggestions: ['Save a plan with atpctl plan -f FILE --out PLAN.']})
  }

  const plan = value as Partial<SetupPlan> | null
  const ok =
    typeof plan === 'object' &&
    plan !== null &&
    plan.format === 'atpctl-plan/1' &&
    typeof plan.documentSha256 === 'string' &&
    typeof plan.tenantSha256 === 'string' &&
    typeof plan.prune === 'boolean' &&
    Array.isArray(plan.resources) &&
    Array.isArray(plan.predictions)
  if (!ok) throw new InvalidInputError(`${file} is not a saved plan of this atpctl (format atpctl-plan/1).`, {code: 'PLAN_INVALID', suggestions: ['Save a plan with atpctl plan -f FILE --out PLAN.']})
  return plan as SetupPlan
}

/** Refuses, before any change, a step of a kind the backend cannot do, with its "instead". */
export function assertStepsSupported(backend: Pick<Backend, 'kind' | 'capabilities'>, steps: SetupStep[]): void {
  for (const s of steps) {
    const capability = SETUP_KIND_CAPABILITY[s.kind]
    if (capability) requireCapability(backend, capability)
  }
}

const sameReference = (a: SecretReference, b: SecretReference) => ('env' in a ? 'env' in b && a.env === b.env : 'file' in b && a.file === b.file)

/**
 * What the plan may know of the secrets resolved for an apply (inside the backend, which cannot
 * read the caller's files or environment): the checked facts of each configuration file and
 * whether each Workspace key was given. No value reaches the plan.
 */
export function resolvedSecretFacts(document: TenantDocument, secrets: SetupSecrets): SecretFacts {
  const policies = document.policies ?? []
  return {
    async configFile(reference, expected) {
      const policy = policies.find((p) => p.configFile && sameReference(p.configFile, reference) && p.type === expected.type && secrets.configFiles[p.name])
      if (!policy) throw new InvalidInputError(`The configuration file ${describeRef(reference)} was not given with the apply.`, {code: 'SECRET_MISSING'})
      return secrets.configFiles[policy.name]
    },
    async available(reference) {
      return policies.some((p) => p.workspaceKey && sameReference(p.workspaceKey, reference) && secrets.workspaceKeys[p.name] !== undefined)
    },
  }
}

/** How the caller reads a secret: environment variables and files (relative to the file's folder). */
export interface SecretReader {
  env(name: string): string | undefined
  /** The path a `{file}` reference (or the variable of an `{env}` one) names, resolved against the tenant file's folder. */
  path(file: string): string
  /** The file's bytes, or null when there is none. */
  read(path: string): Promise<Buffer | null>
}

const describeRef = (ref: SecretReference) => ('env' in ref ? `environment variable ${ref.env}` : `file ${ref.file}`)

/**
 * Resolves the secrets the apply needs (T2): the Workspace key of each policy the plan creates or
 * updates, and every configuration file the file references (the backend's plan compares them
 * with the stored ones by SHA-256). A missing reference is exit 7 naming the reference and the
 * policy. A configuration file is checked like `policy create` checks it (CM7, CM8: this
 * tenant's, the right kind, signed); only its facts travel.
 */
export async function resolveSetupSecrets(backend: Backend, document: TenantDocument, plan: SetupPlan, reader: SecretReader, profile: string): Promise<SetupSecrets> {
  const changing = new Set(plan.resources.filter((r) => r.kind === 'policy' && (r.action === 'create' || r.action === 'update')).map((r) => r.name))
  const secrets: SetupSecrets = {workspaceKeys: {}, configFiles: {}}
  const missing = (ref: SecretReference, policy: string, field: string, why: string) =>
    new InvalidInputError(`Policy ${policy}: ${field} refers to the ${describeRef(ref)}, which ${why}.`, {
      code: 'SECRET_MISSING',
      details: {reference: ref, kind: 'policy', name: policy, field},
      suggestions: ['env' in ref ? `Set ${ref.env} before running atpctl apply (the secret never goes in the file).` : `Put the secret in ${ref.file} (relative to the tenant file's folder).`],
    })
  const pathOf = (ref: SecretReference, policy: string, field: string): string => {
    if ('file' in ref) return reader.path(ref.file)
    const value = reader.env(ref.env)
    if (value === undefined || value === '') throw missing(ref, policy, field, 'is not set')
    return reader.path(value)
  }

  for (const policy of document.policies ?? []) {
    if (policy.workspaceKey && changing.has(policy.name)) {
      const ref = policy.workspaceKey
      if ('env' in ref) {
        const value = reader.env(ref.env)?.trim()
        if (!value) throw missing(ref, policy.name, 'workspaceKey', 'is not set')
        secrets.workspaceKeys[policy.name] = value
      } else {
        const bytes = await reader.read(reader.path(ref.file))
        const value = bytes?.toString('utf8').trim()
        if (bytes === null) throw missing(ref, policy.name, 'workspaceKey', 'does not exist')
        if (!value) throw missing(ref, policy.name, 'workspaceKey', 'is empty')
        secrets.workspaceKeys[policy.name] = value
      }
    }

    if (policy.configFile) {
      const path = pathOf(policy.configFile, policy.name, 'configFile')
      if ((await reader.read(path)) === null) throw missing(policy.configFile, policy.name, 'configFile', `names ${path}, which does not exist`)
      const tenant = await requireOwnTenant(backend, profile, 'configmgr-policies')
      secrets.configFiles[policy.name] = await verifiedConfigFile(path, policy.type, tenant)
    }
  }

  return secrets
}

/** What has been done of a plan already (microsoft's journal), and how to record a step. */
export interface StepJournal {
  done(id: string): boolean
  /** Records a finished step durably before the next one starts. */
  record(id: string): Promise<void>
}

export interface ExecuteOptions {
  secrets: SetupSecrets
  journal?: StepJournal
  /** After each step (progress on a terminal). */
  onStep?: (result: SetupStepResult, index: number, total: number) => void
}

/** Runs the steps in order; the first failure stops the apply (a journal keeps what finished). */
export async function executeSteps(backend: Backend, document: TenantDocument, steps: SetupStep[], options: ExecuteOptions): Promise<SetupStepResult[]> {
  const results: SetupStepResult[] = []
  for (const [index, s] of steps.entries()) {
    let result: SetupStepResult
    if (options.journal?.done(s.id)) {
      result = {...s, changed: true, resumed: true}
    } else {
      const changed = await runStep(backend, document, s, options.secrets)
      await options.journal?.record(s.id)
      result = {...s, changed}
    }

    results.push(result)
    options.onStep?.(result, index, steps.length)
  }

  return results
}

/** Counts what an apply did, beside what the plan left alone. */
export function summariseApply(plan: SetupPlan, results: SetupStepResult[]): SetupApplySummary {
  const count = (action: SetupStepAction) => results.filter((r) => r.action === action && r.changed).length
  return {
    created: count('create'),
    updated: count('update'),
    deleted: count('delete'),
    alreadyDone: results.filter((r) => !r.changed).length,
    unchanged: plan.summary.unchanged,
    unmanaged: plan.summary.unmanaged,
  }
}

/** The audit record's target of one apply: the plan's hashes and the counts (one record per apply). */
export function applyAuditTarget(result: Pick<SetupApplyResult, 'documentSha256' | 'tenantSha256' | 'summary' | 'prune'>): string {
  const s = result.summary
  return `plan document=${result.documentSha256} tenant=${result.tenantSha256}${result.prune ? ' prune' : ''}: ${s.created} created, ${s.updated} updated, ${s.deleted} deleted`
}

function entry<T extends {name: string}>(list: T[] | undefined, name: string, kind: SetupKind): T {
  const found = list?.find((e) => e.name === name)
  if (!found) throw new InvalidInputError(`The plan names ${kind} ${name}, which the file does not have.`, {code: 'PLAN_MISMATCH', suggestions: ['Make the plan again from this file: atpctl plan -f FILE'] })
  return found
}

/** `policy -> collection` of a deployment's name. */
export function splitDeployment(name: string): {policy: string; collection: string} {
  const at = name.indexOf(' -> ')
  if (at < 0) throw new InvalidInputError(`'${name}' is not a deployment (policy -> collection).`, {code: 'PLAN_MISMATCH'})
  return {policy: name.slice(0, at), collection: name.slice(at + 4)}
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
const without = (list: string[], remove: string[]) => list.filter((x) => !remove.some((r) => sameName(r, x)))

/** One step through the port; true when the backend changed something. */
async function runStep(backend: Backend, document: TenantDocument, s: SetupStep, secrets: SetupSecrets): Promise<boolean> {
  const force = true
  switch (s.kind) {
    case 'tenant': {
      if (s.action === 'delete') return false
      const location = document.tenant!.location
      // An existing tenant elsewhere is refused by the backend (T1); the plan predicted it.
      return (await backend.tenant.create({location, datacenter: resolveDatacenter(location)})).created
    }

    case 'third-party': {
      const desired = s.action === 'delete' ? false : entry(document.integrations?.thirdParty?.map((t) => ({...t, name: t.provider})), s.name, s.kind).enabled
      return (await backend.integrations.setThirdParty(s.name, desired)).changed
    }

    case 'intune': {
      if (s.action === 'delete') return (await backend.integrations.setIntune(false, {})).changed
      const intune = document.integrations!.intune!
      const toggles = Object.fromEntries((['android', 'ios', 'windows'] as const).filter((p) => intune[p] !== undefined).map((p) => [p, intune[p]]))
      return (await backend.integrations.setIntune(intune.enabled, toggles)).changed
    }

    case 'defender-for-cloud':
      return defenderForCloudStep(backend, s, s.action === 'delete' ? undefined : entry(document.integrations?.defenderForCloud?.map((d) => ({...d, name: d.subscriptionId})), s.name, s.kind))

    case 'group': {
      if (s.action === 'delete') return (await backend.intune.deleteGroup(s.name, {force})).changed
      return groupStep(backend, s, entry(document.groups, s.name, s.kind))
    }

    case 'collection': {
      if (s.action === 'delete') return (await backend.collections.delete(s.name, {force})).changed
      return collectionStep(backend, s, entry(document.collections, s.name, s.kind))
    }

    case 'policy': {
      if (s.action === 'delete') return (await backend.policies.delete(s.name, {force})).changed
      return policyStep(backend, s, entry(document.policies, s.name, s.kind), secrets)
    }

    case 'deployment': {
      const {policy, collection} = splitDeployment(s.name)
      if (s.action === 'delete') return (await backend.policies.undeploy({name: policy, collections: [collection], force})).changed
      // Deployed already (a rerun): nothing to send. One that would miss devices is refused (CM3), never forced here.
      if ((await backend.policies.get(policy)).deployments.some((d) => sameName(d.collection, collection))) return false
      const outcome = await backend.policies.deploy({name: policy, collections: [collection], dryRun: false, force: false})
      if (outcome.plan.refused) throw deploymentRefusal(outcome.plan)
      return outcome.operation !== null
    }

    case 'edr-profile': {
      if (s.action === 'delete') return (await backend.intune.deleteEdrProfile(s.name, {force})).changed
      return edrStep(backend, s, entry(document.edrProfiles, s.name, s.kind))
    }

    case 'compliance-policy': {
      if (s.action === 'delete') return (await backend.compliance.delete(s.name, {force})).changed
      return complianceStep(backend, s, entry(document.compliancePolicies, s.name, s.kind))
    }

    case 'access-policy': {
      if (s.action === 'delete') return (await backend.access.deletePolicy(s.name, {force})).changed
      return accessStep(backend, s, entry(document.accessPolicies, s.name, s.kind))
    }

    case 'app-config': {
      if (s.action === 'delete') return (await backend.intune.deleteAppConfig(s.name, {force})).changed
      const config = entry(document.appConfigurations, s.name, s.kind)
      if (s.action === 'create') return (await backend.intune.createIosAppConfig({name: config.name, assignGroup: config.assignGroup})).changed
      return (await backend.intune.updateAppConfig(config.name, {assignGroup: config.assignGroup})).changed
    }
  }
}

/**
 * Defender for Cloud: the file's Windows/Linux pair as the integration's enable and disable
 * steps (DC1–DC3 decide in the backend: a Linux-only disable is refused there).
 */
async function defenderForCloudStep(backend: Backend, s: SetupStep, desired: DefenderForCloudEntry | undefined): Promise<boolean> {
  if (!desired || (!desired.windows && !desired.linux)) return (await backend.integrations.disableDefenderForCloud({subscriptionId: s.name, linuxOnly: false})).changed
  const current = (await backend.integrations.state()).defenderForCloud.find((d) => sameName(d.subscriptionId, s.name))
  if (current?.linux && !desired.linux) return (await backend.integrations.disableDefenderForCloud({subscriptionId: s.name, linuxOnly: true})).changed
  return (await backend.integrations.enableDefenderForCloud({subscriptionId: s.name, cloud: desired.cloud, linux: desired.linux, windowsOnly: !desired.linux})).changed
}

/** A group: its description, and its explicit members as the file lists them (inventory memberships stay). */
async function groupStep(backend: Backend, s: SetupStep, group: GroupEntry): Promise<boolean> {
  let changed = false
  if (s.action === 'create') changed = (await backend.intune.createGroup({name: group.name, ...(group.description ? {description: group.description} : {})})).changed
  else changed = (await backend.intune.updateGroup(group.name, {description: group.description ?? null})).changed
  const explicit = s.action === 'create' && changed ? [] : (await backend.intune.showGroup(group.name)).members.filter((m) => m.source === 'explicit')
  const have = (kind: 'device' | 'user') => explicit.filter((m) => m.kind === kind).map((m) => m.member)
  const devices = group.devices ?? []
  const users = group.users ?? []
  const add = {devices: without(devices, have('device')), users: without(users, have('user'))}
  const remove = {devices: without(have('device'), devices), users: without(have('user'), users)}
  if (add.devices.length + add.users.length > 0) changed = (await backend.intune.addGroupMembers({group: group.name, ...add})).added > 0 || changed
  if (remove.devices.length + remove.users.length > 0) changed = (await backend.intune.removeGroupMembers({group: group.name, ...remove})).removed > 0 || changed
  return changed
}

/** A collection: rules and limit replace the old ones; the members the file names are its manual members. */
async function collectionStep(backend: Backend, s: SetupStep, collection: CollectionEntry): Promise<boolean> {
  let changed: boolean
  if (s.action === 'create') changed = (await backend.collections.create({name: collection.name, limitTo: collection.limitTo ?? null, rules: collection.rules ?? []})).changed
  else changed = (await backend.collections.update(collection.name, {clearRules: true, addRules: collection.rules ?? [], limitTo: collection.limitTo ?? null})).changed
  const members = collection.members ?? []
  const current =
    s.action === 'create' && changed
      ? []
      : (await backend.collections.get(collection.name, {memberLimit: 1_000_000})).memberList.filter((m) => m.via.includes('manual')).map((m) => m.name)
  const add = without(members, current)
  const remove = without(current, members)
  if (add.length > 0) changed = (await backend.collections.addMembers(collection.name, add)).changed.length > 0 || changed
  if (remove.length > 0) changed = (await backend.collections.removeMembers(collection.name, remove)).changed.length > 0 || changed
  return changed
}

async function policyStep(backend: Backend, s: SetupStep, policy: PolicyEntry, secrets: SetupSecrets): Promise<boolean> {
  const configFile = policy.configFile ? secrets.configFiles[policy.name] : null
  const workspaceKey = policy.workspaceKey ? secrets.workspaceKeys[policy.name] : null
  if ((policy.configFile && !configFile) || (policy.workspaceKey && !workspaceKey)) {
    throw new InvalidInputError(`Policy ${policy.name}: its secrets were not resolved before the apply.`, {code: 'SECRET_MISSING', details: {kind: 'policy', name: policy.name}})
  }

  if (s.action === 'create') {
    return (
      await backend.policies.create({
        name: policy.name,
        description: policy.description ?? '',
        type: policy.type,
        configFile: configFile ?? null,
        workspaceId: policy.workspaceId ?? null,
        workspaceKey: workspaceKey ?? null,
        sampleSharing: policy.sampleSharing ?? 'none',
        configMgrVersion: policy.configMgrVersion ?? DEFAULT_CONFIGMGR_VERSION,
      })
    ).changed
  }

  // The file's policy as a whole; an update that would stop reaching deployed devices is refused (CM3), not forced.
  return (
    await backend.policies.update(policy.name, {
      description: policy.description ?? '',
      ...(policy.configFile === undefined ? {} : {configFile: configFile ?? null}),
      ...(policy.workspaceKey === undefined && policy.workspaceId === undefined ? {} : {workspaceId: policy.workspaceId ?? null, workspaceKey: workspaceKey ?? null}),
      sampleSharing: policy.sampleSharing ?? 'none',
      configMgrVersion: policy.configMgrVersion ?? DEFAULT_CONFIGMGR_VERSION,
    })
  ).changed
}

async function edrStep(backend: Backend, s: SetupStep, profile: EdrProfileEntry): Promise<boolean> {
  const fields = {
    description: profile.description ?? null,
    sampleSharing: profile.sampleSharing,
    expediteTelemetry: profile.expediteTelemetry,
    deviceGroups: profile.deviceGroups ?? [],
    userGroups: profile.userGroups ?? [],
  }
  if (s.action === 'create') return (await backend.intune.createEdrProfile({name: profile.name, ...fields})).changed
  return (await backend.intune.updateEdrProfile(profile.name, fields)).changed
}

async function complianceStep(backend: Backend, s: SetupStep, policy: CompliancePolicyEntry): Promise<boolean> {
  if (s.action === 'create') {
    return (
      await backend.compliance.create({
        name: policy.name,
        platform: policy.platform,
        maxRisk: policy.maxRisk,
        ...(policy.description ? {description: policy.description} : {}),
        ...(policy.assignGroup ? {assignGroup: policy.assignGroup} : {}),
      })
    ).changed
  }

  return (await backend.compliance.update(policy.name, {description: policy.description ?? null, platform: policy.platform, maxRisk: policy.maxRisk, assignGroup: policy.assignGroup ?? null})).changed
}

async function accessStep(backend: Backend, s: SetupStep, policy: AccessPolicyEntry): Promise<boolean> {
  const fields = {
    includeGroups: policy.includeGroups ?? [],
    excludeGroups: policy.excludeGroups ?? [],
    apps: policy.apps ?? [],
    clients: policy.clients ?? [],
    grant: policy.grant,
  }
  const reportOnly = policy.reportOnly === true
  if (s.action === 'create') return (await backend.access.createPolicy({name: policy.name, ...fields, enabled: policy.enabled, reportOnly})).changed
  const updated = (await backend.access.updatePolicy(policy.name, {...fields, reportOnly})).changed
  // A report-only policy stays so; otherwise the file says enforced or disabled.
  const enabled = reportOnly ? false : (await backend.access.setPolicyEnabled(policy.name, policy.enabled)).changed
  return updated || enabled
}
