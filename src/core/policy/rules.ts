/**
 * Policy rules (CM3, CM4, CM5, CM7), pure. `missReason` decides, per targeted device, whether a
 * deployment reaches it; the embedded backend computes the same set-based (policies.ts,
 * PLAN_SQL), pinned to it by test/core/policy/plan.differential.test.ts.
 */
import {type OsLevel, parseConfigMgrVersion} from '../device/os.js'
import {type Difference, differences} from '../endpoint-lifecycle.js'
import {InvalidInputError, RuleError, UsageError} from '../errors.js'
import {escapeName, NAME_RULES, nameProblem, optionalText} from '../names.js'
import {type DeploymentPlan, type MissedDevice, type MissReason, type Policy, type PolicyCreateRequest, type PolicyShape, POLICY_TYPES, SAMPLE_SHARING} from './types.js'

/** ConfigMgr 2002 needs both the file and the Workspace key/ID, whatever the collection holds (CM4). */
export const CONFIGMGR_NEEDS_BOTH = 2002

export function policyShape(p: {type: Policy['type']; configFile: unknown; workspaceKey: boolean | string | null}): PolicyShape {
  if (p.type === 'offboarding') return 'offboarding'
  const key = Boolean(p.workspaceKey)
  if (p.configFile && key) return 'any-os'
  return p.configFile ? 'up-level' : 'down-level'
}

/**
 * The values of a policy request, whoever sends it (issue 15 item 3): type, sample sharing and
 * ConfigMgr version from their lists, text without control characters, the configuration
 * file's facts in their formats. The CLI derives them from flags and the package inspector; a
 * backend runs this for every caller so nothing the database would refuse reaches it.
 */
export function checkPolicyValues(r: Pick<PolicyCreateRequest, 'description' | 'type' | 'configFile' | 'workspaceId' | 'sampleSharing' | 'configMgrVersion'>): void {
  if (!(POLICY_TYPES as readonly string[]).includes(r.type)) {
    throw new UsageError(`Unknown policy type '${escapeName(String(r.type))}'.`, {suggestions: [`Use one of: ${POLICY_TYPES.join(', ')}.`]})
  }

  if (!(SAMPLE_SHARING as readonly string[]).includes(r.sampleSharing)) {
    throw new UsageError(`Unknown sample sharing '${escapeName(String(r.sampleSharing))}'.`, {suggestions: [`Use one of: ${SAMPLE_SHARING.join(', ')}.`]})
  }

  if (!Number.isInteger(r.configMgrVersion) || parseConfigMgrVersion(String(r.configMgrVersion)) === undefined) {
    throw new UsageError(`'${r.configMgrVersion}' is not a Configuration Manager version (YYMM, e.g. 1910, 2002, 2103).`, {suggestions: ['Pass --configmgr-version 2103.']})
  }

  optionalText(r.description, NAME_RULES.description)
  if (r.workspaceId !== null && r.workspaceId !== '' && !/^[0-9a-fA-F-]{8,64}$/.test(r.workspaceId)) {
    throw new UsageError(`Workspace ID '${escapeName(r.workspaceId)}' is not a workspace ID (a GUID).`, {suggestions: ['See the tenant\'s values: atpctl workspace show']})
  }

  const file = r.configFile
  if (file) {
    const problem = nameProblem(file.name, NAME_RULES.fileName)
    const bad = (what: string) =>
      new InvalidInputError(`The configuration file's ${what}.`, {code: 'INVALID_PACKAGE', suggestions: ['Pass the package file itself: atpctl policy create ... --config-file FILE']})
    if (problem) throw bad(problem.replace(/^the file name /, 'name '))
    if (!/^[0-9a-f]{64}$/.test(file.sha256)) throw bad('SHA-256 is not 64 lower-case hex digits')
    if (nameProblem(file.orgId, {label: 'org id', max: 64}) !== null) throw bad('org id is not an id')
    if (file.expiresAt !== null && file.expiresAt !== undefined && Number.isNaN(Date.parse(file.expiresAt))) throw bad(`expiry '${escapeName(file.expiresAt)}' is not a date`)
  }
}

/** Checks the parts a policy needs for its type and ConfigMgr version; throws otherwise. */
export function requiredParts(r: Pick<PolicyCreateRequest, 'type' | 'configFile' | 'workspaceId' | 'workspaceKey' | 'configMgrVersion'>): void {
  const hasId = r.workspaceId !== null && r.workspaceId !== ''
  const hasKey = r.workspaceKey !== null && r.workspaceKey !== ''
  if (hasId !== hasKey) {
    throw new UsageError('The Workspace key and Workspace ID go together (down-level onboarding).', {
      suggestions: ['Pass both --workspace-id and --workspace-key-file, or neither.'],
    })
  }

  if (r.type === 'offboarding') {
    if (!r.configFile) throw new UsageError('An offboarding policy needs the offboarding configuration file.', {suggestions: ['Pass --config-file FILE.']})
    if (hasId) throw new UsageError('An offboarding policy takes only the configuration file, not the Workspace key/ID.', {suggestions: ['Drop --workspace-id and --workspace-key-file.']})
    return
  }

  if (!r.configFile && !hasId) {
    throw new UsageError('An onboarding policy needs the configuration file (up-level), the Workspace key and ID (down-level), or all three (any OS, recommended).', {
      suggestions: ['Pass --config-file FILE and/or --workspace-id ID --workspace-key-file FILE.'],
    })
  }

  if (r.configMgrVersion === CONFIGMGR_NEEDS_BOTH && !(r.configFile && hasId)) {
    throw new RuleError('CM4', `Configuration Manager ${CONFIGMGR_NEEDS_BOTH} needs both the configuration file and the Workspace key and ID, whatever the collection holds.`, {
      suggestions: [r.configFile ? 'Add --workspace-id ID --workspace-key-file FILE.' : 'Add --config-file FILE (an onboarding package for the configmgr method).'],
    })
  }
}

/** What a deployment plan looks at in the policy being deployed. */
export interface PlannedPolicy {
  type: Policy['type']
  configMgrVersion: number
  hasFile: boolean
  hasKey: boolean
  /** Its (offboarding) configuration file has expired (CM7). */
  expired: boolean
}

/** What a deployment plan looks at in one targeted device. */
export interface PlannedDevice {
  configMgrClient: boolean
  level: OsLevel
  minConfigMgr: number | null
  /** A policy of the other type (offboarding for an onboarding one, and back) is deployed to one of its collections. */
  otherTypeDeployed: boolean
}

/**
 * CM1–CM3, CM7: why a targeted device would not get the policy, or null when the deployment
 * reaches it. In order: not a ConfigMgr client; the offboarding file expired; it would have
 * both an onboarding and an offboarding policy; the policy's ConfigMgr version does not
 * support its OS; an up-level device under a key/ID-only policy or a down-level device under
 * a file-only policy.
 */
export function missReason(device: PlannedDevice, policy: PlannedPolicy): MissReason | null {
  if (!device.configMgrClient) return 'not-configmgr-client'
  if (policy.expired) return 'expired-offboarding-file'
  if (device.otherTypeDeployed) return 'onboarding-and-offboarding'
  if (device.minConfigMgr === null || policy.configMgrVersion < device.minConfigMgr) return 'unsupported-os'
  if (policy.type === 'onboarding' && device.level === 'up-level' && !policy.hasFile) return 'up-level-without-file'
  if (policy.type === 'onboarding' && device.level === 'down-level' && !policy.hasKey) return 'down-level-without-workspace'
  return null
}

/**
 * CM3: the plan's counts and missed devices (each with its sentence), and whether the
 * deployment is refused: any missed device refuses it unless forced.
 */
export function planOutcome(
  targeted: number,
  misses: readonly {name: string; osName: string; level: string; reason: MissReason}[],
  policy: Pick<Policy, 'configMgrVersion' | 'type'>,
  force: boolean,
): Pick<DeploymentPlan, 'summary' | 'missed' | 'refused'> {
  const byReason: Partial<Record<MissReason, number>> = {}
  const missed: MissedDevice[] = misses.map((m) => {
    byReason[m.reason] = (byReason[m.reason] ?? 0) + 1
    return {name: m.name, osName: m.osName, level: m.level, reason: m.reason, message: describeMiss(m.reason, {osName: m.osName, policy})}
  })
  return {summary: {targeted, reached: targeted - missed.length, missed: missed.length, byReason}, missed, refused: missed.length > 0 && !force}
}

/** One sentence per missed device. */
export function describeMiss(reason: MissReason, c: {osName: string; policy: Pick<Policy, 'configMgrVersion' | 'type'>}): string {
  switch (reason) {
    case 'not-configmgr-client':
      return 'Not a Configuration Manager client: the policy never reaches it.'
    case 'expired-offboarding-file':
      return 'The offboarding file has expired.'
    case 'onboarding-and-offboarding':
      return 'It would have both an onboarding and an offboarding policy.'
    case 'unsupported-os':
      return `${c.osName} is not supported by Configuration Manager ${c.policy.configMgrVersion}.`
    case 'up-level-without-file':
      return `${c.osName} is up-level and the policy has no configuration file.`
    case 'down-level-without-workspace':
      return `${c.osName} is down-level and the policy has no Workspace key/ID.`
  }
}

/** What to do about the most common miss reason. */
export function missAdvice(byReason: Partial<Record<MissReason, number>>, configMgrVersion: number): string[] {
  const advice: string[] = []
  if (byReason['up-level-without-file'] || byReason['down-level-without-workspace']) {
    advice.push('Use an "any OS" policy with the configuration file and the Workspace key and ID (recommended).')
  }

  if (byReason['unsupported-os']) {
    advice.push(
      configMgrVersion < 2002
        ? 'Use Configuration Manager 2002 or later for Windows 8.1 and Windows Server, or exclude those devices.'
        : 'Upgrade or exclude the devices whose OS cannot be onboarded (Windows 10 before 1607, Windows 7, non-Windows).',
    )
  }
  if (byReason['onboarding-and-offboarding']) advice.push('Remove the devices from the collection of the other policy first.')
  if (byReason['not-configmgr-client']) advice.push('Install the ConfigMgr client, or onboard those devices another way (Defender for Cloud, Intune, third-party).')
  if (byReason['expired-offboarding-file']) advice.push('Create a new offboarding policy with a fresh file.')
  advice.push('Deploy anyway with --force.')
  return advice
}

/** What a stored policy holds, as compared by a create of the same name (the key by its hash only). */
export interface PolicyContent {
  description: string
  type: Policy['type']
  configFile: {name: string; sha256: string} | null
  workspaceId: string | null
  workspaceKeySha256: string | null
  sampleSharing: Policy['sampleSharing']
  configMgrVersion: number
}

const shownFile = (f: PolicyContent['configFile']) => (f ? `'${escapeName(f.name)}' (SHA-256 ${f.sha256.slice(0, 12)}…)` : 'no configuration file')

/**
 * What differs between a policy and a create request of the same name (issue 11 item 4). The
 * configuration file is compared by content (SHA-256), the Workspace key by hash and never shown.
 */
export function policyDifferences(existing: PolicyContent, requested: PolicyContent): Difference[] {
  return differences([
    {field: 'type', existing: existing.type, requested: requested.type},
    {field: 'description', existing: `'${escapeName(existing.description)}'`, requested: `'${escapeName(requested.description)}'`},
    {field: 'configuration file', existing: shownFile(existing.configFile), requested: shownFile(requested.configFile), same: (existing.configFile?.sha256 ?? null) === (requested.configFile?.sha256 ?? null)},
    {
      field: 'Workspace ID',
      existing: existing.workspaceId ?? 'none',
      requested: requested.workspaceId ?? 'none',
      same: (existing.workspaceId?.toLowerCase() ?? null) === (requested.workspaceId?.toLowerCase() ?? null),
    },
    {
      field: 'Workspace key',
      existing: existing.workspaceKeySha256 ? 'set' : 'none',
      requested: requested.workspaceKeySha256 ? (existing.workspaceKeySha256 ? 'another key' : 'set') : 'none',
      same: existing.workspaceKeySha256 === requested.workspaceKeySha256,
    },
    {field: 'sample sharing', existing: existing.sampleSharing, requested: requested.sampleSharing},
    {field: 'ConfigMgr version', existing: String(existing.configMgrVersion), requested: String(requested.configMgrVersion)},
  ])
}

/**
 * What `policy update` changes; absent fields stay. `configFile: null` removes the file;
 * `workspaceId`/`workspaceKey: null` remove the Workspace key and ID (they go together).
 */
export interface PolicyChange {
  description?: string
  configFile?: PolicyCreateRequest['configFile']
  workspaceId?: string | null
  workspaceKey?: string | null
  sampleSharing?: Policy['sampleSharing']
  configMgrVersion?: number
  /** Apply even when devices of its deployments would no longer be reached (CM3). */
  force?: boolean
}

/** An update must change something; nothing given is a usage error (exit 2). */
export function checkPolicyChange(name: string, change: PolicyChange): void {
  const fields: (keyof PolicyChange)[] = ['description', 'configFile', 'workspaceId', 'workspaceKey', 'sampleSharing', 'configMgrVersion']
  if (fields.every((f) => change[f] === undefined)) {
    throw new UsageError(`Nothing to change in policy '${escapeName(name)}'.`, {
      suggestions: ['Pass --description, --config-file / --clear-config-file, --workspace-id with --workspace-key-file / --clear-workspace, --sample-sharing or --configmgr-version.'],
    })
  }
}

/**
 * CM3 for an update of a deployed policy: devices of its deployments that the policy reaches now
 * and would miss afterwards (a file or key removed, another ConfigMgr version) refuse the update
 * unless forced, as a deployment that would miss them does.
 */
export function checkUpdateReach(policy: string, before: readonly string[], after: readonly string[], force: boolean): void {
  const missedBefore = new Set(before)
  const lost = after.filter((d) => !missedBefore.has(d))
  if (lost.length === 0 || force) return
  throw new RuleError('CM3', `Updating '${escapeName(policy)}' would stop it reaching ${lost.length} device(s) of its deployments: ${lost.slice(0, 3).map(escapeName).join(', ')}${lost.length > 3 ? ', …' : ''}. Nothing was changed.`, {
    suggestions: ['See the plan after the change: atpctl policy deploy NAME --collection C --dry-run', 'Update anyway with --force.'],
    details: {lost: lost.length},
  })
}

/**
 * The parts of a policy that must be this tenant's (CM7): the configuration file's org and
 * expiry, the Workspace ID and, when known, the Workspace key. The backend checks every create
 * and update with the tenant's key; a tenant-file plan, which never holds the key, passes null.
 */
export function checkPolicyTenantParts(
  request: Pick<PolicyCreateRequest, 'configFile' | 'workspaceId' | 'workspaceKey'>,
  tenant: {orgId: string; workspaceId: string; workspaceKey: string | null},
  now: Date,
): void {
  if (request.configFile) {
    if (request.configFile.orgId !== tenant.orgId) {
      throw new InvalidInputError(`The configuration file belongs to org ${request.configFile.orgId}, not to this tenant (${tenant.orgId}).`, {
        code: 'PACKAGE_OTHER_TENANT',
        suggestions: ['Use a package generated for this profile: atpctl package generate ... --method configmgr'],
      })
    }

    if (request.configFile.expiresAt && Date.parse(request.configFile.expiresAt) <= now.getTime()) {
      throw new InvalidInputError(`The offboarding file expired on ${request.configFile.expiresAt}.`, {
        code: 'PACKAGE_EXPIRED',
        suggestions: ['Generate a fresh one: atpctl package generate offboarding --os windows --method configmgr'],
      })
    }
  }

  if (request.workspaceId !== null && request.workspaceId.toLowerCase() !== tenant.workspaceId.toLowerCase()) {
    throw new InvalidInputError(`Workspace ID '${request.workspaceId}' is not this tenant's.`, {
      code: 'WORKSPACE_MISMATCH',
      suggestions: ["See the tenant's values: atpctl workspace show"],
    })
  }

  if (tenant.workspaceKey !== null && request.workspaceKey !== null && request.workspaceKey.trim() !== tenant.workspaceKey) {
    throw new InvalidInputError("The Workspace key does not match this tenant's.", {
      code: 'WORKSPACE_MISMATCH',
      suggestions: ['Copy it again: atpctl workspace show --reveal > key.txt, then pass --workspace-key-file key.txt'],
    })
  }
}
