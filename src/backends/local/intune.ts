import {randomUUID} from 'node:crypto'
import {NotFoundError, UsageError} from '../../core/errors.js'
import {IOS_SUPERVISED} from '../../core/intune/app-config.js'
import {checkEdrProfileRequest, edrOnboarding, edrReach, findConflicts, type OtherOnboardingPolicy} from '../../core/intune/edr.js'
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

function groupInfos(store: LocalStore, only?: string): GroupInfo[] {
  const rows = store.all(
      `WITH names AS (
         SELECT name FROM intune_group UNION SELECT group_name COLLATE NOCASE FROM (${INVENTORY_GROUP_SOURCE})
       ), devs AS (
         SELECT group_name COLLATE NOCASE AS g, COUNT(DISTINCT device_id) AS n FROM (${DEVICE_MEMBERSHIP}) GROUP BY 1
       ), users AS (
         SELECT group_name AS g, COUNT(*) AS n FROM intune_group_member WHERE kind = 'user' GROUP BY 1
       )
       SELECT names.name, g.description, g.created_at, COALESCE(devs.n, 0) AS devices, COALESCE(users.n, 0) AS users
       FROM names LEFT JOIN intune_group g ON g.name = names.name LEFT JOIN devs ON devs.g = names.name LEFT JOIN users ON users.g = names.name
       WHERE @only IS NULL OR names.name = @only COLLATE NOCASE
       ORDER BY names.name COLLATE NOCASE`,
    {only: only ?? null},
  ) as {name: string; description: string | null; created_at: string | null; devices: number; users: number}[]
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
  createdAt: r.created_at,
})

export function localIntuneApi(store: LocalStore): IntuneApi {
  const db: StoreSql = store
  const api: IntuneApi = {
    async createGroup(request) {
      requireTenantRow(store)
      // The CLI's rules, run here for every caller (issue 15 item 3): 'all' and hostile names are refused.
      const name = requireName(request.name, NAME_RULES.group)
      const description = optionalText(request.description, NAME_RULES.description)
      return store.mutate('group.create', name, () => {
        const existing = db.get('SELECT name FROM intune_group WHERE name_key = ?', nameKey(name)) as {name: string} | undefined
        // A group the inventory already names keeps the inventory's spelling, so that its
        // memberships (compared case-insensitively by SQLite, ASCII only) stay one group.
        const spelling = existing?.name ?? groupName(store, name) ?? name
        if (!existing) db.run('INSERT INTO intune_group (name, name_key, description, created_at) VALUES (?, ?, ?, ?)', spelling, nameKey(spelling), description, store.now().toISOString())
        return {group: groupInfos(store, spelling)[0], created: !existing}
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

    async listGroups() {
      requireTenantRow(store)
      return groupInfos(store)
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
        if (db.get('SELECT 1 FROM edr_profile WHERE name = ?', request.name)) {
          throw new UsageError(`An EDR profile named '${request.name}' already exists.`, {suggestions: [`See it: atpctl edr-profile show "${request.name}"`, 'Or choose another --name.']})
        }

        const deviceGroups = request.deviceGroups.map((g) => requireGroup(store, g))
        const userGroups = request.userGroups.map((g) => requireGroup(store, g))
        const id = randomUUID()
        db.run('INSERT INTO edr_profile (id, name, description, sample_sharing, expedite_telemetry, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          id,
          request.name,
          request.description ?? null,
          request.sampleSharing,
          request.expediteTelemetry ? 1 : 0,
          store.now().toISOString(),
        )
        const assign = 'INSERT INTO edr_profile_assignment (profile_id, kind, group_name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'
        for (const g of deviceGroups) db.run(assign, id, 'device-group', g)
        for (const g of userGroups) db.run(assign, id, 'user-group', g)
        return findProfile(store, id)
      })
    },

    async listEdrProfiles() {
      requireTenantRow(store)
      const profiles = toProfiles(store, db.all('SELECT * FROM edr_profile ORDER BY created_at, name') as EdrRow[])
      return evaluateProfiles(store, profiles).map((e) => ({
        ...e.profile,
        reached: e.devices.length,
        onboarded: e.devices.filter((d) => d.onboarded).length,
        conflicts: e.conflicts.length,
      }))
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
        const existing = db.get('SELECT * FROM intune_app_config WHERE name = ?', name) as AppConfigRow | undefined
        if (existing) return {config: toAppConfig(existing), created: false}
        const assignment = assignGroup ? `group '${requireGroup(store, assignGroup)}'` : IOS_SUPERVISED.defaultAssignment
        const row: AppConfigRow = {
          id: randomUUID(),
          name,
          targeted_app: IOS_SUPERVISED.targetedApp,
          bundle_id: IOS_SUPERVISED.bundleId,
          settings: JSON.stringify([{key: IOS_SUPERVISED.key, valueType: 'string', value: IOS_SUPERVISED.value}]),
          assignment,
          created_at: store.now().toISOString(),
        }
        db.run(
          `INSERT INTO intune_app_config (id, name, platform, targeted_app, bundle_id, settings, assignment, created_at)
           VALUES (@id, @name, 'ios', @targeted_app, @bundle_id, @settings, @assignment, @created_at)`,
          row,
        )
        return {config: toAppConfig(row), created: true}
      })
    },

    async listAppConfigs() {
      requireTenantRow(store)
      return (db.all('SELECT * FROM intune_app_config ORDER BY created_at, name') as AppConfigRow[]).map(toAppConfig)
    },
  }
  return api
}
