/**
 * The plan of tenant-as-code (issue 14): a file compared with the tenant's export, resource by
 * resource and field by field, in apply order, and what the rules predict before anything
 * changes (T1, CM3, CM4, DC3, IN8, references the tenant cannot resolve). It only reads: every
 * prediction comes from a core rule or a dry run through the port, so `validate` works with
 * read-only rights.
 *
 * What "managed" means: a kind whose section the file has is managed, and with `prune` the
 * tenant's resources of that kind the file does not name are deleted; without `prune` (or for a
 * section the file leaves out) they are listed as unmanaged and left alone.
 */
import {checkAccessPolicyRequest} from '../access/rules.js'
import {canonicalRules, parseRule} from '../collection/rules.js'
import {DEFAULT_CONFIGMGR_VERSION} from '../device/os.js'
import {type AtpError, isAtpError} from '../errors.js'
import {assertCanDisable, nextDefenderForCloudState} from '../integration/rules.js'
import type {Backend} from '../port/types.js'
import {checkPolicyTenantParts, checkPolicyValues, missAdvice, requiredParts} from '../policy/rules.js'
import type {PolicyConfigFile, PolicyType} from '../policy/types.js'
import type {SecretReference, TenantDocument} from './document.js'
import {canonicalJson, documentSha256, readTenantState, SETUP_KIND_CAPABILITY, type TenantState, tenantSha256} from './export.js'
import type {DocumentPath} from './parse.js'
import type {FieldDifference, PlanSummary, ResourceDifference, RulePrediction, SetupKind, SetupPlan, SourcePosition} from './plan-types.js'
import {SETUP_KINDS} from './plan-types.js'

/** How a secret is shown in a plan: never its value. */
export const SECRET_SHOWN = '(secret)'

/**
 * What the command layer tells the plan about the file's secret references: it reads them, core
 * never does, and no value reaches the plan.
 */
export interface SecretFacts {
  /**
   * The facts of a referenced configuration file, checked as `policy create` checks it (kind,
   * signature, this tenant, not expired); throws the core error of a file it cannot read or
   * that the check refuses.
   */
  configFile(reference: SecretReference, expected: {type: PolicyType}): Promise<PolicyConfigFile>
  /** Whether a referenced secret (the Workspace key) can be read. */
  available(reference: SecretReference): Promise<boolean>
}

export interface PlanOptions {
  prune: boolean
  /** The file as given (`-` for stdin). */
  file: string
  profile: string
  positionOf?: (path: DocumentPath) => SourcePosition | undefined
  now: () => Date
  /** The references' facts; without it a configuration file is compared only by presence. */
  secrets?: SecretFacts
}

/** One resource on one side: its name and its fields, normalised so that equal means equal. */
interface Side {
  name: string
  fields: Record<string, unknown>
  /** Where the file names it. */
  path?: DocumentPath
}

/** A kind's two sides: what the file asks for and what the tenant has. */
interface KindSides {
  kind: SetupKind
  /** Whether the file has the section (only then can prune delete). */
  managed: boolean
  desired: Side[]
  current: Side[]
}

const key = (name: string): string => name.toLowerCase()
const sortedSet = (values: readonly string[] | undefined): string[] => [...new Set(values ?? [])].sort()
const orNull = <T>(value: T | null | undefined): T | null => (value === undefined || value === '' ? null : value)

/** Marks a value the plan could not read (a reference it was not told about): not compared. */
const UNREAD = Symbol('unread')

/**
 * Compares a file with the tenant. Read-only: it reads the tenant through the port, runs
 * dry-run deployments and core rules, and changes nothing.
 */
export async function computePlan(backend: Backend, document: TenantDocument, options: PlanOptions): Promise<SetupPlan> {
  const state = await readTenantState(backend)
  const predictions: RulePrediction[] = []
  const predict = (p: RulePrediction): void => {
    predictions.push(p)
  }

  const at = (path: DocumentPath | undefined): SourcePosition | undefined => (path && options.positionOf ? options.positionOf(path) : undefined)
  // A backend without ConfigMgr policies has no use for their files (the plan says UNSUPPORTED).
  const policyFacts = backend.capabilities['configmgr-policies'].supported ? await desiredPolicyFiles(document, state, options, predict) : new Map()
  const sides = kindSides(document, state, policyFacts)
  const resources: ResourceDifference[] = []
  for (const kind of SETUP_KINDS) {
    const s = sides.find((x) => x.kind === kind)
    if (!s) continue
    const capability = SETUP_KIND_CAPABILITY[kind]
    const declaration = capability ? backend.capabilities[capability] : undefined
    if (declaration && !declaration.supported) {
      for (const d of s.desired) {
        if (kind === 'tenant') {
          predict({kind, name: d.name, code: 'LOCATION_NOT_CHECKED', message: `The ${backend.kind} backend keeps no tenant record: the data location is not checked.`, blocking: false})
          continue
        }

        resources.push({kind, name: d.name, action: 'create', fields: createFields(d), ...position(at(d.path))})
        predict({kind, name: d.name, code: 'UNSUPPORTED', message: `The ${backend.kind} backend cannot hold this: ${declaration.instead}`, blocking: true})
      }

      continue
    }

    resources.push(...diffKind(s, options.prune, at))
  }

  await predictRules(backend, document, state, resources, options, predict, policyFacts)
  const summary: PlanSummary = {create: 0, update: 0, delete: 0, unchanged: 0, unmanaged: 0}
  for (const r of resources) summary[r.action]++
  return {
    format: 'atpctl-plan/1',
    createdAt: options.now().toISOString(),
    profile: options.profile,
    backend: backend.kind,
    file: options.file,
    prune: options.prune,
    documentSha256: documentSha256(document),
    tenantSha256: tenantSha256(state.document),
    resources,
    predictions,
    summary,
  }
}

/** Whether a plan holds anything apply would change (what validate reports as drift). */
export function planHasChanges(plan: Pick<SetupPlan, 'summary'>): boolean {
  return plan.summary.create + plan.summary.update + plan.summary.delete > 0
}

const position = (p: SourcePosition | undefined): {at?: SourcePosition} => (p ? {at: p} : {})

function createFields(d: Side): FieldDifference[] {
  return Object.entries(d.fields)
    .filter(([, v]) => v !== UNREAD && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0))
    .map(([field, desired]) => ({field, current: undefined, desired}))
}

function diffKind(s: KindSides, prune: boolean, at: (path: DocumentPath | undefined) => SourcePosition | undefined): ResourceDifference[] {
  const out: ResourceDifference[] = []
  const current = new Map(s.current.map((c) => [key(c.name), c]))
  const named = new Set<string>()
  for (const d of s.desired) {
    named.add(key(d.name))
    const c = current.get(key(d.name))
    const where = position(at(d.path))
    if (!c) {
      // Something the file turns off that the tenant never had on is already as asked.
      const off = Object.values(d.fields).every((v) => v === false || v === UNREAD)
      if ((s.kind === 'third-party' || s.kind === 'defender-for-cloud' || s.kind === 'intune') && off) {
        out.push({kind: s.kind, name: d.name, action: 'unchanged', fields: [], ...where})
        continue
      }

      out.push({kind: s.kind, name: d.name, action: 'create', fields: createFields(d), ...where})
      continue
    }

    const fields: FieldDifference[] = []
    for (const [field, desired] of Object.entries(d.fields)) {
      if (desired === UNREAD) continue
      const now = c.fields[field]
      const same = COMPARED_AS[`${s.kind}.${field}`] ?? ((v: unknown) => v)
      if (canonicalJson(same(now)) !== canonicalJson(same(desired))) fields.push({field, current: now, desired})
    }

    out.push({kind: s.kind, name: d.name, action: fields.length > 0 ? 'update' : 'unchanged', fields, ...where})
  }

  for (const c of s.current) {
    if (named.has(key(c.name))) continue
    // A provider, connection or subscription that is off is not something the tenant "has".
    if ((s.kind === 'third-party' || s.kind === 'defender-for-cloud' || s.kind === 'intune') && Object.values(c.fields).every((v) => v === false)) continue
    if (s.kind === 'intune' && c.fields.enabled === false) continue
    out.push({kind: s.kind, name: c.name, action: prune && s.managed ? 'delete' : 'unmanaged', fields: []})
  }

  return out
}

/** Fields compared in a canonical form but shown as written: collection rules by their own rule (spacing, aliases, case, order). */
const COMPARED_AS: Record<string, (value: unknown) => unknown> = {
  'collection.rules': (value) => canonicalRulesOrAsIs(value as string[]),
  // Group, user and app names are matched whatever their case, as the backends match them.
  'group.users': (value) => folded(value),
  'edr-profile.deviceGroups': (value) => folded(value),
  'edr-profile.userGroups': (value) => folded(value),
  'compliance-policy.assignGroup': (value) => folded(value),
  'access-policy.includeGroups': (value) => folded(value),
  'access-policy.excludeGroups': (value) => folded(value),
  'access-policy.apps': (value) => folded(value),
  'app-config.assignGroup': (value) => folded(value),
}

function folded(value: unknown): unknown {
  if (typeof value === 'string') return value.toLowerCase()
  if (Array.isArray(value)) return [...new Set(value.map((v) => (typeof v === 'string' ? v.toLowerCase() : v)))].sort()
  return value
}

/** The configuration file facts of each file policy with a reference (by lower-case name), or UNREAD. */
type PolicyFileFacts = Map<string, PolicyConfigFile | typeof UNREAD>

async function desiredPolicyFiles(document: TenantDocument, state: TenantState, options: PlanOptions, predict: (p: RulePrediction) => void): Promise<PolicyFileFacts> {
  const facts: PolicyFileFacts = new Map()
  for (const p of document.policies ?? []) {
    if (!p.configFile) continue
    if (!options.secrets) {
      facts.set(key(p.name), UNREAD)
      continue
    }

    try {
      facts.set(key(p.name), await options.secrets.configFile(p.configFile, {type: p.type}))
    } catch (error) {
      if (!isAtpError(error)) throw error
      facts.set(key(p.name), UNREAD)
      const stored = state.policies.get(key(p.name))
      // A file that is not there is only a problem for apply when the policy needs it sent (the
      // stored one stays); a file the check refuses (another tenant's, expired) always is.
      const missing = (error as AtpError).exitCode === 3 && Boolean(stored?.configFile)
      predict({
        kind: 'policy',
        name: p.name,
        code: (error as AtpError).code,
        message: `The configuration file ${referenceText(p.configFile)}: ${error.message}${missing ? ' The stored file is not compared.' : ''}`,
        blocking: !missing,
      })
    }
  }

  return facts
}

export function referenceText(ref: SecretReference): string {
  return 'env' in ref ? `from $${ref.env}` : `'${ref.file}'`
}

/** Each kind's two sides, normalised alike (defaults filled in, lists as sets). */
function kindSides(document: TenantDocument, state: TenantState, files: PolicyFileFacts): KindSides[] {
  const cur = state.document
  const sides: KindSides[] = []
  const tenantSide = (doc: TenantDocument, path?: boolean): Side[] => (doc.tenant ? [{name: 'tenant', fields: {location: doc.tenant.location}, ...(path ? {path: ['tenant']} : {})}] : [])
  sides.push({kind: 'tenant', managed: Boolean(document.tenant), desired: tenantSide(document, true), current: tenantSide(cur)})

  sides.push({
    kind: 'third-party',
    managed: document.integrations?.thirdParty !== undefined,
    desired: (document.integrations?.thirdParty ?? []).map((t, i) => ({name: t.provider, fields: {enabled: t.enabled}, path: ['integrations', 'thirdParty', i]})),
    current: (cur.integrations?.thirdParty ?? []).map((t) => ({name: t.provider, fields: {enabled: t.enabled}})),
  })

  const intune = document.integrations?.intune
  const curIntune = cur.integrations?.intune
  sides.push({
    kind: 'intune',
    managed: intune !== undefined,
    desired: intune
      ? [
          {
            name: 'intune',
            // A platform left out stays as it is (IN2).
            fields: {enabled: intune.enabled, android: intune.android ?? UNREAD, ios: intune.ios ?? UNREAD, windows: intune.windows ?? UNREAD},
            path: ['integrations', 'intune'],
          },
        ]
      : [],
    current: curIntune ? [{name: 'intune', fields: {enabled: curIntune.enabled, android: curIntune.android, ios: curIntune.ios, windows: curIntune.windows}}] : [],
  })

  sides.push({
    kind: 'defender-for-cloud',
    managed: document.integrations?.defenderForCloud !== undefined,
    desired: (document.integrations?.defenderForCloud ?? []).map((s, i) => ({name: s.subscriptionId, fields: {windows: s.windows, linux: s.linux}, path: ['integrations', 'defenderForCloud', i]})),
    current: (cur.integrations?.defenderForCloud ?? []).map((s) => ({name: s.subscriptionId, fields: {windows: s.windows, linux: s.linux}})),
  })

  const groupFields = (g: NonNullable<TenantDocument['groups']>[number]) => ({description: orNull(g.description), devices: sortedSet(g.devices), users: sortedSet(g.users)})
  sides.push({
    kind: 'group',
    managed: document.groups !== undefined,
    desired: (document.groups ?? []).map((g, i) => ({name: g.name, fields: groupFields(g), path: ['groups', i]})),
    current: (cur.groups ?? []).map((g) => ({name: g.name, fields: groupFields(g)})),
  })

  const collectionFields = (c: NonNullable<TenantDocument['collections']>[number]) => ({limitTo: orNull(c.limitTo), rules: [...(c.rules ?? [])], members: sortedSet(c.members)})
  sides.push({
    kind: 'collection',
    managed: document.collections !== undefined,
    desired: (document.collections ?? []).map((c, i) => ({name: c.name, fields: collectionFields(c), path: ['collections', i]})),
    current: (cur.collections ?? []).map((c) => ({name: c.name, fields: collectionFields(c)})),
  })

  type PolicyDoc = NonNullable<TenantDocument['policies']>[number]
  const policyFields = (p: PolicyDoc, file: unknown) => ({
    description: p.description ?? '',
    type: p.type,
    configFile: file,
    workspaceId: orNull(p.workspaceId),
    workspaceKey: p.workspaceKey ? SECRET_SHOWN : null,
    sampleSharing: p.sampleSharing ?? 'none',
    configMgrVersion: p.configMgrVersion ?? DEFAULT_CONFIGMGR_VERSION,
  })
  const fileShown = (f: PolicyConfigFile | null | undefined): string | null => (f ? `sha256:${f.sha256}` : null)
  sides.push({
    kind: 'policy',
    managed: document.policies !== undefined,
    desired: (document.policies ?? []).map((p, i) => {
      const facts = files.get(key(p.name))
      const file = !p.configFile ? null : facts === undefined || facts === UNREAD ? UNREAD : fileShown(facts)
      return {name: p.name, fields: policyFields(p, file), path: ['policies', i]}
    }),
    current: (cur.policies ?? []).map((p) => ({name: p.name, fields: policyFields(p, fileShown(state.policies.get(key(p.name))?.configFile))})),
  })

  const deployments = (doc: TenantDocument, withPath: boolean): Side[] =>
    (doc.policies ?? []).flatMap((p, i) => (p.deployments ?? []).map((c, j) => ({name: deploymentName(p.name, c), fields: {}, ...(withPath ? {path: ['policies', i, 'deployments', j]} : {})})))
  sides.push({kind: 'deployment', managed: document.policies !== undefined, desired: deployments(document, true), current: deployments(cur, false)})

  const edrFields = (e: NonNullable<TenantDocument['edrProfiles']>[number]) => ({
    description: orNull(e.description),
    sampleSharing: e.sampleSharing,
    expediteTelemetry: e.expediteTelemetry,
    deviceGroups: sortedSet(e.deviceGroups),
    userGroups: sortedSet(e.userGroups),
  })
  sides.push({
    kind: 'edr-profile',
    managed: document.edrProfiles !== undefined,
    desired: (document.edrProfiles ?? []).map((e, i) => ({name: e.name, fields: edrFields(e), path: ['edrProfiles', i]})),
    current: (cur.edrProfiles ?? []).map((e) => ({name: e.name, fields: edrFields(e)})),
  })

  const complianceFields = (c: NonNullable<TenantDocument['compliancePolicies']>[number]) => ({
    description: orNull(c.description),
    platform: c.platform,
    maxRisk: c.maxRisk,
    assignGroup: orNull(c.assignGroup),
  })
  sides.push({
    kind: 'compliance-policy',
    managed: document.compliancePolicies !== undefined,
    desired: (document.compliancePolicies ?? []).map((c, i) => ({name: c.name, fields: complianceFields(c), path: ['compliancePolicies', i]})),
    current: (cur.compliancePolicies ?? []).map((c) => ({name: c.name, fields: complianceFields(c)})),
  })

  // A report-only policy is never enforced, whatever `enabled` says (accessPolicyState).
  const accessFields = (a: NonNullable<TenantDocument['accessPolicies']>[number]) => ({
    enabled: a.reportOnly === true ? false : a.enabled,
    reportOnly: a.reportOnly === true,
    includeGroups: sortedSet(a.includeGroups),
    excludeGroups: sortedSet(a.excludeGroups),
    apps: sortedSet(a.apps),
    clients: sortedSet(a.clients),
    grant: a.grant,
  })
  sides.push({
    kind: 'access-policy',
    managed: document.accessPolicies !== undefined,
    desired: (document.accessPolicies ?? []).map((a, i) => ({name: a.name, fields: accessFields(a), path: ['accessPolicies', i]})),
    current: (cur.accessPolicies ?? []).map((a) => ({name: a.name, fields: accessFields(a)})),
  })

  const appFields = (a: NonNullable<TenantDocument['appConfigurations']>[number]) => ({kind: a.kind, assignGroup: a.assignGroup})
  sides.push({
    kind: 'app-config',
    managed: document.appConfigurations !== undefined,
    desired: (document.appConfigurations ?? []).map((a, i) => ({name: a.name, fields: appFields(a), path: ['appConfigurations', i]})),
    current: (cur.appConfigurations ?? []).map((a) => ({name: a.name, fields: appFields(a)})),
  })

  return sides
}

/** The name of a deployment resource: `policy -> collection`. */
export function deploymentName(policy: string, collection: string): string {
  return `${policy} -> ${collection}`
}

/** Rules compared in their canonical spelling (the collection rules' own); a rule that does not parse is compared as written (the plan predicts its refusal). */
function canonicalRulesOrAsIs(rules: readonly string[]): string[] {
  try {
    return canonicalRules(rules)
  } catch {
    return [...rules]
  }
}

function refusal(kind: SetupKind, name: string, error: unknown): RulePrediction {
  if (!isAtpError(error)) throw error
  const suggestion = error.suggestions[0]
  return {kind, name, code: error.code, message: suggestion ? `${error.message} ${suggestion}` : error.message, blocking: true}
}

/** The rules' predictions: references, values core refuses, T1, DC3, CM3 (dry runs), CM4. */
async function predictRules(
  backend: Backend,
  document: TenantDocument,
  state: TenantState,
  resources: ResourceDifference[],
  options: PlanOptions,
  predict: (p: RulePrediction) => void,
  files: PolicyFileFacts,
): Promise<void> {
  const action = (kind: SetupKind, name: string) => resources.find((r) => r.kind === kind && key(r.name) === key(name))?.action
  const changing = (kind: SetupKind, name: string) => {
    const a = action(kind, name)
    return a === 'create' || a === 'update'
  }

  // T1: the data location is chosen once.
  if (document.tenant && state.tenant && state.tenant.location !== document.tenant.location) {
    predict({
      kind: 'tenant',
      name: 'tenant',
      code: 'REFUSED_T1',
      message: `The tenant's data location is '${state.tenant.location}' and can never be changed; the file asks for '${document.tenant.location}'.`,
      blocking: true,
    })
  }

  if (!state.tenant && backend.capabilities.tenant.supported && !document.tenant) {
    predict({kind: 'tenant', name: 'tenant', code: 'NO_TENANT', message: `Profile '${options.profile}' has no tenant yet, and the file names no location to create it in: add tenant.location.`, blocking: true})
  }

  // DC1–DC3: each change of a subscription through the integration's own rules.
  const curDfc = new Map((state.document.integrations?.defenderForCloud ?? []).map((s) => [key(s.subscriptionId), s]))
  for (const s of document.integrations?.defenderForCloud ?? []) {
    if (!changing('defender-for-cloud', s.subscriptionId)) continue
    const current = curDfc.get(key(s.subscriptionId))
    try {
      if (!s.windows && !s.linux) continue
      if (!s.windows && s.linux) {
        predict({kind: 'defender-for-cloud', name: s.subscriptionId, code: 'LINUX_WITHOUT_WINDOWS', message: 'Linux is onboarded as part of the Windows integration: set windows: true too.', blocking: true})
        continue
      }

      if (current?.linux && !s.linux) assertCanDisable(true, s.subscriptionId)
      const next = nextDefenderForCloudState(current ? {...current, changedAt: null} : undefined, {subscriptionId: s.subscriptionId, cloud: s.cloud, linux: s.linux, windowsOnly: !s.linux})
      if (next.linux !== s.linux) {
        predict({kind: 'defender-for-cloud', name: s.subscriptionId, code: 'REFUSED_DC2', message: `Enabling it turns Linux ${next.linux ? 'on' : 'off'} with it; set linux: ${next.linux}.`, blocking: true})
      }
    } catch (error) {
      predict(refusal('defender-for-cloud', s.subscriptionId, error))
    }
  }

  // References the tenant must resolve: collections, groups, devices.
  const collections = new Set([...(document.collections ?? []), ...(state.document.collections ?? [])].map((c) => key(c.name)))
  const groups = new Set([...(document.groups ?? []), ...(state.document.groups ?? [])].map((g) => key(g.name)))
  for (const g of state.inventoryGroups) groups.add(g)
  const missingCollection = (kind: SetupKind, name: string, collection: string, what: string): void => {
    if (collections.has(key(collection))) return
    predict({kind, name, code: 'UNKNOWN_COLLECTION', message: `${what} collection '${collection}', which neither the file nor the tenant has: add it under collections.`, blocking: true})
  }

  const missingGroup = (kind: SetupKind, name: string, group: string | null | undefined): void => {
    if (!group || key(group) === 'all' || groups.has(key(group))) return
    predict({kind, name, code: 'UNKNOWN_GROUP', message: `It names group '${group}', which neither the file nor the tenant has: add it under groups.`, blocking: true})
  }

  if (backend.capabilities.collections.supported) {
    for (const c of document.collections ?? []) if (c.limitTo) missingCollection('collection', c.name, c.limitTo, 'It is limited to')
  }

  if (backend.capabilities['configmgr-policies'].supported) {
    for (const p of document.policies ?? []) for (const c of p.deployments ?? []) missingCollection('deployment', deploymentName(p.name, c), c, 'It deploys to')
  }

  for (const e of document.edrProfiles ?? []) for (const g of [...(e.deviceGroups ?? []), ...(e.userGroups ?? [])]) missingGroup('edr-profile', e.name, g)
  for (const c of document.compliancePolicies ?? []) missingGroup('compliance-policy', c.name, c.assignGroup)
  for (const a of document.accessPolicies ?? []) for (const g of [...(a.includeGroups ?? []), ...(a.excludeGroups ?? [])]) missingGroup('access-policy', a.name, g)
  for (const a of document.appConfigurations ?? []) missingGroup('app-config', a.name, a.assignGroup)

  // Devices the file adds by name must be in the inventory (an unknown one is exit 3 at apply).
  if (backend.capabilities.devices.supported) {
    const curMembers = new Map<string, Set<string>>()
    for (const c of state.document.collections ?? []) curMembers.set(`collection:${key(c.name)}`, new Set((c.members ?? []).map(key)))
    for (const g of state.document.groups ?? []) curMembers.set(`group:${key(g.name)}`, new Set((g.devices ?? []).map(key)))
    const added: {kind: SetupKind; name: string; device: string}[] = []
    for (const c of document.collections ?? []) for (const d of c.members ?? []) if (!curMembers.get(`collection:${key(c.name)}`)?.has(key(d))) added.push({kind: 'collection', name: c.name, device: d})
    for (const g of document.groups ?? []) for (const d of g.devices ?? []) if (!curMembers.get(`group:${key(g.name)}`)?.has(key(d))) added.push({kind: 'group', name: g.name, device: d})
    const known = new Map<string, boolean>()
    for (const a of added) {
      if (!known.has(key(a.device))) known.set(key(a.device), await deviceExists(backend, a.device))
      if (!known.get(key(a.device))) predict({kind: a.kind, name: a.name, code: 'UNKNOWN_DEVICE', message: `It names device '${a.device}', which the device inventory does not have: import it first (atpctl device import).`, blocking: true})
    }
  }

  // Values a create or update would refuse, decided by the resource's own rules.
  for (const c of document.collections ?? []) {
    if (!changing('collection', c.name)) continue
    for (const rule of c.rules ?? []) {
      try {
        parseRule(rule)
      } catch (error) {
        predict(refusal('collection', c.name, error))
      }
    }
  }

  for (const p of backend.capabilities['configmgr-policies'].supported ? (document.policies ?? []) : []) {
    if (!changing('policy', p.name)) continue
    const facts = files.get(key(p.name))
    // A file not read is checked for its presence only (its facts are the file check's).
    const configFile = facts && facts !== UNREAD ? facts : p.configFile ? {name: 'file', sha256: '0'.repeat(64), orgId: 'unread', expiresAt: null} : null
    try {
      const request = {
        description: p.description ?? '',
        type: p.type,
        configFile,
        workspaceId: p.workspaceId ?? null,
        workspaceKey: p.workspaceKey ? SECRET_SHOWN : null,
        sampleSharing: p.sampleSharing ?? 'none',
        configMgrVersion: p.configMgrVersion ?? DEFAULT_CONFIGMGR_VERSION,
      } as const
      checkPolicyValues(request)
      requiredParts(request)
      // The Workspace ID against the tenant's (the key is the command layer's secret: never here).
      if (state.tenant) checkPolicyTenantParts({configFile: null, workspaceId: request.workspaceId, workspaceKey: null}, {orgId: state.tenant.orgId, workspaceId: state.tenant.workspaceId, workspaceKey: null}, options.now())
    } catch (error) {
      predict(refusal('policy', p.name, error))
    }

    if (p.workspaceKey && options.secrets && !(await options.secrets.available(p.workspaceKey))) {
      predict({kind: 'policy', name: p.name, code: 'SECRET_UNAVAILABLE', message: `The Workspace key ${referenceText(p.workspaceKey)} cannot be read: set it before apply.`, blocking: true})
    }
  }

  for (const a of backend.capabilities['conditional-access'].supported ? (document.accessPolicies ?? []) : []) {
    if (!changing('access-policy', a.name)) continue
    try {
      checkAccessPolicyRequest({name: a.name, enabled: a.enabled, includeGroups: a.includeGroups ?? [], excludeGroups: a.excludeGroups ?? [], apps: a.apps ?? [], clients: a.clients ?? [], grant: a.grant})
    } catch (error) {
      predict(refusal('access-policy', a.name, error))
    }
  }

  // CM3: a new deployment of a stored, unchanged policy to a stored, unchanged collection is
  // dry-run through the port; otherwise apply checks it once both exist.
  if (!backend.capabilities['configmgr-policies'].supported) return
  for (const p of document.policies ?? []) {
    for (const c of p.deployments ?? []) {
      const name = deploymentName(p.name, c)
      if (action('deployment', name) !== 'create' || !collections.has(key(c))) continue
      const policyStored = action('policy', p.name) === 'unchanged'
      const collectionStored = action('collection', c) === 'unchanged' || (!document.collections?.some((x) => key(x.name) === key(c)) && (state.document.collections ?? []).some((x) => key(x.name) === key(c)))
      if (!policyStored || !collectionStored) {
        predict({kind: 'deployment', name, code: 'CHECKED_AT_APPLY', message: 'Which devices it misses is known once the policy and the collection are as the file says; apply checks it and refuses if any device would be missed.', blocking: false})
        continue
      }

      try {
        const {plan} = await backend.policies.deploy({name: p.name, collections: [c], dryRun: true, force: false})
        if (plan.summary.missed > 0) {
          const reasons = Object.entries(plan.summary.byReason)
            .map(([reason, n]) => `${n} ${reason}`)
            .join(', ')
          predict({
            kind: 'deployment',
            name,
            code: 'DEVICES_MISSED',
            message: `${plan.summary.missed} of ${plan.summary.targeted} devices would not get the policy (${reasons}). ${missAdvice(plan.summary.byReason, plan.configMgrVersion)[0]}`,
            blocking: true,
          })
        }
      } catch (error) {
        if (isAtpError(error) && error.exitCode === 5) {
          predict({kind: 'deployment', name, code: 'NOT_PREDICTED', message: `The devices it would miss were not checked: ${error.message}`, blocking: false})
          continue
        }

        predict(refusal('deployment', name, error))
      }
    }
  }
}

async function deviceExists(backend: Backend, name: string): Promise<boolean> {
  try {
    await backend.devices.get(name)
    return true
  } catch (error) {
    if (isAtpError(error) && error.code === 'NOT_FOUND') return false
    throw error
  }
}
