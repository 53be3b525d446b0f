/**
 * The read side of tenant-as-code (issue 14): the tenant's set-up, read through the port (every
 * list page by page), as a `TenantDocument` in a stable order (each list by name), with secrets
 * as references. The plan compares a file with exactly this reading, so export followed by plan
 * on the same tenant shows no changes, on every backend.
 */
import {createHash} from 'node:crypto'
import {type CapabilityId} from '../capabilities.js'
import {isAtpError} from '../errors.js'
import {listAll} from '../port/page.js'
import type {Backend} from '../port/types.js'
import type {Policy} from '../policy/types.js'
import type {Tenant} from '../tenant/model.js'
import {
  type AccessPolicyEntry,
  type AppConfigEntry,
  type CollectionEntry,
  type CompliancePolicyEntry,
  type EdrProfileEntry,
  type GroupEntry,
  type IntegrationsSection,
  type PolicyEntry,
  type SecretReference,
  TENANT_FILE_VERSION,
  type TenantDocument,
} from './document.js'
import type {SetupKind} from './plan-types.js'

/** The capability each kind needs on a backend (null: every backend's). Apply and plan use the same map. */
export const SETUP_KIND_CAPABILITY: Record<SetupKind, CapabilityId | null> = {
  tenant: 'tenant',
  'third-party': 'third-party-integrations',
  intune: 'intune-connection',
  'defender-for-cloud': 'defender-for-cloud',
  group: 'intune-groups-and-profiles',
  collection: 'collections',
  policy: 'configmgr-policies',
  deployment: 'configmgr-policies',
  'edr-profile': 'intune-groups-and-profiles',
  'compliance-policy': 'compliance',
  'access-policy': 'conditional-access',
  'app-config': 'intune-groups-and-profiles',
}

/** The environment variable export names for the tenant's Workspace key (CM8: one key for every down-level system). */
export const WORKSPACE_KEY_ENV = 'ATPCTL_WORKSPACE_KEY'

/** A kind export left out, and why (the backend's own "do this instead"). */
export interface OmittedKind {
  kind: SetupKind
  reason: string
}

/**
 * What the plan needs beside the document: facts the file cannot hold (a configuration file's
 * hash, groups only the device inventory names) and the kinds the backend does not support.
 */
export interface TenantState {
  document: TenantDocument
  tenant: Tenant | null
  /** The stored policies by lower-case name (their configuration file's facts: name, SHA-256, org, expiry). */
  policies: Map<string, Policy>
  /** Groups that exist only because the device inventory names them (lower-case): referable, not exported. */
  inventoryGroups: Set<string>
  omitted: OmittedKind[]
}

export interface ExportOptions {
  /** Only these kinds (a deployment goes with its policy). */
  only?: SetupKind[]
}

const byName = (a: string, b: string): number => {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0
}

const sorted = (values: readonly string[]): string[] => [...values].sort(byName)

/** Whether a kind can be read on this backend: its capability, or why not. */
function support(backend: Backend, kind: SetupKind): {supported: true} | {supported: false; instead: string} {
  const id = SETUP_KIND_CAPABILITY[kind]
  const declaration = id ? backend.capabilities[id] : undefined
  return declaration ?? {supported: true}
}

/**
 * Reads the tenant's set-up. A kind the backend does not support is left out and listed in
 * `omitted`, not a failure (the microsoft backend has no ConfigMgr policies); a read the
 * backend refuses as unsupported is treated the same.
 */
export async function readTenantState(backend: Backend, options: ExportOptions = {}): Promise<TenantState> {
  const wanted = (kind: SetupKind): boolean => !options.only || options.only.includes(kind) || (kind === 'policy' && options.only.includes('deployment'))
  const omitted: OmittedKind[] = []
  const document: TenantDocument = {version: TENANT_FILE_VERSION}
  const state: TenantState = {document, tenant: null, policies: new Map(), inventoryGroups: new Set(), omitted}

  /** Runs the reader of a supported kind; unsupported ones are noted. */
  async function read(kind: SetupKind, reader: () => Promise<void>): Promise<void> {
    const s = support(backend, kind)
    if (!s.supported) {
      if (wanted(kind) && kind !== 'deployment') omitted.push({kind, reason: s.instead})
      return
    }

    try {
      await reader()
    } catch (error) {
      if (!(isAtpError(error) && error.code === 'UNSUPPORTED')) throw error
      omitted.push({kind, reason: error.suggestions[0] ?? error.message})
    }
  }

  state.tenant = await backend.tenant.get()
  if (state.tenant && wanted('tenant')) document.tenant = {location: state.tenant.location}
  const tenantSupport = support(backend, 'tenant')
  if (!tenantSupport.supported && wanted('tenant')) omitted.push({kind: 'tenant', reason: tenantSupport.instead})
  // Without a tenant there is nothing else to read (the embedded backend refuses every list).
  if (!state.tenant && support(backend, 'tenant').supported) return state

  const integrations: IntegrationsSection = {}
  const needIntegrations = (['third-party', 'intune', 'defender-for-cloud'] as const).some((k) => wanted(k) && support(backend, k).supported)
  if (needIntegrations && backend.capabilities.integrations.supported) {
    const current = await backend.integrations.state()
    await read('third-party', async () => {
      if (wanted('third-party')) integrations.thirdParty = [...current.thirdParty].sort((a, b) => byName(a.provider, b.provider)).map((p) => ({provider: p.provider, enabled: p.enabled}))
    })
    await read('intune', async () => {
      if (!wanted('intune')) return
      const {enabled, platforms} = current.intune
      integrations.intune = {enabled, android: platforms.android.enabled, ios: platforms.ios.enabled, windows: platforms.windows.enabled}
    })
    await read('defender-for-cloud', async () => {
      if (!wanted('defender-for-cloud')) return
      integrations.defenderForCloud = [...current.defenderForCloud]
        .sort((a, b) => byName(a.subscriptionId, b.subscriptionId))
        .map((s) => ({subscriptionId: s.subscriptionId, cloud: s.cloud, windows: s.windows, linux: s.linux}))
    })
    if (Object.keys(integrations).length > 0) document.integrations = integrations
  }

  await read('group', async () => {
    const groups = await listAll((r) => backend.intune.listGroups(r))
    const entries: GroupEntry[] = []
    for (const g of groups) {
      if (g.createdAt === null) {
        state.inventoryGroups.add(g.name.toLowerCase())
        continue
      }

      if (!wanted('group')) continue
      const entry: GroupEntry = {name: g.name}
      if (g.description) entry.description = g.description
      if (g.devices > 0 || g.users > 0) {
        const explicit = (await backend.intune.showGroup(g.name)).members.filter((m) => m.source === 'explicit')
        const devices = sorted(explicit.filter((m) => m.kind === 'device').map((m) => m.member))
        const users = sorted(explicit.filter((m) => m.kind === 'user').map((m) => m.member))
        if (devices.length > 0) entry.devices = devices
        if (users.length > 0) entry.users = users
      }

      entries.push(entry)
    }

    if (wanted('group')) document.groups = entries.sort((a, b) => byName(a.name, b.name))
  })

  if (wanted('collection')) {
    await read('collection', async () => {
      const entries: CollectionEntry[] = []
      for (const c of await listAll((r) => backend.collections.list(r))) {
        const entry: CollectionEntry = {name: c.name}
        if (c.limitTo) entry.limitTo = c.limitTo
        if (c.rules.length > 0) entry.rules = [...c.rules]
        if (c.directMembers > 0) {
          // Only members added by hand: the inventory's own column and the rules are not the file's.
          const detail = await backend.collections.get(c.name, {memberLimit: Math.max(c.members, 1)})
          const manual = sorted(detail.memberList.filter((m) => m.via.includes('manual')).map((m) => m.name))
          if (manual.length > 0) entry.members = manual
        }

        entries.push(entry)
      }

      document.collections = entries.sort((a, b) => byName(a.name, b.name))
    })
  }

  await read('policy', async () => {
    const policies = await listAll((r) => backend.policies.list(r))
    for (const p of policies) state.policies.set(p.name.toLowerCase(), p)
    if (!wanted('policy')) return
    const fileRefs = configFileReferences(policies)
    document.policies = [...policies]
      .sort((a, b) => byName(a.name, b.name))
      .map((p) => {
        const entry: PolicyEntry = {name: p.name}  as PolicyEntry
        if (p.description) entry.description = p.description
        entry.type = p.type
        if (p.configFile) entry.configFile = fileRefs.get(p.name)!
        if (p.workspaceId) entry.workspaceId = p.workspaceId
        if (p.workspaceKey) entry.workspaceKey = {env: WORKSPACE_KEY_ENV}
        entry.sampleSharing = p.sampleSharing
        entry.configMgrVersion = p.configMgrVersion
        const deployments = sorted(p.deployments.map((d) => d.collection))
        if (deployments.length > 0) entry.deployments = deployments
        return entry
      })
  })

  if (wanted('edr-profile')) {
    await read('edr-profile', async () => {
      const profiles = await listAll((r) => backend.intune.listEdrProfiles(r))
      document.edrProfiles = profiles
        .map((p) => {
          const entry: EdrProfileEntry = {name: p.name} as EdrProfileEntry
          if (p.description) entry.description = p.description
          entry.sampleSharing = p.sampleSharing
          entry.expediteTelemetry = p.expediteTelemetry
          if (p.deviceGroups.length > 0) entry.deviceGroups = sorted(p.deviceGroups)
          if (p.userGroups.length > 0) entry.userGroups = sorted(p.userGroups)
          return entry
        })
        .sort((a, b) => byName(a.name, b.name))
    })
  }

  if (wanted('compliance-policy')) {
    await read('compliance-policy', async () => {
      const policies = await listAll((r) => backend.compliance.list(r))
      document.compliancePolicies = policies
        .map((p) => {
          const entry: CompliancePolicyEntry = {name: p.name} as CompliancePolicyEntry
          if (p.description) entry.description = p.description
          entry.platform = p.platform
          entry.maxRisk = p.maxRisk
          if (p.assignGroup) entry.assignGroup = p.assignGroup
          return entry
        })
        .sort((a, b) => byName(a.name, b.name))
    })
  }

  if (wanted('access-policy')) {
    await read('access-policy', async () => {
      const policies = await listAll((r) => backend.access.listPolicies(r))
      // The classic policy belongs to the Intune connection (IN3): not the file's to manage.
      document.accessPolicies = policies
        .filter((p) => p.kind !== 'classic')
        .map((p): AccessPolicyEntry => ({
          name: p.name,
          enabled: p.enabled,
          ...(p.reportOnly ? {reportOnly: true} : {}),
          includeGroups: sorted(p.includeGroups),
          ...(p.excludeGroups.length > 0 ? {excludeGroups: sorted(p.excludeGroups)} : {}),
          apps: sorted(p.apps),
          clients: [...p.clients].sort(),
          grant: p.grant,
        }))
        .sort((a, b) => byName(a.name, b.name))
    })
  }

  if (wanted('app-config')) {
    await read('app-config', async () => {
      const configs = await listAll((r) => backend.intune.listAppConfigs(r))
      document.appConfigurations = configs
        .map((c): AppConfigEntry => ({name: c.name, kind: 'ios-supervised', assignGroup: c.assignGroup}))
        .sort((a, b) => byName(a.name, b.name))
    })
  }

  return state
}

/**
 * References for the policies' configuration files: the file's own name, or, where policies
 * hold different files of one name, the name under a folder named after the policy.
 */
function configFileReferences(policies: readonly Policy[]): Map<string, SecretReference> {
  const hashesByName = new Map<string, Set<string>>()
  for (const p of policies) if (p.configFile) hashesByName.set(p.configFile.name, (hashesByName.get(p.configFile.name) ?? new Set()).add(p.configFile.sha256))
  const refs = new Map<string, SecretReference>()
  for (const p of policies) {
    if (!p.configFile) continue
    const shared = (hashesByName.get(p.configFile.name)?.size ?? 0) > 1
    refs.set(p.name, {file: shared ? `${slug(p.name)}/${p.configFile.name}` : p.configFile.name})
  }

  return refs
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'policy'
  )
}

/**
 * The tenant's set-up as a TenantDocument, lists sorted by name, secrets as references
 * (`workspaceKey: {env: ATPCTL_WORKSPACE_KEY}`, `configFile: {file: NAME}`). Kinds the backend
 * does not support are left out (readTenantState lists them).
 */
export async function exportTenant(backend: Backend, options: ExportOptions = {}): Promise<TenantDocument> {
  return (await readTenantState(backend, options)).document
}

/** JSON with every object's keys sorted, lists in their order: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null'
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex')

/** SHA-256 (hex) of a file's canonical JSON form: the plan's `documentSha256`. */
export function documentSha256(document: TenantDocument): string {
  return sha256(canonicalJson(document))
}

/** SHA-256 (hex) of the tenant's exported state (from exportTenant): a saved plan is refused once it changed. */
export function tenantSha256(document: TenantDocument): string {
  return sha256(canonicalJson(document))
}
