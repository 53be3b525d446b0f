/** Services behind the package and workspace commands. */
import type {PackageRecord} from '../port/packages-api.js'
import type {Backend} from '../port/types.js'
import {listPages, type PagedList} from '../port/page.js'
import {requireOwnTenant, requireTenant} from '../tenant/service.js'
import {daysLeft, type InspectOptions, inspectPackage, type PackageInspection} from './inspect.js'
import type {PackageKind} from './layout.js'
import {loadTrustedRoots} from './trust.js'

/**
 * Inspects a package against the profile's tenant (when it has one: inspecting a downloaded
 * package must work before `atpctl init`, it then reports belongsToTenant: null).
 */
export async function inspectForProfile(
  backend: Backend,
  options: {file: string; failIfExpiresWithinMs?: number; now?: Date; trustRootFiles?: string[]},
): Promise<PackageInspection> {
  const trustedRoots = await loadTrustedRoots(options.trustRootFiles ?? [])
  const tenant = await backend.tenant.get()
  const inspectOptions: InspectOptions = {
    tenant: tenant ? {orgId: tenant.orgId, certificateSha256: tenant.certificateSha256} : null,
    now: options.now,
    failIfExpiresWithinMs: options.failIfExpiresWithinMs,
    trustedRoots,
  }
  return inspectPackage(options.file, inspectOptions)
}

export interface PackageListEntry extends PackageRecord {
  /** Offboarding: expired by now. */
  expired: boolean
  daysLeft: number | null
}

export async function listPackages(backend: Backend, options: {profile: string; kind?: PackageKind; now?: Date; limit?: number}): Promise<{packages: PagedList<PackageListEntry>}> {
  await requireTenant(backend, options.profile)
  const now = (options.now ?? new Date()).getTime()
  const entry = (r: PackageRecord): PackageListEntry => {
    const left = r.expiresAt ? new Date(r.expiresAt).getTime() - now : null
    return {...r, expired: left !== null && left <= 0, daysLeft: daysLeft(left)}
  }

  const packages = await listPages(async (page) => {
    const {items, nextCursor} = await backend.packages.list({...(options.kind ? {kind: options.kind} : {}), ...page})
    return {items: items.map(entry), nextCursor}
  }, {limit: options.limit})
  return {packages}
}

export interface WorkspaceInfo {
  orgId: string
  workspaceId: string
  /** Masked unless revealed. */
  workspaceKey: string
  revealed: boolean
}

/** T2: the Workspace ID and key for down-level onboarding; the key masked unless asked. */
export async function showWorkspace(backend: Backend, options: {profile: string; reveal: boolean; mask: (s: string) => string}): Promise<{workspace: WorkspaceInfo}> {
  const tenant = await requireOwnTenant(backend, options.profile, 'tenant')
  const {workspaceKey} = await backend.tenant.secrets()
  return {
    workspace: {
      orgId: tenant.orgId,
      workspaceId: tenant.workspaceId,
      workspaceKey: options.reveal ? workspaceKey : options.mask(workspaceKey),
      revealed: options.reveal,
    },
  }
}
