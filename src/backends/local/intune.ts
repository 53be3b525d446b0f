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
import {DEVICE_SOURCE, INVENTORY_GROUP_SOURCE, OTHER_ONBOARDING_SOURCE} from './intune-sources.js'
import {afterCondition, keysetPage, positionParams} from './keyset.js'
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
export const DEVICE_MEMBERSHIP = `SELECT device_id, group_name FROM (${INVENTORY_GROUP_SOURCE})
  UNION SELECT CAST(member AS INTEGER), group_name FROM intune_group_member WHERE kind = 'device'`

const groupNotFound = (name: string) =>
  new NotFoundError(`Group '${escapeName(name)}' does not exist.`, {suggestions: [`Create it: atpctl group create "${escapeName(name)}"`, 'List groups: atpctl group list']})

/** Finds a device by id or name (case-insensitive); NotFoundError naming `device list` otherwise. */
export function resolveDevice(store: LocalStore, device: string): DeviceRow {
  // By id, or by name case-insensitively for every script (issue 16: name_key).
  const row = store.get(`SELECT * FROM (${DEVICE_SOURCE}) WHERE id = @d OR id IN (SELECT id FROM device WHERE name_key = @k) ORDER BY id = @d DESC LIMIT 1`, {d: device, k: nameKey(device)}) as
    | DeviceRow
    | undefined
  if (!row) throw new NotFoundError(`Device '${escapeName(device)}' is not in the inventory.`, {suggestions: ['List devices: atpctl device list', 'Import an inventory: atpctl device import FILE']})
  return row
}

/** Whether a group exists: created here, or named by the device inventory. Returns its stored spelling. */
export function groupName(store: LocalStore, name: string): string | null {
  const row = store.get(
      `SELECT name FROM intune_group WHERE name_key = @k UNION ALL SELECT group_name FROM (${INVENTORY_GROUP_SOURCE}) WHERE atpctl_name_key(group_name) = @k LIMIT 1`,
    {k: nameKey(name)},
  ) as {name: string} | undefined
  return row?.name ?? null
}

export function requireGroup(store: LocalStore, name: string): string {
  const found = groupName(store, name)
  if (!found) throw groupNotFound(name)
  return found
}

/** Each group once, in its stored spelling (NotFoundError for one that does not exist). */
export const requireGroups = (store: LocalStore, names: readonly string[]): string[] => {
  const out: string[] = []
  for (const g of names.map((n) => requireGroup(store, n))) if (!out.some((o) => nameKey(o) === nameKey(g))) out.push(g)
  return out
}

/** Everything that names a group (by its name key): EDR assignments, compliance and access policies, app configurations. */
function groupReferences(store: LocalStore, name: string): GroupReference[] {
  return store.all(`SELECT CASE a.kind WHEN 'device-group' THEN 'edr-device-group' ELSE 'edr-user-group' END AS kind, p.name
         FROM edr_profile_assignment a JOIN edr_profile p ON p.id = a.profile_id WHERE atpctl_name_key(a.group_name) = @k
       UNION ALL SELECT 'compliance', name FROM compliance_policy WHERE assign_group IS NOT NULL AND atpctl_name_key(assign_group) = @k
       UNION ALL SELECT 'access-include', p.name FROM access_policy p, ${store.dialect.jsonArrayAt('p.definition', '$.includeGroups')} j WHERE p.kind = 'custom' AND atpctl_name_key(j.value) = @k
       UNION ALL SELECT 'access-exclude', p.name FROM access_policy p, ${store.dialect.jsonArrayAt('p.definition', '$.excludeGroups')} j WHERE p.kind = 'custom' AND atpctl_name_key(j.value) = @k
       UNION ALL SELECT 'app-config', name FROM intune_app_config WHERE atpctl_name_key(assignment) = @a
       ORDER BY 1, 2`, {k: nameKey(name), a: nameKey(appConfigAssignment(name))}) as GroupReference[]
}

function groupInfos(store: LocalStore, only?: string, page?: {after: string | null; limit: number}): GroupInfo[] {
  const rows = store.all(`WITH names AS (
         SELECT name FROM intune_group UNION SELECT group_name COLLATE NOCASE FROM (${INVENTORY_GROUP_SOURCE})
       ), devs AS (
         SELECT group_name COLLATE NOCASE AS g, COUNT(DISTINCT device_id) AS n FROM (${DEVICE_MEMBERSHIP}) GROUP BY 1
       ), users AS (
         SELECT group_name AS g, COUNT(*) AS n FROM intune_group_member WHERE kind = 'user' GROUP BY 1
       )
       SELECT names.name, g.description, g.created_at, COALESCE(devs.n, 0) AS devices, COALESCE(users.n, 0) AS users
       FROM names LEFT JOIN intune_group g ON g.name = names.name LEFT JOIN devs ON devs.g = names.name LEFT JOIN users ON users.g = names.name
       WHERE (@only IS NULL OR names.name = @only COLLATE NOCASE) AND (@after IS NULL OR names.name > @after COLLATE NOCASE)
       ORDER BY names.name COLLATE NOCASE LIMIT @limit`, {only: only ?? null, after: page?.after ?? null, limit: page?.limit ?? -1}) as {name: string; description: string | null; created_at: string | null; devices: number; users: number}[]
  return rows.map((r) => ({name: r.name, description: r.description, createdAt: r.created_at, devices: r.devices, users: r.users}))
}

function groupDetail(store: LocalStore, name: string): GroupDetail {
  const [info] = groupInfos(store, groupName(store, name) ?? name)
  if (!info) throw groupNotFound(name)
  const members = store.all(
      `SELECT 'device' AS kind, d.name AS member, 'inventory' AS source FROM (${INVENTORY_GROUP_SOURCE}) i JOIN (${DEVICE_SOURCE}) d ON d.id = i.device_id WHERE i.group_name = @g COLLATE NOCASE
       UNION
       SELECT 'device', COALESCE(d.name, m.member), 'explicit' FROM intune_group_member m LEFT JOIN (${DEVICE_SOURCE}) d ON d.id = CAST(m.member AS INTEGER) WHERE m.kind = 'device' AND m.group_name = @g
       UNION
       SELECT 'user', member, 'explicit' FROM intune_group_member WHERE kind = 'user' AND group_name = @g
       ORDER BY 1, 2`,
    {g: info.name},
  ) as GroupMember[]
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

function toProfiles(store: LocalStore, rows: EdrRow[]): EdrProfile[] {
  const assignments = store.all('SELECT profile_id, kind, group_name FROM edr_profile_assignment ORDER BY rowid') as {
    profile_id: string
    kind: 'device-group' | 'user-group'
    group_name: string
  }[]
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

function findProfile(store: LocalStore, nameOrId: string): EdrProfile {
  const row = store.get('SELECT * FROM edr_profile WHERE id = @p OR name = @p', {p: nameOrId}) as EdrRow | undefined
  if (!row) throw new NotFoundError(`EDR profile '${escapeName(nameOrId)}' does not exist.`, {suggestions: ['List profiles: atpctl edr-profile list']})
  return toProfiles(store, [row])[0]
}

/**
 * The devices any assignment of these profiles could reach, with their groups and the groups
 * of their signed-in user, in three set-based queries.
 */
function reachCandidates(store: LocalStore, profiles: EdrProfile[]): {device: IntuneDeviceFacts; userGroups: string[]}[] {
  if (profiles.length === 0) return []
  const ids = JSON.stringify(profiles.map((p) => p.id))
  const devices = store.all(
      `WITH a AS (SELECT kind, group_name FROM edr_profile_assignment WHERE profile_id IN (${store.dialect.jsonArrayValues('@ids')}))
       SELECT d.* FROM (${DEVICE_SOURCE}) d WHERE d.id IN (
         SELECT m.device_id FROM (${DEVICE_MEMBERSHIP}) m JOIN a ON a.kind = 'device-group' AND a.group_name = m.group_name COLLATE NOCASE
         UNION
         SELECT d2.id FROM (${DEVICE_SOURCE}) d2 JOIN intune_group_member u ON u.kind = 'user' AND u.member = d2.user COLLATE NOCASE
           JOIN a ON a.kind = 'user-group' AND a.group_name = u.group_name COLLATE NOCASE)
       ORDER BY d.name COLLATE NOCASE`,
    {ids},
  ) as DeviceRow[]
  if (devices.length === 0) return []
  const deviceIds = JSON.stringify(devices.map((d) => d.id))
  const memberships = store.all(`SELECT device_id, group_name FROM (${DEVICE_MEMBERSHIP}) WHERE device_id IN (${store.dialect.jsonArrayValues('@deviceIds')})`, {deviceIds}) as {device_id: number; group_name: string}[]
  const users = JSON.stringify([...new Set(devices.map((d) => d.user).filter((u): u is string => u !== null).map((u) => u.toLowerCase()))])
  const userRows = store.all(`SELECT lower(member) AS member, group_name FROM intune_group_member WHERE kind = 'user' AND lower(member) IN (${store.dialect.jsonArrayValues('@users')})`, {users}) as {member: string; group_name: string}[]
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
function otherPoliciesByDevice(store: LocalStore, deviceIds: string[]): Map<string, OtherOnboardingPolicy[]> {
  const rows = store.all(`SELECT device_id, policy_type, policy_name, sample_sharing FROM (${OTHER_ONBOARDING_SOURCE}) WHERE device_id IN (${store.dialect.jsonArrayValues('@ids')})`, {ids: JSON.stringify(deviceIds.map(Number))}) as {device_id: number; policy_type: string; policy_name: string; sample_sharing: 'none' | 'all'}[]
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

function evaluateProfiles(store: LocalStore, profiles: EdrProfile[]): ProfileEvaluation[] {
  const connection = readIntune(store)
  const candidates = reachCandidates(store, profiles)
  const others = otherPoliciesByDevice(store, candidates.map((c) => c.device.id))
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

function findAppConfig(store: LocalStore, nameOrId: string): AppConfigRow {
  const row = store.get('SELECT * FROM intune_app_config WHERE id = @p OR name = @p ORDER BY id = @p DESC LIMIT 1', {p: nameOrId}) as AppConfigRow | undefined
  if (!row) throw new NotFoundError(`App configuration '${escapeName(nameOrId)}' does not exist.`, {suggestions: ['List app configurations: atpctl intune app-config list']})
  return row
}

export function localIntuneApi(store: LocalStore): IntuneApi {
  const db: StoreSql = store
  const writeAssignments = (id: string, deviceGroups: readonly string[], userGroups: readonly string[]) => {
    const assign = 'INSERT INTO edr_profile_assignment (profile_id, kind, group_name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'
    for (const g of deviceGroups) db.run(assign, id, 'device-group', g)
    for (const g of userGroups) db.run(assign, id, 'user-group', g)
  }

  const api: IntuneApi = {
    async createGroup(request) {
      requireTenantRow(store)
      // The CLI's rules, run here for every caller (issue 15 item 3): 'all' and hostile names are refused.
      const name = requireName(request.name, NAME_RULES.group)
      const description = optionalText(request.description, NAME_RULES.description)
      return store.mutate('group.create', name, () => {
        const existing = db.get('SELECT name, description FROM intune_group WHERE name_key = ?', nameKey(name)) as {name: string; description: string | null} | undefined
        if (existing) {
          // The same create again is a no-op; another description is a conflict (SPEC §3).
          createOutcome(KINDS.group, existing.name, groupContent(existing), groupContent({description: request.description === undefined ? undefined : description}))
          return {group: groupInfos(store, existing.name)[0], created: false, changed: false}
        }

        // A group the inventory already names keeps the inventory's spelling, so that its
        // memberships (compared case-insensitively by SQLite, ASCII only) stay one group.
        const spelling = groupName(store, name) ?? name
        db.run('INSERT INTO intune_group (name, name_key, description, created_at) VALUES (?, ?, ?, ?)', spelling, nameKey(spelling), description, store.now().toISOString())
        return {group: groupInfos(store, spelling)[0], created: true, changed: true}
      })
    },

    async updateGroup(group, request) {
      requireTenantRow(store)
      const description = optionalText(request.description, NAME_RULES.description)
      return store.mutate('group.update', group, () => {
        const name = requireGroup(store, group)
        const current = db.get('SELECT description FROM intune_group WHERE name_key = ?', nameKey(name)) as {description: string | null} | undefined
        if (contentDifferences(groupContent({description: current?.description ?? null}), groupContent({description})).length === 0) {
          return {group: groupInfos(store, name)[0], changed: false}
        }

        // A group named only by the inventory becomes a managed one, as with its first explicit member.
        db.run('INSERT INTO intune_group (name, name_key, description, created_at) VALUES (?, ?, NULL, ?) ON CONFLICT DO NOTHING', name, nameKey(name), store.now().toISOString())
        db.run('UPDATE intune_group SET description = ? WHERE name_key = ?', description, nameKey(name))
        return {group: groupInfos(store, name)[0], changed: true}
      })
    },

    async deleteGroup(group, options = {}) {
      requireTenantRow(store)
      return store.mutate('group.delete', group, () => {
        const row = db.get('SELECT name FROM intune_group WHERE name_key = ?', nameKey(group)) as {name: string} | undefined
        const inInventory = Boolean(db.get(`SELECT 1 FROM (${INVENTORY_GROUP_SOURCE}) WHERE atpctl_name_key(group_name) = ? LIMIT 1`, nameKey(group)))
        if (!row && inInventory) {
          throw new RuleError('', `Group '${escapeName(requireGroup(store, group))}' exists only because the device inventory names it; atpctl cannot delete it.`, {
            suggestions: ["Remove the group from the devices' groups column and import the inventory again: atpctl device import FILE"],
          })
        }

        if (!row) throw groupNotFound(group)
        const info = groupInfos(store, row.name)[0]
        const affects = requireDeleteConsent(KINDS.group, row.name, groupAffects(groupReferences(store, row.name)), options.force === true, GROUP_DELETE_CONSEQUENCE)
        // Explicit members go with it (ON DELETE CASCADE); inventory memberships stay with the devices.
        db.run('DELETE FROM intune_group WHERE name_key = ?', nameKey(row.name))
        return {group: info, changed: true as const, affects, stillInInventory: inInventory}
      })
    },

    async addGroupMembers({group, devices, users}) {
      requireTenantRow(store)
      return store.mutate('group.add', group, () => {
        const name = requireGroup(store, group)
        // A group named only by the inventory becomes a managed one on first explicit member.
        db.run('INSERT INTO intune_group (name, name_key, description, created_at) VALUES (?, ?, NULL, ?) ON CONFLICT DO NOTHING', name, nameKey(name), store.now().toISOString())
        const insert = 'INSERT INTO intune_group_member (group_name, kind, member, added_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'
        const now = store.now().toISOString()
        let added = 0
        for (const device of devices) added += db.run(insert, name, 'device', String(resolveDevice(store, device).id), now).changes
        for (const user of users) {
          if (user.trim() === '') throw new UsageError('An empty --user was given.', {suggestions: ['Pass a user principal name, e.g. --user alice@contoso.com.']})
          added += db.run(insert, name, 'user', requireName(user, NAME_RULES.user), now).changes
        }

        return {group: groupDetail(store, name), added}
      })
    },

    async removeGroupMembers({group, devices, users}) {
      requireTenantRow(store)
      return store.mutate('group.remove', group, () => {
        const name = requireGroup(store, group)
        const remove = 'DELETE FROM intune_group_member WHERE group_name = ? AND kind = ? AND member = ?'
        let removed = 0
        for (const device of devices) removed += db.run(remove, name, 'device', String(resolveDevice(store, device).id)).changes
        for (const user of users) removed += db.run(remove, name, 'user', user.trim()).changes
        return {group: groupDetail(store, name), removed}
      })
    },

    async listGroups(request) {
      requireTenantRow(store)
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
      requireTenantRow(store)
      return groupDetail(store, name)
    },

    async userGroups(user) {
      requireTenantRow(store)
      const groups = db.all("SELECT group_name FROM intune_group_member WHERE kind = 'user' AND member = ? ORDER BY group_name", user) as {group_name: string}[]
      const signedIn = db.get(`SELECT 1 FROM (${DEVICE_SOURCE}) WHERE user = ? COLLATE NOCASE LIMIT 1`, user)
      return {known: groups.length > 0 || Boolean(signedIn), groups: groups.map((g) => g.group_name)}
    },

    async createEdrProfile(given) {
      requireTenantRow(store)
      checkEdrProfileRequest(given) // the CLI's rule, for every caller (issue 15 item 3)
      const request = {...given, name: given.name.trim(), description: optionalText(given.description, NAME_RULES.description)}
      return store.mutate('edr-profile.create', request.name, () => {
        const deviceGroups = requireGroups(store, request.deviceGroups)
        const userGroups = requireGroups(store, request.userGroups)
        const existing = db.get('SELECT * FROM edr_profile WHERE name = ?', request.name) as EdrRow | undefined
        if (existing) {
          // The same create again is a no-op; other settings under the name are a conflict (SPEC §3).
          const profile = toProfiles(store, [existing])[0]
          createOutcome(
            KINDS.edrProfile,
            profile.name,
            edrContent(profile),
            edrContent({...request, description: given.description === undefined ? undefined : request.description, deviceGroups, userGroups}),
          )
          return {profile, changed: false}
        }

        const id = randomUUID()
        db.run('INSERT INTO edr_profile (id, name, description, sample_sharing, expedite_telemetry, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          id,
          request.name,
          request.description,
          request.sampleSharing,
          request.expediteTelemetry ? 1 : 0,
          store.now().toISOString(),
        )
        writeAssignments(id, deviceGroups, userGroups)
        return {profile: findProfile(store, id), changed: true}
      })
    },

    async updateEdrProfile(nameOrId, patch) {
      requireTenantRow(store)
      return store.mutate('edr-profile.update', nameOrId, () => {
        const current = findProfile(store, nameOrId)
        // Every rule of the create, on the profile as it would be (IN4); lists given replace the old ones.
        const next = {
          name: current.name,
          description: patch.description === undefined ? current.description : optionalText(patch.description, NAME_RULES.description),
          sampleSharing: patch.sampleSharing ?? current.sampleSharing,
          expediteTelemetry: patch.expediteTelemetry ?? current.expediteTelemetry,
          deviceGroups: patch.deviceGroups ? requireGroups(store, patch.deviceGroups) : current.deviceGroups,
          userGroups: patch.userGroups ? requireGroups(store, patch.userGroups) : current.userGroups,
        }
        checkEdrProfileRequest(next)
        if (contentDifferences(edrContent(current), edrContent(next)).length === 0) return {profile: current, changed: false}
        db.run('UPDATE edr_profile SET description = ?, sample_sharing = ?, expedite_telemetry = ? WHERE id = ?', next.description,
          next.sampleSharing,
          next.expediteTelemetry ? 1 : 0,
          current.id,)
        db.run('DELETE FROM edr_profile_assignment WHERE profile_id = ?', current.id)
        writeAssignments(current.id, next.deviceGroups, next.userGroups)
        return {profile: findProfile(store, current.id), changed: true}
      })
    },

    async deleteEdrProfile(nameOrId, options = {}) {
      requireTenantRow(store)
      return store.mutate('edr-profile.delete', nameOrId, () => {
        const profile = findProfile(store, nameOrId)
        const [evaluation] = evaluateProfiles(store, [profile])
        const onboarded = evaluation.devices.filter((d) => d.onboarded).map((d) => d.deviceName)
        const affects = requireDeleteConsent(KINDS.edrProfile, profile.name, edrAffects(profile, onboarded), options.force === true, EDR_DELETE_CONSEQUENCE)
        db.run('DELETE FROM edr_profile WHERE id = ?', profile.id) // assignments cascade
        return {profile, changed: true as const, affects}
      })
    },

    async listEdrProfiles(request) {
      requireTenantRow(store)
      // A page of profiles by keyset, then the reach of those profiles only.
      const page = keysetPage({
        list: 'edr-profiles',
        shape: ['string', 'string', 'string'],
        request,
        rows: (after, limit) =>
          db.all(`SELECT * FROM edr_profile WHERE ${afterCondition(['created_at', 'name', 'id'], after)} ORDER BY created_at, name, id LIMIT @limit`, {...positionParams(after), limit}) as EdrRow[],
        positionOf: (r) => [r.created_at, r.name, r.id],
        toItem: (r) => r,
      })
      const items = evaluateProfiles(store, toProfiles(store, page.items)).map((e) => ({
        ...e.profile,
        reached: e.devices.length,
        onboarded: e.devices.filter((d) => d.onboarded).length,
        conflicts: e.conflicts.length,
      }))
      return {items, nextCursor: page.nextCursor}
    },

    async showEdrProfile(nameOrId) {
      requireTenantRow(store)
      const profile = findProfile(store, nameOrId)
      const [evaluation] = evaluateProfiles(store, [profile])
      const waiting = profile.userGroups.length === 0
        ? []
        : (db.all(
              `SELECT DISTINCT member FROM intune_group_member WHERE kind = 'user' AND group_name IN (${store.dialect.jsonArrayValues('@groups')}) COLLATE NOCASE
                 AND lower(member) NOT IN (SELECT lower(user) FROM (${DEVICE_SOURCE}) WHERE user IS NOT NULL) ORDER BY member`,
          {groups: JSON.stringify(profile.userGroups)},
        ) as {member: string}[]).map((r) => r.member)
      return {profile, devices: evaluation.devices, waitingUsers: waiting, conflicts: evaluation.conflicts}
    },

    async deviceConflicts(device) {
      requireTenantRow(store)
      const row = resolveDevice(store, device)
      const profiles = toProfiles(store, db.all('SELECT * FROM edr_profile ORDER BY created_at, name') as EdrRow[])
      return evaluateProfiles(store, profiles).flatMap((e) => e.conflicts.filter((c) => c.deviceId === String(row.id)))
    },

    async createIosAppConfig(request) {
      requireTenantRow(store)
      const name = requireName(request.name, NAME_RULES.appConfig) // issue 15 item 3
      const {assignGroup} = request
      return store.mutate('intune.app-config', name, () => {
        const group = assignGroup ? requireGroup(store, assignGroup) : null
        const existing = db.get('SELECT * FROM intune_app_config WHERE name = ?', name) as AppConfigRow | undefined
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
        db.run(
          `INSERT INTO intune_app_config (id, name, platform, targeted_app, bundle_id, settings, assignment, created_at)
           VALUES (@id, @name, 'ios', @targeted_app, @bundle_id, @settings, @assignment, @created_at)`,
          row,
        )
        return {config: toAppConfig(row), created: true, changed: true}
      })
    },

    async listAppConfigs(request) {
      requireTenantRow(store)
      return keysetPage({
        list: 'app-configs',
        shape: ['string', 'string', 'string'],
        request,
        rows: (after, limit) =>
          db.all(`SELECT * FROM intune_app_config WHERE ${afterCondition(['created_at', 'name', 'id'], after)} ORDER BY created_at, name, id LIMIT @limit`, {...positionParams(after), limit}) as AppConfigRow[],
        positionOf: (r) => [r.created_at, r.name, r.id],
        toItem: toAppConfig,
      })
    },

    async showAppConfig(nameOrId) {
      requireTenantRow(store)
      return toAppConfig(findAppConfig(store, nameOrId))
    },

    async updateAppConfig(nameOrId, request) {
      requireTenantRow(store)
      return store.mutate('intune.app-config.update', nameOrId, () => {
        const current = toAppConfig(findAppConfig(store, nameOrId))
        const group = request.assignGroup ? requireGroup(store, request.assignGroup) : null
        if (contentDifferences(appConfigContent(current), appConfigContent({assignGroup: group})).length === 0) return {config: current, changed: false}
        db.run('UPDATE intune_app_config SET assignment = ? WHERE id = ?', appConfigAssignment(group), current.id)
        return {config: toAppConfig(findAppConfig(store, current.id)), changed: true}
      })
    },

    async deleteAppConfig(nameOrId, options = {}) {
      requireTenantRow(store)
      return store.mutate('intune.app-config.delete', nameOrId, () => {
        const config = toAppConfig(findAppConfig(store, nameOrId))
        const affects = requireDeleteConsent(KINDS.appConfig, config.name, appConfigAffects(config), options.force === true, APP_CONFIG_DELETE_CONSEQUENCE)
        db.run('DELETE FROM intune_app_config WHERE id = ?', config.id)
        return {config, changed: true as const, affects}
      })
    },
  }
  return api
}
