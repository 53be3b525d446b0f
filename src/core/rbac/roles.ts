import {UsageError} from '../errors.js'
import {escapeName} from '../names.js'

/**
 * Roles of API keys on `atpctl serve` (DC6), plus endpoint-protection-manager, the
 * Configuration Manager role that manages policies and collections (seed 001).
 */
export const ROLES = ['owner', 'security-admin', 'security-reader', 'reader', 'endpoint-protection-manager'] as const
export type Role = (typeof ROLES)[number]

/**
 * What an operation does, as far as permissions go. Every backend operation of the server
 * registry names exactly one kind; the matrix below says which roles may perform it.
 */
export const OPERATION_KINDS = [
  'read',
  'alerts.read',
  'alerts.write',
  'integrations.write',
  'endpoints.write',
  'secrets.read',
  'tenant.admin',
  'keys.admin',
] as const
export type OperationKind = (typeof OPERATION_KINDS)[number]

export const OPERATION_KIND_DESCRIPTIONS: Record<OperationKind, string> = {
  read: 'view the tenant, integrations, tokens (never their secrets), devices, policies, collections, the audit log',
  'alerts.read': 'view alerts (Security reader, Reader, Security admin, Owner)',
  'alerts.write': 'resolve alerts, run detection tests',
  'integrations.write': 'turn integrations on and off, mint and revoke tokens, manage conditional access (Security admin or Owner)',
  'endpoints.write': 'import devices, manage collections, policies, packages and compliance',
  'secrets.read': 'read the workspace key and signing identity (package generation)',
  'tenant.admin': 'create the tenant, apply a tenant file',
  'keys.admin': 'create, list and revoke API keys',
}

const ALL: readonly OperationKind[] = OPERATION_KINDS

/** The role matrix (DC6). Owner can do everything; readers only look. */
export const ROLE_PERMISSIONS: Record<Role, readonly OperationKind[]> = {
  owner: ALL,
  'security-admin': ['read', 'alerts.read', 'alerts.write', 'integrations.write', 'endpoints.write', 'secrets.read'],
  'security-reader': ['read', 'alerts.read'],
  reader: ['read', 'alerts.read'],
  'endpoint-protection-manager': ['read', 'endpoints.write', 'secrets.read'],
}

export function canPerform(role: Role, kind: OperationKind): boolean {
  return ROLE_PERMISSIONS[role].includes(kind)
}

/** The roles that may perform a kind of operation, for "ask one of …" messages. */
export function rolesFor(kind: OperationKind): Role[] {
  return ROLES.filter((r) => canPerform(r, kind))
}

export function parseRole(value: string): Role {
  const lower = value.toLowerCase()
  if ((ROLES as readonly string[]).includes(lower)) return lower as Role
  throw new UsageError(`Unknown role '${escapeName(value)}'.`, {suggestions: [`Pass --role with one of: ${ROLES.join(', ')}.`]})
}
