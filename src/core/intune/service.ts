import type {Backend} from '../port/types.js'
import {listPages, type PagedList} from '../port/page.js'
import {UsageError} from '../errors.js'
import {requireTenant} from '../tenant/service.js'
import {IOS_SUPERVISED} from './app-config.js'
import {checkEdrProfileRequest} from './edr.js'
import type {EdrProfile, EdrProfileCreateRequest, EdrProfileDetail, EdrProfileUpdateRequest, GroupDetail, GroupInfo, IosAppConfig} from './types.js'
import type {Deleted} from '../port/intune-api.js'
import {NAME_RULES, requireName} from '../names.js'

export async function createGroup(backend: Backend, options: {name: string; description?: string; profile: string}): Promise<{group: GroupInfo; created: boolean; changed: boolean}> {
  const name = requireName(options.name, NAME_RULES.group) // the backend runs the same rule (issue 15 item 3)

  await requireTenant(backend, options.profile)
  return backend.intune.createGroup({name, description: options.description})
}

export async function updateGroup(backend: Backend, options: {name: string; description: string | null; profile: string}): Promise<{group: GroupInfo; changed: boolean}> {
  await requireTenant(backend, options.profile)
  return backend.intune.updateGroup(options.name, {description: options.description})
}

/** Deletes a group; `force` is the caller's consent when it is in use (the backend refuses otherwise). */
export async function deleteGroup(
  backend: Backend,
  options: {name: string; force: boolean; profile: string},
): Promise<Deleted<'group', GroupInfo> & {stillInInventory: boolean}> {
  await requireTenant(backend, options.profile)
  return backend.intune.deleteGroup(options.name, {force: options.force})
}

export async function addGroupMembers(backend: Backend, options: {group: string; devices: string[]; users: string[]; profile: string}): Promise<{group: GroupDetail; added: number}> {
  if (options.devices.length + options.users.length === 0) {
    throw new UsageError('Nothing to add.', {suggestions: ['Pass --device NAME and/or --user UPN (each may be repeated).']})
  }

  await requireTenant(backend, options.profile)
  return backend.intune.addGroupMembers({group: options.group, devices: options.devices, users: options.users})
}

export async function removeGroupMembers(backend: Backend, options: {group: string; devices: string[]; users: string[]; profile: string}): Promise<{group: GroupDetail; removed: number}> {
  if (options.devices.length + options.users.length === 0) {
    throw new UsageError('Nothing to remove.', {suggestions: ['Pass --device NAME and/or --user UPN (each may be repeated).']})
  }

  await requireTenant(backend, options.profile)
  return backend.intune.removeGroupMembers({group: options.group, devices: options.devices, users: options.users})
}

export async function listGroups(backend: Backend, options: {profile: string; limit?: number}): Promise<{groups: PagedList<GroupInfo>}> {
  await requireTenant(backend, options.profile)
  return {groups: await listPages((page) => backend.intune.listGroups(page), {limit: options.limit})}
}

export async function showGroup(backend: Backend, options: {name: string; profile: string}): Promise<{group: GroupDetail}> {
  await requireTenant(backend, options.profile)
  return {group: await backend.intune.showGroup(options.name)}
}

export async function createEdrProfile(backend: Backend, options: EdrProfileCreateRequest & {profile: string}): Promise<EdrProfileDetail & {changed: boolean}> {
  const {profile, ...request} = options
  const clean = {...request, name: request.name.trim()}
  checkEdrProfileRequest(clean)
  await requireTenant(backend, profile)
  const created = await backend.intune.createEdrProfile(clean)
  return {...(await backend.intune.showEdrProfile(created.profile.id)), changed: created.changed}
}

export async function updateEdrProfile(backend: Backend, options: EdrProfileUpdateRequest & {name: string; profile: string}): Promise<EdrProfileDetail & {changed: boolean}> {
  const {profile, name, ...patch} = options
  await requireTenant(backend, profile)
  const updated = await backend.intune.updateEdrProfile(name, patch)
  return {...(await backend.intune.showEdrProfile(updated.profile.id)), changed: updated.changed}
}

export async function deleteEdrProfile(backend: Backend, options: {name: string; force: boolean; profile: string}): Promise<Deleted<'profile', EdrProfile>> {
  await requireTenant(backend, options.profile)
  return backend.intune.deleteEdrProfile(options.name, {force: options.force})
}

export async function listEdrProfiles(
  backend: Backend,
  options: {profile: string; limit?: number},
): Promise<{profiles: PagedList<EdrProfile & {reached: number; onboarded: number; conflicts: number}>}> {
  await requireTenant(backend, options.profile)
  return {profiles: await listPages((page) => backend.intune.listEdrProfiles(page), {limit: options.limit})}
}

export async function showEdrProfile(backend: Backend, options: {name: string; profile: string}): Promise<EdrProfileDetail> {
  await requireTenant(backend, options.profile)
  return backend.intune.showEdrProfile(options.name)
}

/** IN6: the supervised-mode app configuration, targeted at all devices unless told otherwise. */
export async function createIosSupervisedConfig(
  backend: Backend,
  options: {name?: string; assignGroup?: string; profile: string},
): Promise<{config: IosAppConfig; created: boolean; changed: boolean}> {
  await requireTenant(backend, options.profile)
  return backend.intune.createIosAppConfig({
    name: options.name?.trim() || IOS_SUPERVISED.defaultName,
    assignGroup: options.assignGroup ?? null,
  })
}

export async function listAppConfigs(backend: Backend, options: {profile: string; limit?: number}): Promise<{configs: PagedList<IosAppConfig>}> {
  await requireTenant(backend, options.profile)
  return {configs: await listPages((page) => backend.intune.listAppConfigs(page), {limit: options.limit})}
}

export async function showAppConfig(backend: Backend, options: {name: string; profile: string}): Promise<{config: IosAppConfig}> {
  await requireTenant(backend, options.profile)
  return {config: await backend.intune.showAppConfig(options.name)}
}

/** Retargets an app configuration: a group, or all devices (assignGroup null). */
export async function updateAppConfig(backend: Backend, options: {name: string; assignGroup: string | null; profile: string}): Promise<{config: IosAppConfig; changed: boolean}> {
  await requireTenant(backend, options.profile)
  return backend.intune.updateAppConfig(options.name, {assignGroup: options.assignGroup})
}

export async function deleteAppConfig(backend: Backend, options: {name: string; force: boolean; profile: string}): Promise<Deleted<'config', IosAppConfig>> {
  await requireTenant(backend, options.profile)
  return backend.intune.deleteAppConfig(options.name, {force: options.force})
}
