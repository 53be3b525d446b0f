import {randomUUID} from 'node:crypto'
import {NotFoundError, RuleError, UsageError} from '../../core/errors.js'
import {appConfigAssignment, assignedGroupOf, IOS_SUPERVISED} from '../../core/intune/app-config.js'
import {checkEdrProfileRequest, edrOnboarding, edrReach, findConflicts, type OtherOnboardingPolicy} from '../../core/intune/edr.js'
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
import type {
  DeviceRisk,
  EdrDeviceState,
  EdrProfile,
  GroupDetail,
  GroupInfo,
  GroupMember,
  IntuneDeviceFacts,
  IosAppConfig,
  SettingConflict,
} from '../../core/intune/types.js'
import type {IntuneApi} from '../../core/port/intune-api.js'
import {readIntune} from './integrations.js'
import {DEVICE_SOURCE, inventoryGroupSource, OTHER_ONBOARDING_SOURCE} from './intune-sources.js'
import {afterCondition, keysetPage, positionParams} from './keyset.js'
import type {SqlDialect} from './sqlite-dialect.js'
import type {LocalStore, StoreSql} from './store.js'
import {requireTenantRow} from './tenant.js'
import {escapeName, NAME_RULES, nameKey, optionalText, requireName} from '../../core/names.js'

/** A device row of DEVICE_SOURCE; ids are the inventory's integer keys, strings in results. */
export interface DeviceRow {
  id: number
  name: string
  user: string | null
  os_family: string
  os_version: string
  intune: number
}

/** Device memberships of every group: the inventory's column plus explicit `group add --device`. */
export const deviceMembership = (dialect: SqlDialect): string => `SELECT device_id, group_name FROM (${inventoryGroupSource(dialect)})
  UNION SELECT CAST(member AS INTEGER), group_name FROM intune_group_member WHERE kind = 'device'`

const groupNotFound = (name: string) =>
  new NotFoundError(`Group '${escapeName(name)}' does not exist.`, {suggestions: [`Create it: atpctl group create "${escapeName(name)}"`, 'List groups: atpctl group list']})

/** Finds a device by id or name (case-insensitive); NotFoundError naming `device list` otherwise. */
export async function resolveDevice(store: StoreSql, device: string): Promise<DeviceRow> {
  // By id, or by name case-insensitively for every script (issue 16: name_key).
  const row = await store.get<DeviceRow>(`SELECT * FROM (${DEVICE_SOURCE}) WHERE id = @d OR id IN (SELECT id FROM device WHERE name_key = @k) ORDER BY id = @d DESC LIMIT 1`, {d: device, k: nameKey(device)})
  if (!row) throw new NotFoundError(`Device '${escapeName(device)}' is not in the inventory.`, {suggestions: ['List devices: atpctl device list', 'Import an inventory: atpctl device import FILE']})
  return row
}

/** Whether a group exists: created here, or named by the device inventory. Returns its stored spelling. */
export async function groupName(store: StoreSql, name: string): Promise<string | null> {
  const row = await store.get<{name: string}>(
      `SELECT name FROM intune_group WHERE name_key = @k UNION ALL SELECT group_name FROM (${inventoryGroupSource(store.dialect)}) WHERE atpctl_name_key(group_name) = @k LIMIT 1`,
    {k: nameKey(name)},
  )
  return row?.name ?? null
}

export async function requireGroup(store: StoreSql, name: string): Promise<string> {
  const found = await groupName(store, name)
  if (!found) throw groupNotFound(name)
  return found
}

/** Each group once, in its stored spelling (NotFoundError for one that does not exist). */
export const requireGroups = async (store: StoreSql, names: readonly string[]): Promise<string[]> => {
  const out: string[] = []
  for (const n of names) {
    const g = await requireGroup(store, n)
    if (!out.some((o) => nameKey(o) === nameKey(g))) out.push(g)
  }

  return out
}

/** Everything that names a group (by its name key): EDR assignments, compliance and access policies, app configurations. */
function groupReferences(store: LocalStore, name: string): Promise<GroupReference[]> {
  return store.all<GroupReference>(`SELECT CASE a.kind WHEN 'device-group' THEN 'edr-device-group' ELSE 'edr-user-group' END AS kind, p.name
         FROM edr_profile_assignment a JOIN edr_profile p ON p.id = a.profile_id WHERE atpctl_name_key(a.group_name) = @k
       UNION ALL SELECT 'compliance', name FROM compliance_policy WHERE assign_group IS NOT NULL AND atpctl_name_key(assign_group) = @k
       UNION ALL SELECT 'access-include', p.name FROM access_policy p, ${store.dialect.jsonArrayAt('p.definition', '$.includeGroups')} j WHERE p.kind = 'custom' AND atpctl_name_key(j.value) = @k
       UNION ALL SELECT 'access-exclude', p.name FROM access_policy p, ${store.dialect.jsonArrayAt('p.definition', '$.excludeGroups')} j WHERE p.kind = 'custom' AND atpctl_name_key(j.value) = @k
       UNION ALL SELECT 'app-config', name FROM intune_app_config WHERE atpctl_name_key(assignment) = @a
       ORDER BY 1, 2`, {k: nameKey(name), a: nameKey(appConfigAssignment(name))})
}

async function groupInfos(store: StoreSql, only?: string, page?: {after: string | null; limit: number}): Promise<GroupInfo[]> {
  const rows = await store.all<{name: string; description: string | null; created_at: string | null; devices: number; users: number}>(`WITH names AS (
         SELECT name FROM intune_group UNION SELECT ${store.dialect.caseless('group_name')} FROM (${inventoryGroupSource(store.dialect)})
       ), devs AS (
         SELECT ${store.dialect.caseless('group_name')} AS g, COUNT(DISTINCT device_id) AS n FROM (${deviceMembership(store.dialect)}) GROUP BY 1
       ), users AS (
         SELECT group_name AS g, COUNT(*) AS n FROM intune_group_member WHERE kind = 'user' GROUP BY 1
       )
       SELECT names.name, g.description, g.created_at, COALESCE(devs.n, 0) AS devices, COALESCE(users.n, 0) AS users
       FROM names LEFT JOIN intune_group g ON g.name = names.name LEFT JOIN devs ON devs.g = names.name LEFT JOIN users ON users.g = names.name
       WHERE (@only IS NULL OR names.name = ${store.dialect.caseless('@only')}) AND (@after IS NULL OR names.name > ${store.dialect.caseless('@after')})
       ORDER BY ${store.dialect.caseless('names.name')} LIMIT @limit`, {only: only ?? null, after: page?.after ?? null, limit: page?.limit ?? -1})
  return rows.map((r) => ({name: r.name, description: r.description, createdAt: r.created_at, devices: r.devices, users: r.users}))
}

async function groupDetail(store: StoreSql, name: string): Promise<GroupDetail> {
  const [info] = await groupInfos(store, (await groupName(store, name)) ?? name)
  if (!info) throw groupNotFound(name)
  const members = await store.all<GroupMember>(
      `SELECT 'device' AS kind, d.name AS member, 'inventory' AS source FROM (${inventoryGroupSource(store.dialect)}) i JOIN (${DEVICE_SOURCE}) d ON d.id = i.device_id WHERE i.group_name = ${store.dialect.caseless('@g')}
       UNION
       SELECT 'device', COALESCE(d.name, m.member), 'explicit' FROM intune_group_member m LEFT JOIN (${DEVICE_SOURCE}) d ON d.id = CAST(m.member AS INTEGER) WHERE m.kind = 'device' AND m.group_name = @g
       UNION
       SELECT 'user', member, 'explicit' FROM intune_group_member WHERE kind = 'user' AND group_name = @g
       ORDER BY 1, 2`,
    {g: info.name},
  )
  return {...info, members}
}

interface EdrRow {
  id: string
  name: string
  description: string | null
  sample_sharing: 'none' | 'all'
  expedite_telemetry: number
  created_at: string
}

async function toProfiles(store: StoreSql, rows: EdrRow[]): Promise<EdrProfile[]> {
  const assignments = await store.all<{profile_id: string; kind: 'device-group' | 'user-group'; group_name: string}>(
    `SELECT profile_id, kind, group_name FROM edr_profile_assignment ORDER BY ${store.dialect.insertionOrder}`,
  )
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    platform: 'windows10',
    sampleSharing: r.sample_sharing,
    expediteTelemetry: r.expedite_telemetry === 1,
    deviceGroups: assignments.filter((a) => a.profile_id === r.id && a.kind === 'device-group').map((a) => a.group_name),
    userGroups: assignments.filter((a) => a.profile_id === r.id && a.kind === 'user-group').map((a) => a.group_name),
    createdAt: r.created_at,
  }))
}

async function findProfile(store: StoreSql, nameOrId: string): Promise<EdrProfile> {
  const row = await store.get<EdrRow>('SELECT * FROM edr_profile WHERE id = @p OR name = @p', {p: nameOrId})
  if (!row) throw new NotFoundError(`EDR profile '${escapeName(nameOrId)}' does not exist.`, {suggestions: ['List profiles: atpctl edr-profile list']})
  return (await toProfiles(store, [row]))[0]
}

/**
 * The devices any assignment of these profiles could reach, with their groups and the groups
 * of their signed-in user, in three set-based queries.
 */
async function reachCandidates(store: LocalStore, profiles: EdrProfile[]): Promise<{device: IntuneDeviceFacts; userGroups: string[]}[]> {
  if (profiles.length === 0) return []
  const ids = JSON.stringify(profiles.map((p) => p.id))
  const devices = await store.all<DeviceRow>(
      `WITH a AS (SELECT kind, group_name FROM edr_profile_assignment WHERE profile_id IN (${store.dialect.jsonArrayValues('@ids')}))
       SELECT d.* FROM (${DEVICE_SOURCE}) d WHERE d.id IN (
         SELECT m.device_id FROM (${deviceMembership(store.dialect)}) m JOIN a ON a.kind = 'device-group' AND a.group_name = ${store.dialect.caseless('m.group_name')}
         UNION
         SELECT d2.id FROM (${DEVICE_SOURCE}) d2 JOIN intune_group_member u ON u.kind = 'user' AND u.member = ${store.dialect.caseless('d2.user')}
           JOIN a ON a.kind = 'user-group' AND a.group_name = ${store.dialect.caseless('u.group_name')})
       ORDER BY ${store.dialect.caseless('d.name')}`,
    {ids},
  )
  if (devices.length === 0) return []
  const deviceIds = JSON.stringify(devices.map((d) => d.id))
  const memberships = await store.all<{device_id: number; group_name: string}>(`SELECT device_id, group_name FROM (${deviceMembership(store.dialect)}) WHERE device_id IN (${store.dialect.jsonArrayValues('@deviceIds')})`, {deviceIds})
  const users = JSON.stringify([...new Set(devices.map((d) => d.user).filter((u): u is string => u !== null).map((u) => u.toLowerCase()))])
  const userRows = await store.all<{member: string; group_name: string}>(`SELECT lower(member) AS member, group_name FROM intune_group_member WHERE kind = 'user' AND lower(member) IN (${store.dialect.jsonArrayValues('@users')})`, {users})
  const groupsOf = new Map<number, string[]>()
  for (const m of memberships) groupsOf.set(m.device_id, [...(groupsOf.get(m.device_id) ?? []), m.group_name])
  const userGroupsOf = new Map<string, string[]>()
  for (const u of userRows) userGroupsOf.set(u.member, [...(userGroupsOf.get(u.member) ?? []), u.group_name])
  return devices.map((d) => ({
    device: {
      id: String(d.id),
      name: d.name,
      user: d.user,
      groups: groupsOf.get(d.id) ?? [],
      osFamily: d.os_family,
      osVersion: d.os_version,
      managedByIntune: d.intune === 1,
      risk: 'None' as DeviceRisk,
    },
    userGroups: d.user ? (userGroupsOf.get(d.user.toLowerCase()) ?? []) : [],
  }))
}

/** Other onboarding policies (ConfigMgr) per device id, for IN5. */
async function otherPoliciesByDevice(store: LocalStore, deviceIds: string[]): Promise<Map<string, OtherOnboardingPolicy[]>> {
  const rows = await store.all<{device_id: number; policy_type: string; policy_name: string; sample_sharing: 'none' | 'all'}>(
    `SELECT device_id, policy_type, policy_name, sample_sharing FROM (${OTHER_ONBOARDING_SOURCE}) WHERE device_id IN (${store.dialect.jsonArrayValues('@ids')})`,
    {ids: JSON.stringify(deviceIds.map(Number))},
  )
  const map = new Map<string, OtherOnboardingPolicy[]>()
  for (const r of rows) {
    const list = map.get(String(r.device_id)) ?? []
    list.push({type: r.policy_type, name: r.policy_name, sampleSharing: r.sample_sharing})
    map.set(String(r.device_id), list)
  }

  return map
}

interface ProfileEvaluation {
  profile: EdrProfile
  devices: EdrDeviceState[]
  conflicts: SettingConflict[]
}

async function evaluateProfiles(store: LocalStore, profiles: EdrProfile[]): Promise<ProfileEvaluation[]> {
  const connection = await readIntune(store)
  const candidates = await reachCandidates(store, profiles)
  const others = await otherPoliciesByDevice(store, candidates.map((c) => c.device.id))
  return profiles.map((profile) => {
    const devices: EdrDeviceState[] = []
    const conflicts: SettingConflict[] = []
    for (const {device, userGroups} of candidates) {
      const via = edrReach(profile, device, userGroups)
      if (via === null) continue
      devices.push(edrOnboarding(device, via, connection))
      conflicts.push(...findConflicts(device, [profile], others.get(device.id) ?? []))
    }

    return {profile, devices, conflicts}
  })
}

interface AppConfigRow {
  id: string
  name: string
  targeted_app: string
  bundle_id: string
  settings: string
  assignment: string
  created_at: string
}

const toAppConfig = (r: AppConfigRow): IosAppConfig => ({
  id: r.id,
  name: r.name,
  platform: 'ios',
  targetedApp: r.targeted_app,
  bundleId: r.bundle_id,
  settings: JSON.parse(r.settings),
  assignment: r.assignment,
  assignGroup: assignedGroupOf(r.assignment),
  createdAt: r.created_at,
})

async function findAppConfig(store: StoreSql, nameOrId: string): Promise<AppConfigRow> {
  const row = await store.get<AppConfigRow>('SELECT * FROM intune_app_config WHERE id = @p OR name = @p ORDER BY id = @p DESC LIMIT 1', {p: nameOrId})
  if (!row) throw new NotFoundError(`App configuration '${escapeName(nameOrId)}' does not exist.`, {suggestions: ['List app configurations: atpctl intune app-config list']})
  return row
}

export function localIntuneApi(store: LocalStore): IntuneApi {
  const db: StoreSql = store
  const writeAssignments = (tx: StoreSql, id: string, deviceGroups: readonly string[], userGroups: readonly string[]) => {
    const assign = 'INSERT INTO edr_profile_assignment (profile_id, kind, group_name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'
    for (const g of deviceGroups) tx.run(assign, id, 'device-group', g)
    for (const g of userGroups) tx.run(assign, id, 'user-group', g)
  }

  const api: IntuneApi = {
    async createGroup(request) {
      await requireTenantRow(store)
      // The CLI's rules, run here for every caller (issue 15 item 3): 'all' and hostile names are refused.
      const name = requireName(request.name, NAME_RULES.group)
      const description = optionalText(request.description, NAME_RULES.description)
      return store.mutate('group.create', name, async (tx) => {
        const existing = await tx.get<{name: string; description: string | null}>('SELECT name, description FROM intune_group WHERE name_key = ?', nameKey(name))
        if (existing) {
          // The same create again is a no-op; another description is a conflict (SPEC §3).
          createOutcome(KINDS.group, existing.name, groupContent(existing), groupContent({description: request.description === undefined ? undefined : description}))
          return {group: (await groupInfos(tx, existing.name))[0], created: false, changed: false}
        }

        // A group the inventory already names keeps the inventory's spelling, so that its
        // memberships (compared case-insensitively by SQLite, ASCII only) stay one group.
        const spelling = (await groupName(tx, name)) ?? name
        tx.run('INSERT INTO intune_group (name, name_key, description, created_at) VALUES (?, ?, ?, ?)', spelling, nameKey(spelling), description, store.now().toISOString())
        return {group: (await groupInfos(tx, spelling))[0], created: true, changed: true}
      })
    },

    async updateGroup(group, request) {
      await requireTenantRow(store)
      const description = optionalText(request.description, NAME_RULES.description)
      return store.mutate('group.update', group, async (tx) => {
        const name = await requireGroup(tx, group)
        const current = await tx.get<{description: string | null}>('SELECT description FROM intune_group WHERE name_key = ?', nameKey(name))
        if (contentDifferences(groupContent({description: current?.description ?? null}), groupContent({description})).length === 0) {
          return {group: (await groupInfos(tx, name))[0], changed: false}
        }

        // A group named only by the inventory becomes a managed one, as with its first explicit member.
        tx.run('INSERT INTO intune_group (name, name_key, description, created_at) VALUES (?, ?, NULL, ?) ON CONFLICT DO NOTHING', name, nameKey(name), store.now().toISOString())
        tx.run('UPDATE intune_group SET description = ? WHERE name_key = ?', description, nameKey(name))
        return {group: (await groupInfos(tx, name))[0], changed: true}
      })
    },

    async deleteGroup(group, options = {}) {
      await requireTenantRow(store)
      return store.mutate('group.delete', group, async (tx) => {
        const row = await tx.get<{name: string}>('SELECT name FROM intune_group WHERE name_key = ?', nameKey(group))
        const inInventory = Boolean(await tx.get(`SELECT 1 FROM (${inventoryGroupSource(tx.dialect)}) WHERE atpctl_name_key(group_name) = ? LIMIT 1`, nameKey(group)))
        if (!row && inInventory) {
          throw new RuleError('', `Group '${escapeName(await requireGroup(tx, group))}' exists only because the device inventory names it; atpctl cannot delete it.`, {
            suggestions: ["Remove the group from the devices' groups column and import the inventory again: atpctl device import FILE"],
          })
        }

        if (!row) throw groupNotFound(group)
        const info = (await groupInfos(tx, row.name))[0]
        const affects = requireDeleteConsent(KINDS.group, row.name, groupAffects(await groupReferences(tx, row.name)), options.force === true, GROUP_DELETE_CONSEQUENCE)
        // Explicit members go with it (ON DELETE CASCADE); inventory memberships stay with the devices.
        tx.run('DELETE FROM intune_group WHERE name_key = ?', nameKey(row.name))
        return {group: info, changed: true as const, affects, stillInInventory: inInventory}
      })
    },

    async addGroupMembers({group, devices, users}) {
      await requireTenantRow(store)
      return store.mutate('group.add', group, async (tx) => {
        const name = await requireGroup(tx, group)
        // A group named only by the inventory becomes a managed one on first explicit member.
        tx.run('INSERT INTO intune_group (name, name_key, description, created_at) VALUES (?, ?, NULL, ?) ON CONFLICT DO NOTHING', name, nameKey(name), store.now().toISOString())
        const insert = 'INSERT INTO intune_group_member (group_name, kind, member, added_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'
        const now = store.now().toISOString()
        let added = 0
        for (const device of devices) added += tx.run(insert, name, 'device', String((await resolveDevice(tx, device)).id), now).changes
        for (const user of users) {
          if (user.trim() === '') throw new UsageError('An empty --user was given.', {suggestions: ['Pass a user principal name, e.g. --user alice@contoso.com.']})
          added += tx.run(insert, name, 'user', requireName(user, NAME_RULES.user), now).changes
        }

        return {group: await groupDetail(tx, name), added}
      })
    },

    async removeGroupMembers({group, devices, users}) {
      await requireTenantRow(store)
      return store.mutate('group.remove', group, async (tx) => {
        const name = await requireGroup(tx, group)
        const remove = 'DELETE FROM intune_group_member WHERE group_name = ? AND kind = ? AND member = ?'
        let removed = 0
        for (const device of devices) removed += tx.run(remove, name, 'device', String((await resolveDevice(tx, device)).id)).changes
        for (const user of users) removed += tx.run(remove, name, 'user', user.trim()).changes
        return {group: await groupDetail(tx, name), removed}
      })
    },

    async listGroups(request) {
      await requireTenantRow(store)
      // Group names are unique case-insensitively (created or named by the inventory): the name is the position.
      return keysetPage({
        list: 'groups',
        shape: ['string'],
        request,
        rows: (after, limit) => groupInfos(store, undefined, {after: after ? String(after[0]) : null, limit}),
        positionOf: (g) => [g.name],
        toItem: (g) => g,
      })
    },

    async showGroup(name) {
      await requireTenantRow(store)
      return await groupDetail(store, name)
    },

    async userGroups(user) {
      await requireTenantRow(store)
      const groups = await db.all<{group_name: string}>("SELECT group_name FROM intune_group_member WHERE kind = 'user' AND member = ? ORDER BY group_name", user)
      const signedIn = await db.get(`SELECT 1 FROM (${DEVICE_SOURCE}) WHERE user = ${db.dialect.caseless('?')} LIMIT 1`, user)
      return {known: groups.length > 0 || Boolean(signedIn), groups: groups.map((g) => g.group_name)}
    },

    async createEdrProfile(given) {
      await requireTenantRow(store)
      checkEdrProfileRequest(given) // the CLI's rule, for every caller (issue 15 item 3)
      const request = {...given, name: given.name.trim(), description: optionalText(given.description, NAME_RULES.description)}
      return store.mutate('edr-profile.create', request.name, async (tx) => {
        const deviceGroups = await requireGroups(tx, request.deviceGroups)
        const userGroups = await requireGroups(tx, request.userGroups)
        const existing = await tx.get<EdrRow>('SELECT * FROM edr_profile WHERE name = ?', request.name)
        if (existing) {
          // The same create again is a no-op; other settings under the name are a conflict (SPEC §3).
          const profile = (await toProfiles(tx, [existing]))[0]
          createOutcome(
            KINDS.edrProfile,
            profile.name,
            edrContent(profile),
            edrContent({...request, description: given.description === undefined ? undefined : request.description, deviceGroups, userGroups}),
          )
          return {profile, changed: false}
        }

        const id = randomUUID()
        tx.run('INSERT INTO edr_profile (id, name, description, sample_sharing, expedite_telemetry, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          id,
          request.name,
          request.description,
          request.sampleSharing,
          request.expediteTelemetry ? 1 : 0,
          store.now().toISOString(),
        )
        writeAssignments(tx, id, deviceGroups, userGroups)
        return {profile: await findProfile(tx, id), changed: true}
      })
    },

    async updateEdrProfile(nameOrId, patch) {
      await requireTenantRow(store)
      return store.mutate('edr-profile.update', nameOrId, async (tx) => {
        const current = await findProfile(tx, nameOrId)
        // Every rule of the create, on the profile as it would be (IN4); lists given replace the old ones.
        const next = {
          name: current.name,
          description: patch.description === undefined ? current.description : optionalText(patch.description, NAME_RULES.description),
          sampleSharing: patch.sampleSharing ?? current.sampleSharing,
          expediteTelemetry: patch.expediteTelemetry ?? current.expediteTelemetry,
          deviceGroups: patch.deviceGroups ? await requireGroups(tx, patch.deviceGroups) : current.deviceGroups,
          userGroups: patch.userGroups ? await requireGroups(tx, patch.userGroups) : current.userGroups,
        }
        checkEdrProfileRequest(next)
        if (contentDifferences(edrContent(current), edrContent(next)).length === 0) return {profile: current, changed: false}
        tx.run('UPDATE edr_profile SET description = ?, sample_sharing = ?, expedite_telemetry = ? WHERE id = ?', next.description,
          next.sampleSharing,
          next.expediteTelemetry ? 1 : 0,
          current.id,)
        tx.run('DELETE FROM edr_profile_assignment WHERE profile_id = ?', current.id)
        writeAssignments(tx, current.id, next.deviceGroups, next.userGroups)
        return {profile: await findProfile(tx, current.id), changed: true}
      })
    },

    async deleteEdrProfile(nameOrId, options = {}) {
      await requireTenantRow(store)
      return store.mutate('edr-profile.delete', nameOrId, async (tx) => {
        const profile = await findProfile(tx, nameOrId)
        const [evaluation] = await evaluateProfiles(tx, [profile])
        const onboarded = evaluation.devices.filter((d) => d.onboarded).map((d) => d.deviceName)
        const affects = requireDeleteConsent(KINDS.edrProfile, profile.name, edrAffects(profile, onboarded), options.force === true, EDR_DELETE_CONSEQUENCE)
        tx.run('DELETE FROM edr_profile WHERE id = ?', profile.id) // assignments cascade
        return {profile, changed: true as const, affects}
      })
    },

    async listEdrProfiles(request) {
      await requireTenantRow(store)
      // A page of profiles by keyset, then the reach of those profiles only.
      const page = await keysetPage({
        list: 'edr-profiles',
        shape: ['string', 'string', 'string'],
        request,
        rows: (after, limit) =>
          db.all<EdrRow>(`SELECT * FROM edr_profile WHERE ${afterCondition(['created_at', 'name', 'id'], after)} ORDER BY created_at, name, id LIMIT @limit`, {...positionParams(after), limit}),
        positionOf: (r) => [r.created_at, r.name, r.id],
        toItem: (r) => r,
      })
      const items = (await evaluateProfiles(store, await toProfiles(store, page.items))).map((e) => ({
        ...e.profile,
        reached: e.devices.length,
        onboarded: e.devices.filter((d) => d.onboarded).length,
        conflicts: e.conflicts.length,
      }))
      return {items, nextCursor: page.nextCursor}
    },

    async showEdrProfile(nameOrId) {
      await requireTenantRow(store)
      const profile = await findProfile(store, nameOrId)
      const [evaluation] = await evaluateProfiles(store, [profile])
      const waiting = profile.userGroups.length === 0
        ? []
        : (await db.all<{member: string}>(
              `SELECT DISTINCT member FROM intune_group_member WHERE kind = 'user' AND group_name IN (${store.dialect.jsonArrayValues('@groups')})
                 AND lower(member) NOT IN (SELECT lower(user) FROM (${DEVICE_SOURCE}) WHERE user IS NOT NULL) ORDER BY member`,
          {groups: JSON.stringify(profile.userGroups)},
        )).map((r) => r.member)
      return {profile, devices: evaluation.devices, waitingUsers: waiting, conflicts: evaluation.conflicts}
    },

    async deviceConflicts(device) {
      await requireTenantRow(store)
      const row = await resolveDevice(store, device)
      const profiles = await toProfiles(store, await db.all<EdrRow>('SELECT * FROM edr_profile ORDER BY created_at, name'))
      return (await evaluateProfiles(store, profiles)).flatMap((e) => e.conflicts.filter((c) => c.deviceId === String(row.id)))
    },

    async createIosAppConfig(request) {
      await requireTenantRow(store)
      const name = requireName(request.name, NAME_RULES.appConfig) // issue 15 item 3
      const {assignGroup} = request
      return store.mutate('intune.app-config', name, async (tx) => {
        const group = assignGroup ? await requireGroup(tx, assignGroup) : null
        const existing = await tx.get<AppConfigRow>('SELECT * FROM intune_app_config WHERE name = ?', name)
        if (existing) {
          // The same create again is a no-op; another target under the name is a conflict (SPEC §3).
          const config = toAppConfig(existing)
          createOutcome(KINDS.appConfig, config.name, appConfigContent(config), appConfigContent({assignGroup: group}))
          return {config, created: false, changed: false}
        }

        const row: AppConfigRow = {
          id: randomUUID(),
          name,
          targeted_app: IOS_SUPERVISED.targetedApp,
          bundle_id: IOS_SUPERVISED.bundleId,
          settings: JSON.stringify([{key: IOS_SUPERVISED.key, valueType: 'string', value: IOS_SUPERVISED.value}]),
          assignment: appConfigAssignment(group),
          created_at: store.now().toISOString(),
        }
        tx.run(
          `INSERT INTO intune_app_config (id, name, platform, targeted_app, bundle_id, settings, assignment, created_at)
           VALUES (@id, @name, 'ios', @targeted_app, @bundle_id, @settings, @assignment, @created_at)`,
          row,
        )
        return {config: toAppConfig(row), created: true, changed: true}
      })
    },

    async listAppConfigs(request) {
      await requireTenantRow(store)
      return keysetPage({
        list: 'app-configs',
        shape: ['string', 'string', 'string'],
        request,
        rows: (after, limit) =>
          db.all<AppConfigRow>(`SELECT * FROM intune_app_config WHERE ${afterCondition(['created_at', 'name', 'id'], after)} ORDER BY created_at, name, id LIMIT @limit`, {...positionParams(after), limit}),
        positionOf: (r) => [r.created_at, r.name, r.id],
        toItem: toAppConfig,
      })
    },

    async showAppConfig(nameOrId) {
      await requireTenantRow(store)
      return toAppConfig(await findAppConfig(store, nameOrId))
    },

    async updateAppConfig(nameOrId, request) {
      await requireTenantRow(store)
      return store.mutate('intune.app-config.update', nameOrId, async (tx) => {
        const current = toAppConfig(await findAppConfig(tx, nameOrId))
        const group = request.assignGroup ? await requireGroup(tx, request.assignGroup) : null
        if (contentDifferences(appConfigContent(current), appConfigContent({assignGroup: group})).length === 0) return {config: current, changed: false}
        tx.run('UPDATE intune_app_config SET assignment = ? WHERE id = ?', appConfigAssignment(group), current.id)
        return {config: toAppConfig(await findAppConfig(tx, current.id)), changed: true}
      })
    },

    async deleteAppConfig(nameOrId, options = {}) {
      await requireTenantRow(store)
      return store.mutate('intune.app-config.delete', nameOrId, async (tx) => {
        const config = toAppConfig(await findAppConfig(tx, nameOrId))
        const affects = requireDeleteConsent(KINDS.appConfig, config.name, appConfigAffects(config), options.force === true, APP_CONFIG_DELETE_CONSEQUENCE)
        tx.run('DELETE FROM intune_app_config WHERE id = ?', config.id)
        return {config, changed: true as const, affects}
      })
    },
  }
  return api
}
