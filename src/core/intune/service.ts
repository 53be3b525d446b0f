import type {Backend} from '../port/types.js'
import {listPages, type PagedList} from '../port/page.js'
import {UsageError} from '../errors.js'
import {requireTenant} from '../tenant/service.js'
import {IOS_SUPERVISED} from './app-config.js'
import {checkEdrProfileRequest} from './edr.js'
import type {EdrProfile, EdrProfileCreateRequest, EdrProfileDetail, GroupDetail, GroupInfo, IosAppConfig} from './types.js'
import {NAME_RULES, requireName} from '../names.js'

export async function createGroup(backend: Backend, options: {name: string; description?: string; profile: string}): Promise<{group: GroupInfo; created: boolean}> {
  const name = requireName(options.name, NAME_RULES.group) // the backend runs the same rule (issue 15 item 3)

  await requireTenant(backend, options.profile)
  return backend.intune.createGroup({name, description: options.description})
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

export async function createEdrProfile(backend: Backend, options: EdrProfileCreateRequest & {profile: string}): Promise<EdrProfileDetail> {
  const {profile, ...request} = options
  const clean = {...request, name: request.name.trim()}
  checkEdrProfileRequest(clean)
  await requireTenant(backend, profile)
  const created = await backend.intune.createEdrProfile(clean)
  return backend.intune.showEdrProfile(created.id)
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
export async function createIosSupervisedConfig(backend: Backend, options: {name?: string; assignGroup?: string; profile: string}): Promise<{config: IosAppConfig; created: boolean}> {
  await requireTenant(backend, options.profile)
  return backend.intune.createIosAppConfig({
    name: options.name?.trim() || IOS_SUPERVISED.defaultName,
    assignGroup: options.assignGroup ?? null,
  })
}
