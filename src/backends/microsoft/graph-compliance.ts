/**
 * Compliance policies by machine risk on a real tenant (IN7; issue 13) through Microsoft Graph
 * `deviceManagement/deviceCompliancePolicies`: Android (device administrator), Android work
 * profile and iOS on v1.0, Windows through /beta, where alone Windows has the threat-level
 * properties (§8.4). A create carries the one `block` scheduled action Intune insists on and is
 * assigned with `/assign` (a group, or all devices); a failed assignment deletes the new policy,
 * so nothing is left half made.
 *
 * `evaluate` reads Intune's managed devices and the Defender machines (joined by the Entra
 * device id, `azureADDeviceId` = `aadDeviceId`), each machine's risk score, the members of the
 * groups the policies are assigned to (one `$batch` per 20 groups), and decides with the core
 * rules (strictestPolicy, judgeCompliance), so statuses and reasons are the embedded backend's.
 */
import {pageOf} from '../../core/port/page.js'
import {
  type CompliancePolicy,
  type CompliancePlatform,
  type DeviceCompliance,
  GRAPH_THREAT_LEVEL,
  judgeCompliance,
  type MaxRisk,
  parseCompliancePlatform,
  parseMaxRisk,
  strictestPolicy,
} from '../../core/compliance/rules.js'
import {classifyMachineOs, type DefenderMachine} from '../../core/device/machine.js'
import {isAtpError, NotFoundError, RuleError, UsageError} from '../../core/errors.js'
import type {IntuneState} from '../../core/integration/types.js'
import {COMPLIANCE_DELETE_CONSEQUENCE, complianceAffects, complianceContent, contentDifferences, createOutcome, KINDS, requireDeleteConsent} from '../../core/intune/lifecycle.js'
import type {DeviceRisk} from '../../core/intune/types.js'
import {DEVICE_RISKS} from '../../core/intune/types.js'
import {escapeName, NAME_RULES, optionalText, requireName} from '../../core/names.js'
import type {ComplianceApi} from '../../core/port/intune-api.js'
import {findMachine} from './defender.js'
import {graphBatch, type GraphContext, GRAPH_PERMISSIONS, groupIdByName, groupNamesById, INTUNE_CENTER, odataString} from './graph-intune.js'
import type {ApiClient} from './http.js'

export interface GraphComplianceContext extends GraphContext {
  /** The Defender for Endpoint API client (machines and their risk). */
  defender(): Promise<ApiClient>
  /** The Intune connection (IN2 toggles), read once per evaluation. */
  connection(): Promise<IntuneState>
  /** Names of the enabled conditional access policies (what a deleted policy's devices lose). */
  enabledAccessPolicies(): Promise<string[]>
}

const ODATA_TYPE: Record<CompliancePlatform, string> = {
  'android-device-admin': '#microsoft.graph.androidCompliancePolicy',
  'android-enterprise': '#microsoft.graph.androidWorkProfileCompliancePolicy',
  ios: '#microsoft.graph.iosCompliancePolicy',
  windows: '#microsoft.graph.windows10CompliancePolicy',
}
const PLATFORM_OF = new Map(Object.entries(ODATA_TYPE).map(([p, t]) => [t, p as CompliancePlatform]))
const MAX_RISK_OF = new Map(Object.entries(GRAPH_THREAT_LEVEL).map(([m, level]) => [level, m as MaxRisk]))

/** Windows' threat level is only in /beta (§8.4); the others are on v1.0. */
const versionOf = (platform: CompliancePlatform): string => (platform === 'windows' ? '/beta' : '/v1.0')
const POLICIES = '/deviceManagement/deviceCompliancePolicies'

interface WireTarget {
  '@odata.type': string
  groupId?: string
}

interface WirePolicy {
  '@odata.type': string
  id: string
  displayName: string
  description?: string | null
  createdDateTime?: string
  deviceThreatProtectionEnabled?: boolean
  deviceThreatProtectionRequiredSecurityLevel?: string
  assignments?: {target: WireTarget}[]
}

interface WireManagedDevice {
  id: string
  deviceName: string
  operatingSystem?: string | null
  osVersion?: string | null
  azureADDeviceId?: string | null
  userPrincipalName?: string | null
}

/** A policy as atpctl shows it, with every target Intune holds (the first group is `assignGroup`). */
interface ReadPolicy extends CompliancePolicy {
  targets: {all: boolean; groupIds: string[]; groups: string[]}
}

const ALL_TARGETS = new Set(['#microsoft.graph.allDevicesAssignmentTarget', '#microsoft.graph.allLicensedUsersAssignmentTarget'])
const publicPolicy = ({targets: _t, ...policy}: ReadPolicy): CompliancePolicy => policy

/** The policy body Intune accepts: threat protection on, the level, and exactly one block action (§8.4). */
function policyBody(request: {name: string; description: string | null; platform: CompliancePlatform; maxRisk: MaxRisk}): Record<string, unknown> {
  return {
    '@odata.type': ODATA_TYPE[request.platform],
    displayName: request.name,
    description: request.description ?? '',
    deviceThreatProtectionEnabled: true,
    deviceThreatProtectionRequiredSecurityLevel: GRAPH_THREAT_LEVEL[request.maxRisk],
    scheduledActionsForRule: [
      {ruleName: 'PasswordRequired', scheduledActionConfigurations: [{actionType: 'block', gracePeriodHours: 0, notificationTemplateId: '', notificationMessageCCList: []}]},
    ],
  }
}

const assignBody = (groupId: string | null) => ({
  assignments: [{target: groupId ? {'@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId} : {'@odata.type': '#microsoft.graph.allDevicesAssignmentTarget'}}],
})

const RISK_OF: Record<string, DeviceRisk> = Object.fromEntries(DEVICE_RISKS.map((r) => [r, r]))

/** One device's facts for the core rules: a Defender machine, its Intune managed device, or both. */
interface Row {
  deviceId: string
  deviceName: string
  machine: DefenderMachine | null
  managed: WireManagedDevice | null
}

const lower = (s: string | null | undefined) => (s ?? '').toLowerCase()

export function graphCompliance(ctx: GraphComplianceContext): ComplianceApi {
  /** Every IN7 policy: those that judge machine risk (threat protection on, a level atpctl knows). */
  async function readPolicies(client: ApiClient): Promise<ReadPolicy[]> {
    const wire: WirePolicy[] = []
    for await (const page of client.pages<WirePolicy>(`/v1.0${POLICIES}`, {query: {$expand: 'assignments'}, permission: GRAPH_PERMISSIONS.configurationRead})) {
      wire.push(...page.filter((p) => p['@odata.type'] !== ODATA_TYPE.windows))
    }

    for await (const page of client.pages<WirePolicy>(`/beta${POLICIES}`, {
      query: {$filter: "isof('microsoft.graph.windows10CompliancePolicy')", $expand: 'assignments'},
      permission: GRAPH_PERMISSIONS.configurationRead,
    })) {
      wire.push(...page.filter((p) => p['@odata.type'] === ODATA_TYPE.windows))
    }

    const judged = wire.filter((p) => PLATFORM_OF.has(p['@odata.type']) && p.deviceThreatProtectionEnabled === true && MAX_RISK_OF.has(p.deviceThreatProtectionRequiredSecurityLevel ?? ''))
    const groupIds = judged.flatMap((p) => (p.assignments ?? []).map((a) => a.target.groupId).filter((g): g is string => typeof g === 'string'))
    const names = groupIds.length > 0 ? await groupNamesById(client, groupIds) : new Map<string, string>()
    return judged
      .map((p): ReadPolicy => {
        const targets = (p.assignments ?? []).map((a) => a.target)
        const ids = targets.map((t) => t.groupId).filter((g): g is string => typeof g === 'string')
        const groups = ids.map((id) => names.get(id) ?? id)
        return {
          id: p.id,
          name: p.displayName,
          description: p.description ? p.description : null,
          platform: PLATFORM_OF.get(p['@odata.type'])!,
          maxRisk: MAX_RISK_OF.get(p.deviceThreatProtectionRequiredSecurityLevel!)!,
          assignGroup: groups[0] ?? null,
          createdAt: p.createdDateTime ?? new Date(0).toISOString(),
          targets: {all: targets.some((t) => ALL_TARGETS.has(t['@odata.type'])), groupIds: ids, groups},
        }
      })
      .sort((a, b) => (a.createdAt === b.createdAt ? a.name.localeCompare(b.name) : a.createdAt < b.createdAt ? -1 : 1))
  }

  async function find(client: ApiClient, nameOrId: string): Promise<ReadPolicy> {
    const policies = await readPolicies(client)
    const found = policies.find((p) => p.id === nameOrId) ?? policies.find((p) => p.name === nameOrId)
    if (!found) throw new NotFoundError(`Compliance policy '${escapeName(nameOrId)}' does not exist.`, {suggestions: ['List policies: atpctl compliance list']})
    return found
  }

  async function assign(client: ApiClient, platform: CompliancePlatform, id: string, groupId: string | null): Promise<void> {
    await client.post(`${versionOf(platform)}${POLICIES}/${encodeURIComponent(id)}/assign`, assignBody(groupId), {permission: GRAPH_PERMISSIONS.configurationWrite})
  }

  /** The devices of the tenant: every Defender machine and every Intune managed device, joined by Entra device id. */
  async function readDevices(filter: {device?: string}): Promise<Row[]> {
    const graph = await ctx.client()
    const defender = await ctx.defender()
    const select = 'id,deviceName,operatingSystem,osVersion,azureADDeviceId,userPrincipalName'
    if (filter.device) {
      let machine: DefenderMachine | null = null
      try {
        machine = await findMachine(defender, filter.device)
      } catch (error) {
        if (!isAtpError(error) || error.exitCode !== 3) throw error
      }

      const query = machine?.aadDeviceId ? `azureADDeviceId eq ${odataString(machine.aadDeviceId)}` : `deviceName eq ${odataString(filter.device.trim())}`
      const page = machine && !machine.aadDeviceId ? {value: []} : await graph.get<{value: WireManagedDevice[]}>('/v1.0/deviceManagement/managedDevices', {query: {$filter: query, $select: select}, permission: GRAPH_PERMISSIONS.managedDevicesRead})
      const managed = page.value?.[0] ?? null
      if (!machine && !managed) {
        throw new NotFoundError(`Device '${escapeName(filter.device)}' is neither a Defender machine nor an Intune managed device of this tenant.`, {
          suggestions: ['List machines: atpctl device list', `Intune devices: ${INTUNE_CENTER}: Devices > All devices.`],
        })
      }

      return [machine ? {deviceId: machine.id, deviceName: machine.computerDnsName, machine, managed} : {deviceId: managed!.id, deviceName: managed!.deviceName, machine: null, managed}]
    }

    const managedAll: WireManagedDevice[] = []
    for await (const page of graph.pages<WireManagedDevice>('/v1.0/deviceManagement/managedDevices', {query: {$select: select}, permission: GRAPH_PERMISSIONS.managedDevicesRead})) managedAll.push(...page)
    const machines: DefenderMachine[] = []
    try {
      for await (const page of defender.pages<DefenderMachine>('/api/machines', {query: {$top: '10000'}, permission: 'Machine.Read.All'})) machines.push(...page)
    } catch (error) {
      // No machine at all is 404 on /api/machines (documented).
      if (!isAtpError(error) || error.exitCode !== 3) throw error
    }

    const byAad = new Map(managedAll.filter((m) => m.azureADDeviceId).map((m) => [lower(m.azureADDeviceId), m]))
    const joined = new Set<WireManagedDevice>()
    const rows: Row[] = machines.map((machine) => {
      const managed = machine.aadDeviceId ? (byAad.get(lower(machine.aadDeviceId)) ?? null) : null
      if (managed) joined.add(managed)
      return {deviceId: machine.id, deviceName: machine.computerDnsName, machine, managed}
    })
    for (const managed of managedAll) if (!joined.has(managed)) rows.push({deviceId: managed.id, deviceName: managed.deviceName, machine: null, managed})
    return rows.sort((a, b) => (a.deviceName === b.deviceName ? (a.deviceId < b.deviceId ? -1 : 1) : a.deviceName < b.deviceName ? -1 : 1))
  }

  /** Members of each group (Entra device ids and user principal names), one `$batch` per 20 groups. */
  async function memberships(client: ApiClient, groupIds: readonly string[]): Promise<Map<string, {devices: Set<string>; users: Set<string>}>> {
    const unique = [...new Set(groupIds)]
    const answers = await graphBatch(
      client,
      unique.map((id, i) => ({id: String(i), method: 'GET' as const, url: `/groups/${encodeURIComponent(id)}/transitiveMembers?$select=id,deviceId,userPrincipalName`})),
      GRAPH_PERMISSIONS.groupRead,
    )
    const out = new Map<string, {devices: Set<string>; users: Set<string>}>()
    for (const [i, id] of unique.entries()) {
      const members = {devices: new Set<string>(), users: new Set<string>()}
      const add = (list: {deviceId?: string; userPrincipalName?: string}[]) => {
        for (const m of list) {
          if (m.deviceId) members.devices.add(lower(m.deviceId))
          if (m.userPrincipalName) members.users.add(lower(m.userPrincipalName))
        }
      }

      const first = answers.get(String(i)) as {value?: []; '@odata.nextLink'?: string} | null
      add(first?.value ?? [])
      if (first?.['@odata.nextLink']) for await (const page of client.pages<{deviceId?: string; userPrincipalName?: string}>(first['@odata.nextLink'], {permission: GRAPH_PERMISSIONS.groupRead})) add(page)
      out.set(id, members)
    }

    return out
  }

  async function evaluate(filter: {device?: string} = {}): Promise<DeviceCompliance[]> {
    const client = await ctx.client()
    const [connection, policies, rows] = await Promise.all([ctx.connection(), readPolicies(client), readDevices(filter)])
    const members = await memberships(client, policies.flatMap((p) => p.targets.groupIds))
    // Each target of each policy as the core rule sees assignments: all devices (null) or one group.
    const assigned = policies.flatMap((p) => [...(p.targets.all ? [{...p, assignGroup: null}] : []), ...p.targets.groupIds.map((g) => ({...p, assignGroup: g}))])
    return rows.map((row) => {
      const aad = lower(row.managed?.azureADDeviceId ?? row.machine?.aadDeviceId)
      const upn = lower(row.managed?.userPrincipalName)
      const deviceGroups = [...members].filter(([, m]) => aad !== '' && m.devices.has(aad)).map(([g]) => g)
      const userGroups = [...members].filter(([, m]) => upn !== '' && m.users.has(upn)).map(([g]) => g)
      const osFamily = row.managed ? lower(row.managed.operatingSystem) || 'unknown' : row.machine ? classifyMachineOs(row.machine).family : 'unknown'
      return judgeCompliance(
        {
          deviceId: row.deviceId,
          deviceName: row.deviceName,
          osFamily,
          osVersion: row.managed?.osVersion ?? '',
          managedByIntune: row.managed !== null,
          // The tenant computes each machine's risk from its active alerts (riskScore); atpctl reads it.
          risk: RISK_OF[row.machine?.riskScore ?? 'None'] ?? 'None',
          strictest: strictestPolicy(osFamily, assigned, deviceGroups, userGroups),
        },
        connection,
      )
    })
  }

  return {
    async create(given) {
      const request = {
        name: requireName(given.name, NAME_RULES.compliancePolicy),
        description: optionalText(given.description, NAME_RULES.description),
        platform: parseCompliancePlatform(given.platform),
        maxRisk: parseMaxRisk(given.maxRisk),
        assignGroup: given.assignGroup ?? null,
      }
      const client = await ctx.client()
      const groupId = request.assignGroup ? await groupIdByName(client, request.assignGroup) : null
      const existing = (await readPolicies(client)).find((p) => p.name === request.name)
      if (existing) {
        // The same create again is a no-op; other settings under the name are a conflict (SPEC §3).
        const policy = publicPolicy(existing)
        createOutcome(KINDS.compliancePolicy, policy.name, complianceContent(policy), complianceContent({...request, description: given.description === undefined ? undefined : request.description}))
        return {policy, changed: false}
      }

      const created = await client.post<WirePolicy>(`${versionOf(request.platform)}${POLICIES}`, policyBody(request), {permission: GRAPH_PERMISSIONS.configurationWrite})
      try {
        await assign(client, request.platform, created.id, groupId)
      } catch (error) {
        // No half-made policy: one Intune holds unassigned is removed again.
        await client.delete(`${versionOf(request.platform)}${POLICIES}/${encodeURIComponent(created.id)}`, {permission: GRAPH_PERMISSIONS.configurationWrite}).catch(() => undefined)
        throw error
      }

      return {
        policy: {
          id: created.id,
          name: created.displayName ?? request.name,
          description: request.description,
          platform: request.platform,
          maxRisk: request.maxRisk,
          assignGroup: request.assignGroup,
          createdAt: created.createdDateTime ?? ctx.now().toISOString(),
        },
        changed: true,
      }
    },

    async list(request = {}) {
      return pageOf((await readPolicies(await ctx.client())).map(publicPolicy), request, 'microsoft-compliance-policies')
    },

    async get(nameOrId) {
      return publicPolicy(await find(await ctx.client(), nameOrId))
    },

    async update(nameOrId, patch) {
      const client = await ctx.client()
      const current = await find(client, nameOrId)
      const next: CompliancePolicy = {
        ...publicPolicy(current),
        description: patch.description === undefined ? current.description : optionalText(patch.description, NAME_RULES.description),
        platform: patch.platform === undefined ? current.platform : parseCompliancePlatform(patch.platform),
        maxRisk: patch.maxRisk === undefined ? current.maxRisk : parseMaxRisk(patch.maxRisk),
        assignGroup: patch.assignGroup === undefined ? current.assignGroup : patch.assignGroup,
      }
      const differences = contentDifferences(complianceContent(current), complianceContent(next))
      if (differences.length === 0) return {policy: publicPolicy(current), changed: false}
      if (next.platform !== current.platform) {
        throw new RuleError('IN7', `Intune cannot change the platform of compliance policy '${escapeName(current.name)}' (${current.platform}): a policy's platform is its type.`, {
          suggestions: [`Create a ${next.platform} policy under another name (atpctl compliance create), then delete this one (atpctl compliance delete "${current.name}").`],
        })
      }

      const groupId = next.assignGroup === null ? null : await groupIdByName(client, next.assignGroup)
      const path = `${versionOf(current.platform)}${POLICIES}/${encodeURIComponent(current.id)}`
      if (next.description !== current.description || next.maxRisk !== current.maxRisk) {
        await client.patch(
          path,
          {'@odata.type': ODATA_TYPE[current.platform], description: next.description ?? '', deviceThreatProtectionEnabled: true, deviceThreatProtectionRequiredSecurityLevel: GRAPH_THREAT_LEVEL[next.maxRisk]},
          {permission: GRAPH_PERMISSIONS.configurationWrite},
        )
      }

      if (next.assignGroup !== current.assignGroup) await assign(client, current.platform, current.id, groupId)
      return {policy: publicPolicy(await find(client, current.id)), changed: true}
    },

    async delete(nameOrId, options = {}) {
      const client = await ctx.client()
      const policy = await find(client, nameOrId)
      // In use while it decides a device's compliance: the same evaluation as `compliance evaluate`.
      const decided = (await evaluate()).filter((d) => d.status !== 'not-evaluated' && d.policy === policy.name).map((d) => d.deviceName)
      const access = decided.length > 0 ? await ctx.enabledAccessPolicies() : []
      const affects = requireDeleteConsent(KINDS.compliancePolicy, policy.name, complianceAffects(decided, access), options.force === true, COMPLIANCE_DELETE_CONSEQUENCE)
      await client.delete(`${versionOf(policy.platform)}${POLICIES}/${encodeURIComponent(policy.id)}`, {permission: GRAPH_PERMISSIONS.configurationWrite})
      return {policy: publicPolicy(policy), changed: true as const, affects}
    },

    async evaluate(filter = {}) {
      if (filter.device !== undefined && filter.device.trim() === '') throw new UsageError('The device name is empty.', {suggestions: ['Pass a machine id or DNS name.']})
      return evaluate(filter)
    },
  }
}
