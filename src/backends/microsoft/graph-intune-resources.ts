/**
 * The Intune resources of the port on a real tenant through Microsoft Graph (issue 13): groups
 * and their members (Entra ID groups), EDR profiles (the endpoint security EDR policy of the
 * settings catalog, `/beta`, REFERENCE §4.3) and the iOS supervised-mode app configuration
 * (`iosMobileAppConfiguration`, IN6). Every rule is core's: names (`core/names.ts`), the
 * lifecycle (`core/intune/lifecycle.ts`: same create again a no-op, other content a conflict,
 * delete of something in use only when forced), IN4 reach and onboarding and IN5 conflicts
 * (`core/intune/edr.ts`), IN2 (`core/intune/versions.ts`), IN6 (`core/intune/app-config.ts`).
 * Graph supplies the facts: memberships, Intune's managed devices, the connector's toggles, and
 * the setting conflicts Intune reports per device (`deviceConfigurationStates`).
 *
 * Many reads go through `$batch` (at most 20 requests each); `$count` carries
 * `ConsistencyLevel: eventual` (REFERENCE §8.4). A create that needs two calls (the policy, then
 * its `/assign`) deletes what it created when the second fails: no half-made profile remains.
 */
import {pageOf} from '../../core/port/page.js'
import {AuthError, InvalidInputError, isAtpError, NotFoundError, ThrottledError, UnreachableError, UsageError} from '../../core/errors.js'
import {INTUNE_CONNECTOR_ID, INTUNE_PLATFORMS} from '../../core/integration/catalogue.js'
import type {IntuneState} from '../../core/integration/types.js'
import {appConfigAssignment, iosAppConfigGraphBody, IOS_SUPERVISED} from '../../core/intune/app-config.js'
import {checkEdrProfileRequest, EDR_SETTING_IDS, edrGraphBody, edrOnboarding, edrReach, findConflicts, type OtherOnboardingPolicy} from '../../core/intune/edr.js'
import {
  APP_CONFIG_DELETE_CONSEQUENCE,
  appConfigAffects,
  appConfigContent,
  contentDifferences,
  createOutcome,
  EDR_DELETE_CONSEQUENCE,
  edrAffects,
  edrContent,
  GROUP_DELETE_CONSEQUENCE,
  groupAffects,
  groupContent,
  type GroupReference,
  KINDS,
  requireDeleteConsent,
} from '../../core/intune/lifecycle.js'
import type {EdrDeviceState, EdrProfile, GroupDetail, GroupInfo, GroupMember, IntuneDeviceFacts, IosAppConfig, SampleSharing, SettingConflict} from '../../core/intune/types.js'
import {escapeName, NAME_RULES, optionalText, requireName} from '../../core/names.js'
import type {IntuneApi} from '../../core/port/intune-api.js'
import type {ApiClient} from './http.js'
import {literal} from './odata.js'

/** The endpoint security EDR template of the settings catalog (REFERENCE §4.3). */
export const EDR_TEMPLATE_ID = '0385b795-0f2f-44ac-8602-9f65bf6adede_1'
const EDR_FAMILY = 'endpointSecurityEndpointDetectionAndResponse'

/** The application permission each kind of call needs (the least privilege first), named in 403s. */
export const GRAPH_PERMISSIONS = {
  groupRead: 'Group.Read.All',
  groupWrite: 'Group.ReadWrite.All',
  memberWrite: 'GroupMember.ReadWrite.All',
  userRead: 'User.Read.All',
  deviceRead: 'Device.Read.All',
  configRead: 'DeviceManagementConfiguration.Read.All',
  configWrite: 'DeviceManagementConfiguration.ReadWrite.All',
  managedRead: 'DeviceManagementManagedDevices.Read.All',
  appsRead: 'DeviceManagementApps.Read.All',
  appsWrite: 'DeviceManagementApps.ReadWrite.All',
  serviceRead: 'DeviceManagementServiceConfig.Read.All',
} as const

const P = GRAPH_PERMISSIONS
const V1 = '/v1.0'
const BETA = '/beta'
const MAX_BATCH = 20
const EVENTUAL = {ConsistencyLevel: 'eventual'}
const GROUP_TARGET = '#microsoft.graph.groupAssignmentTarget'
const ALL_DEVICES_TARGET = '#microsoft.graph.allDevicesAssignmentTarget'
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface GraphIntuneContext {
  client(): Promise<ApiClient>
  /**
   * Other resources that name a group (compliance policy assignments, conditional access
   * users), gathered by their own modules for `deleteGroup`; EDR profiles and app
   * configurations are gathered here.
   */
  groupReferences?: ((group: {id: string; name: string}) => Promise<GroupReference[]>)[]
}

interface GraphGroup {
  id: string
  displayName: string
  description?: string | null
  createdDateTime?: string | null
}

interface GraphMember {
  '@odata.type'?: string
  id: string
  displayName?: string | null
  userPrincipalName?: string | null
  deviceId?: string | null
  operatingSystem?: string | null
  operatingSystemVersion?: string | null
  isManaged?: boolean | null
}

interface ManagedDevice {
  id: string
  deviceName: string
  operatingSystem: string
  osVersion: string
  azureADDeviceId: string | null
  userPrincipalName: string | null
}

interface Assignment {
  target?: {'@odata.type'?: string; groupId?: string}
}

interface GraphPolicy {
  id: string
  name: string
  description?: string | null
  createdDateTime?: string
  settings?: {settingInstance?: {settingDefinitionId?: string; choiceSettingValue?: {value?: string}}}[]
  assignments?: Assignment[]
}

interface GraphAppConfig {
  '@odata.type'?: string
  id: string
  displayName: string
  createdDateTime?: string
  bundleId?: string
  settings?: {appConfigKey: string; appConfigKeyType: string; appConfigKeyValue: string}[]
  assignments?: Assignment[]
}

interface SettingState {
  setting?: string
  settingName?: string
  state?: string
  currentValue?: string | null
  sources?: {id?: string; displayName?: string}[]
}

interface BatchAnswer {
  status: number
  body: unknown
}

const isUser = (m: GraphMember) => m['@odata.type'] === '#microsoft.graph.user'
const isDevice = (m: GraphMember) => m['@odata.type'] === '#microsoft.graph.device'
const memberName = (m: GraphMember) => (isUser(m) ? (m.userPrincipalName ?? m.displayName ?? m.id) : (m.displayName ?? m.id))
const byName = (a: string, b: string) => a.localeCompare(b, 'en', {sensitivity: 'base'})

const groupNotFound = (name: string) =>
  new NotFoundError(`Group '${escapeName(name)}' does not exist in Microsoft Entra ID.`, {suggestions: [`Create it: atpctl group create "${escapeName(name)}"`, 'List groups: atpctl group list']})

/** A sub-request's failure as the core error the same call would raise alone. */
function batchError(answer: BatchAnswer, what: string, permission: string): Error {
  const error = (answer.body as {error?: {code?: string; message?: string}} | undefined)?.error
  const said = error?.message ?? `HTTP ${answer.status}`
  if (answer.status === 403) {
    return new AuthError(`The app lacks the permission ${permission} on Microsoft Graph (${what} was refused: ${said})`, {
      code: 'FORBIDDEN',
      suggestions: [`In the Microsoft Entra admin center: App registrations > your app > API permissions > Add a permission > Microsoft Graph > Application permissions > ${permission}, then Grant admin consent.`],
      details: {status: 403, microsoftCode: error?.code ?? null, api: 'graph', permission},
    })
  }

  if (answer.status === 404) return new NotFoundError(`Microsoft Graph: ${said}`, {details: {status: 404, microsoftCode: error?.code ?? null, api: 'graph'}})
  if (answer.status === 429) return new ThrottledError(`Microsoft Graph throttled ${what}; retry in a minute.`, {suggestions: ['Retry later; Graph answers 429 when the app sends too many requests.']})
  if (answer.status >= 500) return new UnreachableError(`Microsoft Graph failed on ${what} (HTTP ${answer.status}): ${said}`, {suggestions: ['Retry in a few minutes.']})
  return new InvalidInputError(`Microsoft Graph refused ${what} (HTTP ${answer.status}${error?.code ? ` ${error.code}` : ''}): ${said}`, {code: 'MICROSOFT_REFUSED'})
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export function graphIntune(ctx: GraphIntuneContext): IntuneApi {
  const g = () => ctx.client()

  async function all<T>(path: string, permission: string, query?: Record<string, string>, headers?: Record<string, string>): Promise<T[]> {
    const out: T[] = []
    for await (const page of (await g()).pages<T>(path, {permission, query, headers})) out.push(...page)
    return out
  }

  /**
   * GETs through `$batch`, 20 at a time, answered by id. A sub-request answered 429 is sent
   * again after its Retry-After (a few times), as a single request would be.
   */
  async function batchGet(requests: {id: string; url: string; headers?: Record<string, string>}[], version = V1): Promise<Map<string, BatchAnswer>> {
    const answers = new Map<string, BatchAnswer>()
    const client = await g()
    let pending = requests
    for (let round = 0; pending.length > 0; round++) {
      const throttled: typeof requests = []
      let waitMs = 0
      for (let i = 0; i < pending.length; i += MAX_BATCH) {
        const chunk = pending.slice(i, i + MAX_BATCH)
        const reply = await client.post<{responses?: {id: string; status: number; headers?: Record<string, string>; body?: unknown}[]}>(
          `${version}/$batch`,
          {requests: chunk.map((r) => ({id: r.id, method: 'GET', url: r.url, ...(r.headers ? {headers: r.headers} : {})}))},
          {retry: true},
        )
        for (const r of reply?.responses ?? []) {
          if (r.status === 429 && round < 3) {
            throttled.push(chunk.find((c) => c.id === r.id)!)
            const after = Number(r.headers?.['Retry-After'] ?? r.headers?.['retry-after'] ?? 1)
            waitMs = Math.max(waitMs, Math.min(60, Number.isFinite(after) ? after : 1) * 1000)
          } else {
            answers.set(r.id, {status: r.status, body: r.body})
          }
        }
      }

      if (throttled.length > 0) await sleep(waitMs)
      pending = throttled
    }

    return answers
  }

  /** Every page of a value a batch answered (the first page came in the batch). */
  async function restOf<T>(answer: BatchAnswer, permission: string): Promise<T[]> {
    const body = answer.body as {value?: T[]; '@odata.nextLink'?: string}
    const items = [...(body?.value ?? [])]
    if (typeof body?.['@odata.nextLink'] === 'string') items.push(...(await all<T>(body['@odata.nextLink'], permission)))
    return items
  }

  // Groups.

  async function findGroup(nameOrId: string): Promise<GraphGroup> {
    const client = await g()
    if (GUID.test(nameOrId)) {
      try {
        return await client.get<GraphGroup>(`${V1}/groups/${nameOrId}`, {permission: P.groupRead, query: {$select: 'id,displayName,description,createdDateTime'}})
      } catch (error) {
        if (!(isAtpError(error) && error.exitCode === 3)) throw error
      }
    }

    const found = await all<GraphGroup>(`${V1}/groups`, P.groupRead, {$filter: `displayName eq ${literal(nameOrId)}`, $select: 'id,displayName,description,createdDateTime'})
    if (found.length === 0) throw groupNotFound(nameOrId)
    if (found.length > 1) {
      throw new InvalidInputError(`${found.length} groups in Microsoft Entra ID are named '${escapeName(nameOrId)}'.`, {
        code: 'AMBIGUOUS',
        suggestions: [`Name the group by its object id instead: ${found.map((f) => f.id).join(', ')}`],
      })
    }

    return found[0]
  }

  async function counts(groups: GraphGroup[]): Promise<Map<string, {devices: number; users: number}>> {
    const answers = await batchGet(
      groups.flatMap((grp, i) => [
        {id: `d${i}`, url: `/groups/${grp.id}/members/microsoft.graph.device/$count`, headers: EVENTUAL},
        {id: `u${i}`, url: `/groups/${grp.id}/members/microsoft.graph.user/$count`, headers: EVENTUAL},
      ]),
    )
    const out = new Map<string, {devices: number; users: number}>()
    for (const [i, grp] of groups.entries()) {
      const n = (id: string) => {
        const a = answers.get(id)
        if (!a || a.status !== 200) throw batchError(a ?? {status: 500, body: undefined}, `counting the members of group '${grp.displayName}'`, P.groupRead)
        return Number(a.body)
      }

      out.set(grp.id, {devices: n(`d${i}`), users: n(`u${i}`)})
    }

    return out
  }

  const info = (grp: GraphGroup, n: {devices: number; users: number}): GroupInfo => ({
    name: grp.displayName,
    description: grp.description ?? null,
    createdAt: grp.createdDateTime ?? null,
    devices: n.devices,
    users: n.users,
  })

  async function groupInfo(grp: GraphGroup): Promise<GroupInfo> {
    return info(grp, (await counts([grp])).get(grp.id)!)
  }

  async function members(groupId: string): Promise<GraphMember[]> {
    return all<GraphMember>(`${V1}/groups/${groupId}/members`, P.groupRead, {$select: 'id,displayName,userPrincipalName,deviceId,operatingSystem,operatingSystemVersion,isManaged'})
  }

  async function detail(grp: GraphGroup): Promise<GroupDetail> {
    const list = await members(grp.id)
    const shown: GroupMember[] = list
      .filter((m) => isUser(m) || isDevice(m))
      .map((m) => ({kind: isUser(m) ? ('user' as const) : ('device' as const), member: memberName(m), source: 'explicit' as const}))
      .sort((a, b) => (a.kind === b.kind ? byName(a.member, b.member) : a.kind === 'device' ? -1 : 1))
    return {...info(grp, {devices: shown.filter((m) => m.kind === 'device').length, users: shown.filter((m) => m.kind === 'user').length}), members: shown}
  }

  /** An Entra device by display name, Entra device id or object id. */
  async function findDevice(device: string): Promise<GraphMember> {
    const filter = GUID.test(device) ? `displayName eq ${literal(device)} or deviceId eq ${literal(device)} or id eq ${literal(device)}` : `displayName eq ${literal(device)}`
    const found = await all<GraphMember>(`${V1}/devices`, P.deviceRead, {$filter: filter, $select: 'id,displayName,deviceId,operatingSystem,operatingSystemVersion,isManaged'})
    if (found.length === 0) {
      throw new NotFoundError(`Device '${escapeName(device)}' is not in Microsoft Entra ID.`, {suggestions: ['Check the name in the Microsoft Entra admin center: Devices > All devices; a device must be registered or joined first.']})
    }

    if (found.length > 1) {
      throw new InvalidInputError(`${found.length} devices in Microsoft Entra ID are named '${escapeName(device)}'.`, {code: 'AMBIGUOUS', suggestions: [`Name the device by its Entra device id: ${found.map((f) => f.deviceId ?? f.id).join(', ')}`]})
    }

    return {...found[0], '@odata.type': '#microsoft.graph.device'}
  }

  async function findUser(user: string): Promise<GraphMember | null> {
    const name = requireName(user, NAME_RULES.user)
    try {
      const u = await (await g()).get<GraphMember>(`${V1}/users/${encodeURIComponent(name)}`, {permission: P.userRead, query: {$select: 'id,displayName,userPrincipalName'}})
      return {...u, '@odata.type': '#microsoft.graph.user'}
    } catch (error) {
      if (isAtpError(error) && error.exitCode === 3) return null
      throw error
    }
  }

  async function requireUser(user: string): Promise<GraphMember> {
    if (user.trim() === '') throw new UsageError('An empty --user was given.', {suggestions: ['Pass a user principal name, e.g. --user alice@contoso.com.']})
    const found = await findUser(user.trim())
    if (!found) throw new NotFoundError(`User '${escapeName(user)}' is not in Microsoft Entra ID.`, {suggestions: ['Pass the user principal name (alice@contoso.com) as the Microsoft Entra admin center shows it: Users > All users.']})
    return found
  }

  /** A nickname Graph accepts (ASCII, no spaces or specials, ≤ 64) for a mail-disabled security group. */
  const mailNickname = (name: string) => `${name.normalize('NFKD').replace(/[^A-Za-z0-9._-]/g, '').slice(0, 48) || 'atpctl-group'}-${Math.random().toString(16).slice(2, 10)}`

  // EDR profiles.

  interface LoadedProfile {
    profile: EdrProfile
    /** Assigned groups with their members (what reach needs). */
    groups: {group: GraphGroup; members: GraphMember[]}[]
  }

  const choiceOf = (p: GraphPolicy, id: string) => p.settings?.find((s) => s.settingInstance?.settingDefinitionId === id)?.settingInstance?.choiceSettingValue?.value ?? ''

  /**
   * Intune assigns a policy to groups without saying device or user group: a group with user
   * members and no device members is a user group (IN4: it applies once the user signs in), any
   * other a device group.
   */
  const isUserGroup = (list: GraphMember[]) => list.some(isUser) && !list.some(isDevice)

  async function edrPolicies(): Promise<GraphPolicy[]> {
    const listed = await all<GraphPolicy>(`${BETA}/deviceManagement/configurationPolicies`, P.configRead, {
      $filter: `templateReference/templateFamily eq ${literal(EDR_FAMILY)}`,
      $select: 'id,name,description,createdDateTime,templateReference',
    })
    return listed.sort((a, b) => (a.createdDateTime ?? '').localeCompare(b.createdDateTime ?? '') || byName(a.name, b.name))
  }

  /** Full policies (settings, assignments) and their assigned groups' members, in batches. */
  async function loadProfiles(policies: GraphPolicy[]): Promise<LoadedProfile[]> {
    const full = await batchGet(policies.map((p, i) => ({id: `p${i}`, url: `/deviceManagement/configurationPolicies('${p.id}')?$expand=assignments,settings`})), BETA)
    const loaded = policies.map((p, i) => {
      const a = full.get(`p${i}`)
      if (!a || a.status !== 200) throw batchError(a ?? {status: 500, body: undefined}, `reading EDR policy '${p.name}'`, P.configRead)
      return a.body as GraphPolicy
    })
    const groupIds = [...new Set(loaded.flatMap((p) => (p.assignments ?? []).map((a) => a.target?.groupId).filter((id): id is string => typeof id === 'string')))]
    const groupAnswers = await batchGet(
      groupIds.flatMap((id, i) => [
        {id: `g${i}`, url: `/groups/${id}?$select=id,displayName,description,createdDateTime`},
        {id: `m${i}`, url: `/groups/${id}/members?$select=id,displayName,userPrincipalName,deviceId,operatingSystem,operatingSystemVersion,isManaged`},
      ]),
    )
    const groups = new Map<string, {group: GraphGroup; members: GraphMember[]}>()
    for (const [i, id] of groupIds.entries()) {
      const ga = groupAnswers.get(`g${i}`)!
      // A group deleted since keeps its assignment in Intune until someone removes it; it reaches nobody.
      if (ga.status === 404) continue
      if (ga.status !== 200) throw batchError(ga, `reading assigned group ${id}`, P.groupRead)
      const ma = groupAnswers.get(`m${i}`)!
      if (ma.status !== 200) throw batchError(ma, `reading the members of group ${id}`, P.groupRead)
      groups.set(id, {group: ga.body as GraphGroup, members: await restOf<GraphMember>(ma, P.groupRead)})
    }

    return loaded.map((p) => {
      const assigned = (p.assignments ?? []).map((a) => groups.get(a.target?.groupId ?? '')).filter((x): x is {group: GraphGroup; members: GraphMember[]} => x !== undefined)
      const sampleSharing: SampleSharing = choiceOf(p, EDR_SETTING_IDS.sampleSharing).endsWith('_1') ? 'all' : 'none'
      return {
        profile: {
          id: p.id,
          name: p.name,
          description: p.description ? p.description : null,
          platform: 'windows10' as const,
          sampleSharing,
          expediteTelemetry: choiceOf(p, EDR_SETTING_IDS.telemetry).endsWith('_2'),
          deviceGroups: assigned.filter((x) => !isUserGroup(x.members)).map((x) => x.group.displayName),
          userGroups: assigned.filter((x) => isUserGroup(x.members)).map((x) => x.group.displayName),
          createdAt: p.createdDateTime ?? '',
        },
        groups: assigned,
      }
    })
  }

  async function findProfile(nameOrId: string): Promise<LoadedProfile> {
    const policies = await edrPolicies()
    const hit = policies.find((p) => p.id === nameOrId) ?? policies.find((p) => p.name === nameOrId)
    if (!hit) throw new NotFoundError(`EDR profile '${escapeName(nameOrId)}' does not exist.`, {suggestions: ['List profiles: atpctl edr-profile list']})
    return (await loadProfiles([hit]))[0]
  }

  /** The Defender connector's toggles as core's IntuneState (absent: the connection is off, IN1). */
  async function connection(): Promise<IntuneState> {
    let c: {partnerState?: string; androidEnabled?: boolean; iosEnabled?: boolean; windowsEnabled?: boolean} | null = null
    try {
      c = await (await g()).get(`${V1}/deviceManagement/mobileThreatDefenseConnectors/${INTUNE_CONNECTOR_ID}`, {permission: P.serviceRead})
    } catch (error) {
      if (!(isAtpError(error) && error.exitCode === 3)) throw error
    }

    const on = (v: boolean | undefined) => c?.partnerState === 'enabled' && v === true
    return {
      enabled: c?.partnerState === 'enabled',
      connectorId: INTUNE_CONNECTOR_ID,
      platforms: {
        android: {enabled: on(c?.androidEnabled), minimumVersion: INTUNE_PLATFORMS.android.minimumVersion},
        ios: {enabled: on(c?.iosEnabled), minimumVersion: INTUNE_PLATFORMS.ios.minimumVersion},
        windows: {enabled: on(c?.windowsEnabled), minimumVersion: INTUNE_PLATFORMS.windows.minimumVersion},
      },
      changedAt: null,
      classicPolicyId: null,
    }
  }

  const managedDevices = () =>
    all<ManagedDevice>(`${V1}/deviceManagement/managedDevices`, P.managedRead, {$select: 'id,deviceName,operatingSystem,osVersion,azureADDeviceId,userPrincipalName'})

  interface Candidate {
    device: IntuneDeviceFacts
    managedId: string | null
    userGroups: string[]
  }

  /**
   * The devices a set of profiles could reach, as IN4 facts: device members of the assigned
   * groups, and the Intune devices of the assigned groups' user members. The id is the Entra
   * device id (Defender's aadDeviceId).
   */
  function candidates(profiles: LoadedProfile[], managed: ManagedDevice[]): Candidate[] {
    const byAad = new Map(managed.filter((d) => d.azureADDeviceId).map((d) => [d.azureADDeviceId!.toLowerCase(), d]))
    const out = new Map<string, Candidate>()
    const groupsOfDevice = new Map<string, Set<string>>()
    const groupsOfUser = new Map<string, Set<string>>()
    for (const {groups} of profiles) {
      for (const {group, members: list} of groups) {
        for (const m of list) {
          if (isDevice(m) && m.deviceId) groupsOfDevice.set(m.deviceId.toLowerCase(), (groupsOfDevice.get(m.deviceId.toLowerCase()) ?? new Set()).add(group.displayName))
          if (isUser(m) && m.userPrincipalName) groupsOfUser.set(m.userPrincipalName.toLowerCase(), (groupsOfUser.get(m.userPrincipalName.toLowerCase()) ?? new Set()).add(group.displayName))
        }
      }
    }

    const add = (aad: string, facts: Omit<IntuneDeviceFacts, 'groups' | 'risk'>, managedId: string | null) => {
      if (out.has(aad)) return
      const user = facts.user?.toLowerCase() ?? null
      out.set(aad, {
        device: {...facts, groups: [...(groupsOfDevice.get(aad) ?? [])], risk: 'None'},
        managedId,
        userGroups: user ? [...(groupsOfUser.get(user) ?? [])] : [],
      })
    }

    for (const {members: list} of profiles.flatMap((p) => p.groups)) {
      for (const m of list.filter(isDevice)) {
        const aad = (m.deviceId ?? m.id).toLowerCase()
        const md = byAad.get(aad)
        add(
          aad,
          md
            ? {id: aad, name: md.deviceName, user: md.userPrincipalName, osFamily: md.operatingSystem, osVersion: md.osVersion, managedByIntune: true}
            : {id: aad, name: m.displayName ?? aad, user: null, osFamily: m.operatingSystem ?? '', osVersion: m.operatingSystemVersion ?? '', managedByIntune: false},
          md?.id ?? null,
        )
      }
    }

    for (const md of managed) {
      if (md.userPrincipalName && groupsOfUser.has(md.userPrincipalName.toLowerCase())) {
        const aad = (md.azureADDeviceId ?? md.id).toLowerCase()
        add(aad, {id: aad, name: md.deviceName, user: md.userPrincipalName, osFamily: md.operatingSystem, osVersion: md.osVersion, managedByIntune: true}, md.id)
      }
    }

    return [...out.values()].sort((a, b) => byName(a.device.name, b.device.name))
  }

  /**
   * IN5 facts as Intune reports them: per managed device, the sample-sharing setting in conflict
   * and the other policies that set it (each a source other than the EDR profile).
   */
  async function reportedOthers(managedIds: string[], profileIds: Set<string>): Promise<Map<string, OtherOnboardingPolicy[]>> {
    const answers = await batchGet(managedIds.map((id, i) => ({id: `s${i}`, url: `/deviceManagement/managedDevices('${id}')/deviceConfigurationStates`})), BETA)
    const out = new Map<string, OtherOnboardingPolicy[]>()
    for (const [i, id] of managedIds.entries()) {
      const a = answers.get(`s${i}`)!
      if (a.status !== 200) throw batchError(a, 'reading the configuration states Intune reports for a device', P.managedRead)
      const states = await restOf<{displayName?: string; platformType?: string; settingStates?: SettingState[]}>(a, P.managedRead)
      const others: OtherOnboardingPolicy[] = []
      for (const st of states) {
        for (const s of st.settingStates ?? []) {
          if (s.state !== 'conflict' || !String(s.setting ?? '').toLowerCase().includes('samplesharing')) continue
          for (const source of s.sources ?? []) {
            if (source.id && profileIds.has(source.id)) continue
            const value = String(s.currentValue ?? '')
            others.push({type: 'Intune device configuration', name: source.displayName ?? st.displayName ?? 'unknown policy', sampleSharing: /(^|_)1$|^all$|^true$/i.test(value) ? 'all' : 'none'})
          }
        }
      }

      out.set(id, others)
    }

    return out
  }

  interface Evaluation {
    profile: EdrProfile
    devices: EdrDeviceState[]
    conflicts: SettingConflict[]
  }

  async function evaluate(profiles: LoadedProfile[]): Promise<Evaluation[]> {
    if (profiles.length === 0) return []
    const [conn, managed] = await Promise.all([connection(), managedDevices()])
    const cands = candidates(profiles, managed)
    const reachedManaged = [...new Set(cands.filter((c) => c.managedId && profiles.some((p) => edrReach(p.profile, c.device, c.userGroups) !== null)).map((c) => c.managedId!))]
    const others = await reportedOthers(reachedManaged, new Set(profiles.map((p) => p.profile.id)))
    return profiles.map(({profile}) => {
      const devices: EdrDeviceState[] = []
      const conflicts: SettingConflict[] = []
      for (const c of cands) {
        const via = edrReach(profile, c.device, c.userGroups)
        if (via === null) continue
        devices.push(edrOnboarding(c.device, via, conn))
        conflicts.push(...findConflicts(c.device, [profile], c.managedId ? (others.get(c.managedId) ?? []) : []))
      }

      return {profile, devices, conflicts}
    })
  }

  /** The groups named, each once, with their object ids. */
  async function resolveGroups(names: readonly string[]): Promise<GraphGroup[]> {
    const out: GraphGroup[] = []
    for (const name of names) {
      const grp = await findGroup(name)
      if (!out.some((o) => o.id === grp.id)) out.push(grp)
    }

    return out
  }

  const assignBody = (groups: GraphGroup[]) => ({assignments: groups.map((grp) => ({target: {'@odata.type': GROUP_TARGET, groupId: grp.id}}))})

  // App configurations.

  async function appConfigs(): Promise<{config: IosAppConfig; raw: GraphAppConfig}[]> {
    const listed = await all<GraphAppConfig>(`${V1}/deviceAppManagement/mobileAppConfigurations`, P.appsRead, {$expand: 'assignments'})
    const ours = listed.filter((c) => c['@odata.type'] === '#microsoft.graph.iosMobileAppConfiguration' && (c.settings ?? []).some((s) => s.appConfigKey === IOS_SUPERVISED.key))
    const groupIds = [...new Set(ours.flatMap((c) => (c.assignments ?? []).map((a) => a.target?.groupId).filter((id): id is string => typeof id === 'string')))]
    const answers = await batchGet(groupIds.map((id, i) => ({id: `g${i}`, url: `/groups/${id}?$select=id,displayName`})))
    const names = new Map<string, string>()
    for (const [i, id] of groupIds.entries()) {
      const a = answers.get(`g${i}`)!
      if (a.status === 200) names.set(id, (a.body as GraphGroup).displayName)
      else if (a.status !== 404) throw batchError(a, `reading assigned group ${id}`, P.groupRead)
    }

    return ours
      .map((raw) => {
        const target = raw.assignments?.[0]?.target
        const group = target?.['@odata.type'] === GROUP_TARGET ? (names.get(target.groupId ?? '') ?? `deleted group ${target.groupId}`) : null
        const config: IosAppConfig = {
          id: raw.id,
          name: raw.displayName,
          platform: 'ios',
          targetedApp: IOS_SUPERVISED.targetedApp,
          bundleId: raw.bundleId ?? IOS_SUPERVISED.bundleId,
          settings: (raw.settings ?? []).map((s) => ({key: s.appConfigKey, valueType: 'string' as const, value: s.appConfigKeyValue})),
          assignment: appConfigAssignment(group),
          assignGroup: group,
          createdAt: raw.createdDateTime ?? '',
        }
        return {config, raw}
      })
      .sort((a, b) => a.config.createdAt.localeCompare(b.config.createdAt) || byName(a.config.name, b.config.name))
  }

  async function findAppConfig(nameOrId: string): Promise<IosAppConfig> {
    const list = await appConfigs()
    const hit = list.find((c) => c.config.id === nameOrId) ?? list.find((c) => c.config.name === nameOrId)
    if (!hit) throw new NotFoundError(`App configuration '${escapeName(nameOrId)}' does not exist.`, {suggestions: ['List app configurations: atpctl intune app-config list']})
    return hit.config
  }

  const appTarget = (group: GraphGroup | null) => ({assignments: [{target: group ? {'@odata.type': GROUP_TARGET, groupId: group.id} : {'@odata.type': ALL_DEVICES_TARGET}}]})

  /** Deletes what a create made when its second call failed, then rethrows (no half-made resource). */
  async function undoing<T>(undo: () => Promise<unknown>, step: () => Promise<T>): Promise<T> {
    try {
      return await step()
    } catch (error) {
      await undo().catch(() => undefined)
      throw error
    }
  }

  const api: IntuneApi = {
    async createGroup(request) {
      const name = requireName(request.name, NAME_RULES.group)
      const description = optionalText(request.description, NAME_RULES.description)
      let existing: GraphGroup | null = null
      try {
        existing = await findGroup(name)
      } catch (error) {
        if (!(isAtpError(error) && error.exitCode === 3)) throw error
      }

      if (existing) {
        createOutcome(KINDS.group, existing.displayName, groupContent({description: existing.description ?? null}), groupContent({description: request.description === undefined ? undefined : description}))
        return {group: await groupInfo(existing), created: false, changed: false}
      }

      const created = await (await g()).post<GraphGroup>(
        `${V1}/groups`,
        {displayName: name, ...(description ? {description} : {}), mailEnabled: false, mailNickname: mailNickname(name), securityEnabled: true, groupTypes: []},
        {permission: P.groupWrite},
      )
      return {group: info(created, {devices: 0, users: 0}), created: true, changed: true}
    },

    async updateGroup(name, request) {
      const description = optionalText(request.description, NAME_RULES.description)
      const grp = await findGroup(name)
      if (contentDifferences(groupContent({description: grp.description ?? null}), groupContent({description})).length === 0) return {group: await groupInfo(grp), changed: false}
      await (await g()).patch(`${V1}/groups/${grp.id}`, {description}, {permission: P.groupWrite})
      return {group: await groupInfo({...grp, description}), changed: true}
    },

    async deleteGroup(name, options = {}) {
      const grp = await findGroup(name)
      const references: GroupReference[] = []
      const loaded = await loadProfiles(await edrPolicies())
      for (const {profile, groups} of loaded) {
        const hit = groups.find((x) => x.group.id === grp.id)
        if (hit) references.push({kind: isUserGroup(hit.members) ? 'edr-user-group' : 'edr-device-group', name: profile.name})
      }

      for (const {config, raw} of await appConfigs()) if ((raw.assignments ?? []).some((a) => a.target?.groupId === grp.id)) references.push({kind: 'app-config', name: config.name})
      for (const gather of ctx.groupReferences ?? []) references.push(...(await gather({id: grp.id, name: grp.displayName})))
      const groupInfoBefore = await groupInfo(grp)
      const affects = requireDeleteConsent(KINDS.group, grp.displayName, groupAffects(references), options.force === true, GROUP_DELETE_CONSEQUENCE)
      await (await g()).delete(`${V1}/groups/${grp.id}`, {permission: P.groupWrite})
      return {group: groupInfoBefore, changed: true as const, affects, stillInInventory: false}
    },

    async addGroupMembers({group, devices, users}) {
      const grp = await findGroup(group)
      const wanted: GraphMember[] = []
      for (const d of devices) wanted.push(await findDevice(d))
      for (const u of users) wanted.push(await requireUser(u))
      const present = new Set((await members(grp.id)).map((m) => m.id))
      const client = await g()
      let added = 0
      for (const m of wanted) {
        if (present.has(m.id)) continue
        await client.post(`${V1}/groups/${grp.id}/members/$ref`, {'@odata.id': `${client.baseUrl}${V1}/directoryObjects/${m.id}`}, {permission: P.memberWrite})
        present.add(m.id)
        added++
      }

      return {group: await detail(grp), added}
    },

    async removeGroupMembers({group, devices, users}) {
      const grp = await findGroup(group)
      const current = await members(grp.id)
      const client = await g()
      const leaving = new Set<string>()
      for (const d of devices) {
        const key = d.trim().toLowerCase()
        for (const m of current.filter(isDevice)) if ([m.displayName, m.deviceId, m.id].some((v) => v?.toLowerCase() === key)) leaving.add(m.id)
      }

      for (const u of users) {
        const key = u.trim().toLowerCase()
        for (const m of current.filter(isUser)) if ([m.userPrincipalName, m.id].some((v) => v?.toLowerCase() === key)) leaving.add(m.id)
      }

      for (const id of leaving) await client.delete(`${V1}/groups/${grp.id}/members/${id}/$ref`, {permission: P.memberWrite})
      return {group: await detail(grp), removed: leaving.size}
    },

    async listGroups(request = {}) {
      const groups = await all<GraphGroup>(`${V1}/groups`, P.groupRead, {$filter: 'securityEnabled eq true', $select: 'id,displayName,description,createdDateTime'})
      const n = await counts(groups)
      return pageOf(groups.map((grp) => info(grp, n.get(grp.id)!)).sort((a, b) => byName(a.name, b.name)), request, 'microsoft-groups')
    },

    async showGroup(name) {
      return detail(await findGroup(name))
    },

    async userGroups(user) {
      const found = await findUser(user)
      if (!found) return {known: false, groups: []}
      const groups = await all<GraphGroup>(`${V1}/users/${found.id}/memberOf/microsoft.graph.group`, P.groupRead, {$select: 'id,displayName'})
      return {known: true, groups: groups.map((x) => x.displayName).sort(byName)}
    },

    async createEdrProfile(given) {
      checkEdrProfileRequest(given) // IN4's request rules, for every caller
      const request = {...given, name: given.name.trim(), description: optionalText(given.description, NAME_RULES.description)}
      const deviceGroups = await resolveGroups(request.deviceGroups)
      const userGroups = await resolveGroups(request.userGroups)
      const policies = await edrPolicies()
      const same = policies.find((p) => p.name === request.name)
      if (same) {
        const [loaded] = await loadProfiles([same])
        // Intune does not say device or user group: compare the assigned set, labelled as asked.
        const asked = new Set([...deviceGroups, ...userGroups].map((x) => x.id))
        const existingIds = new Set(loaded.groups.map((x) => x.group.id))
        const sameSet = asked.size === existingIds.size && [...asked].every((id) => existingIds.has(id))
        const existing = sameSet ? {...loaded.profile, deviceGroups: deviceGroups.map((x) => x.displayName), userGroups: userGroups.map((x) => x.displayName)} : loaded.profile
        createOutcome(
          KINDS.edrProfile,
          loaded.profile.name,
          edrContent(existing),
          edrContent({...request, description: given.description === undefined ? undefined : request.description, deviceGroups: deviceGroups.map((x) => x.displayName), userGroups: userGroups.map((x) => x.displayName)}),
        )
        return {profile: existing, changed: false}
      }

      const client = await g()
      const draft: EdrProfile = {id: '', name: request.name, description: request.description, platform: 'windows10', sampleSharing: request.sampleSharing, expediteTelemetry: request.expediteTelemetry, deviceGroups: [], userGroups: [], createdAt: ''}
      const created = await client.post<GraphPolicy>(`${BETA}/deviceManagement/configurationPolicies`, {...edrGraphBody(draft), templateReference: {templateId: EDR_TEMPLATE_ID}}, {permission: P.configWrite})
      const all = [...deviceGroups, ...userGroups]
      if (all.length > 0) {
        await undoing(
          () => client.delete(`${BETA}/deviceManagement/configurationPolicies('${created.id}')`, {permission: P.configWrite, retry: true}),
          () => client.post(`${BETA}/deviceManagement/configurationPolicies('${created.id}')/assign`, assignBody(all), {permission: P.configWrite}),
        )
      }

      return {
        profile: {...draft, id: created.id, createdAt: created.createdDateTime ?? '', deviceGroups: deviceGroups.map((x) => x.displayName), userGroups: userGroups.map((x) => x.displayName)},
        changed: true,
      }
    },

    async updateEdrProfile(nameOrId, patch) {
      const current = (await findProfile(nameOrId)).profile
      const deviceGroups = patch.deviceGroups ? await resolveGroups(patch.deviceGroups) : null
      const userGroups = patch.userGroups ? await resolveGroups(patch.userGroups) : null
      const next: EdrProfile = {
        ...current,
        description: patch.description === undefined ? current.description : optionalText(patch.description, NAME_RULES.description),
        sampleSharing: patch.sampleSharing ?? current.sampleSharing,
        expediteTelemetry: patch.expediteTelemetry ?? current.expediteTelemetry,
        deviceGroups: deviceGroups ? deviceGroups.map((x) => x.displayName) : current.deviceGroups,
        userGroups: userGroups ? userGroups.map((x) => x.displayName) : current.userGroups,
      }
      checkEdrProfileRequest(next) // every rule of the create (IN4)
      const differences = contentDifferences(edrContent(current), edrContent(next))
      if (differences.length === 0) return {profile: current, changed: false}
      const client = await g()
      const path = `${BETA}/deviceManagement/configurationPolicies('${current.id}')`
      if (differences.some((d) => d.field !== 'device groups' && d.field !== 'user groups')) {
        const body = edrGraphBody(next)
        await client.patch(path, {description: body.description, settings: body.settings}, {permission: P.configWrite})
      }

      if (deviceGroups || userGroups) {
        const targets = [...(deviceGroups ?? (await resolveGroups(current.deviceGroups))), ...(userGroups ?? (await resolveGroups(current.userGroups)))]
        await client.post(`${path}/assign`, assignBody(targets.filter((t, i) => targets.findIndex((x) => x.id === t.id) === i)), {permission: P.configWrite})
      }

      return {profile: next, changed: true}
    },

    async deleteEdrProfile(nameOrId, options = {}) {
      const loaded = await findProfile(nameOrId)
      const [evaluation] = await evaluate([loaded])
      const onboarded = evaluation.devices.filter((d) => d.onboarded).map((d) => d.deviceName)
      const affects = requireDeleteConsent(KINDS.edrProfile, loaded.profile.name, edrAffects(loaded.profile, onboarded), options.force === true, EDR_DELETE_CONSEQUENCE)
      await (await g()).delete(`${BETA}/deviceManagement/configurationPolicies('${loaded.profile.id}')`, {permission: P.configWrite})
      return {profile: loaded.profile, changed: true as const, affects}
    },

    async listEdrProfiles(request = {}) {
      const evaluations = await evaluate(await loadProfiles(await edrPolicies()))
      const profiles = evaluations.map((e) => ({...e.profile, reached: e.devices.length, onboarded: e.devices.filter((d) => d.onboarded).length, conflicts: e.conflicts.length}))
      return pageOf(profiles, request, 'microsoft-edr-profiles')
    },

    async showEdrProfile(nameOrId) {
      const loaded = await findProfile(nameOrId)
      const [evaluation] = await evaluate([loaded])
      // Users of the user groups who have no Intune device yet: the assignment waits for their sign-in (IN4).
      const managed = await managedDevices()
      const signedIn = new Set(managed.map((d) => d.userPrincipalName?.toLowerCase()).filter(Boolean))
      const waiting = [
        ...new Set(
          loaded.groups
            .filter((x) => loaded.profile.userGroups.includes(x.group.displayName))
            .flatMap((x) => x.members.filter(isUser).map(memberName))
            .filter((u) => !signedIn.has(u.toLowerCase())),
        ),
      ].sort(byName)
      return {profile: loaded.profile, devices: evaluation.devices, waitingUsers: waiting, conflicts: evaluation.conflicts}
    },

    async deviceConflicts(device) {
      // `device show` passes the machine's name (often its DNS name); Intune names the host.
      const key = device.trim().toLowerCase()
      const host = key.split('.')[0]
      const managed = await managedDevices()
      const md =
        managed.find((d) => d.id.toLowerCase() === key || d.azureADDeviceId?.toLowerCase() === key) ??
        managed.find((d) => d.deviceName.toLowerCase() === key) ??
        managed.find((d) => d.deviceName.toLowerCase() === host)
      // A machine Intune does not manage has no conflicts Intune could report (IN5).
      if (!md) return []
      const evaluations = await evaluate(await loadProfiles(await edrPolicies()))
      const aad = (md.azureADDeviceId ?? md.id).toLowerCase()
      return evaluations.flatMap((e) => e.conflicts.filter((c) => c.deviceId === aad))
    },

    async createIosAppConfig(request) {
      const name = requireName(request.name, NAME_RULES.appConfig)
      const group = request.assignGroup ? await findGroup(request.assignGroup) : null
      const existing = (await appConfigs()).find((c) => c.config.name === name)
      if (existing) {
        createOutcome(KINDS.appConfig, existing.config.name, appConfigContent(existing.config), appConfigContent({assignGroup: group?.displayName ?? null}))
        return {config: existing.config, created: false, changed: false}
      }

      const client = await g()
      const settings = [{key: IOS_SUPERVISED.key, valueType: 'string' as const, value: IOS_SUPERVISED.value}]
      const created = await client.post<GraphAppConfig>(`${V1}/deviceAppManagement/mobileAppConfigurations`, iosAppConfigGraphBody({name, bundleId: IOS_SUPERVISED.bundleId, settings}), {permission: P.appsWrite})
      await undoing(
        () => client.delete(`${V1}/deviceAppManagement/mobileAppConfigurations/${created.id}`, {permission: P.appsWrite, retry: true}),
        () => client.post(`${V1}/deviceAppManagement/mobileAppConfigurations/${created.id}/assign`, appTarget(group), {permission: P.appsWrite}),
      )
      const config: IosAppConfig = {
        id: created.id,
        name,
        platform: 'ios',
        targetedApp: IOS_SUPERVISED.targetedApp,
        bundleId: IOS_SUPERVISED.bundleId,
        settings,
        assignment: appConfigAssignment(group?.displayName ?? null),
        assignGroup: group?.displayName ?? null,
        createdAt: created.createdDateTime ?? '',
      }
      return {config, created: true, changed: true}
    },

    async listAppConfigs(request = {}) {
      return pageOf((await appConfigs()).map((c) => c.config), request, 'microsoft-app-configs')
    },

    async showAppConfig(nameOrId) {
      return findAppConfig(nameOrId)
    },

    async updateAppConfig(nameOrId, request) {
      const current = await findAppConfig(nameOrId)
      const group = request.assignGroup ? await findGroup(request.assignGroup) : null
      if (contentDifferences(appConfigContent(current), appConfigContent({assignGroup: group?.displayName ?? null})).length === 0) return {config: current, changed: false}
      await (await g()).post(`${V1}/deviceAppManagement/mobileAppConfigurations/${current.id}/assign`, appTarget(group), {permission: P.appsWrite})
      const assignGroup = group?.displayName ?? null
      return {config: {...current, assignGroup, assignment: appConfigAssignment(assignGroup)}, changed: true}
    },

    async deleteAppConfig(nameOrId, options = {}) {
      const config = await findAppConfig(nameOrId)
      const affects = requireDeleteConsent(KINDS.appConfig, config.name, appConfigAffects(config), options.force === true, APP_CONFIG_DELETE_CONSEQUENCE)
      await (await g()).delete(`${V1}/deviceAppManagement/mobileAppConfigurations/${config.id}`, {permission: P.appsWrite})
      return {config, changed: true as const, affects}
    },
  }
  return api
}
