/**
 * Which files a package holds for each OS × deployment method (REFERENCE §1.1), for onboarding
 * and offboarding. Windows and Windows Server share one onboarding file (CM8); down-level
 * systems get the Workspace ID and key instead of a blob (CM2, T2).
 */
import {UsageError} from '../errors.js'
import {escapeName, NAME_RULES, requireName} from '../names.js'

export const PACKAGE_KINDS = ['onboarding', 'offboarding'] as const
export type PackageKind = (typeof PACKAGE_KINDS)[number]
export const PACKAGE_OSES = ['windows', 'windows-server', 'down-level', 'linux', 'macos'] as const
export type PackageOs = (typeof PACKAGE_OSES)[number]
export const PACKAGE_METHODS = ['local-script', 'group-policy', 'configmgr', 'intune', 'vdi', 'mdm'] as const
export type PackageMethod = (typeof PACKAGE_METHODS)[number]

/** Valid methods per OS and kind. */
const MATRIX: Record<PackageKind, Record<PackageOs, PackageMethod[]>> = {
  onboarding: {
    windows: ['local-script', 'group-policy', 'configmgr', 'intune', 'mdm', 'vdi'],
    'windows-server': ['local-script', 'group-policy', 'configmgr', 'intune', 'mdm', 'vdi'],
    'down-level': ['local-script', 'group-policy', 'configmgr'],
    linux: ['local-script'],
    macos: ['local-script', 'intune', 'mdm'],
  },
  offboarding: {
    windows: ['local-script', 'group-policy', 'configmgr', 'intune', 'mdm', 'vdi'],
    'windows-server': ['local-script', 'group-policy', 'configmgr', 'intune', 'mdm', 'vdi'],
    'down-level': [],
    linux: ['local-script'],
    macos: ['intune', 'mdm'],
  },
}

export function validMethods(kind: PackageKind, os: PackageOs): PackageMethod[] {
  return MATRIX[kind][os]
}

/** A generated package's record as a backend stores it (issue 15 item 3: checked for every caller). */
export interface PackageRecordInput {
  kind: string
  os: string
  method: string
  fileName: string
  path: string
  sha256: string
  bytes: number
  createdAt: string
  expiresAt?: string | null
}

/** Refuses a package record whose values the CLI could never have produced (exit 2). */
export function checkPackageRecord(input: PackageRecordInput): void {
  const oneOf = (what: string, value: string, list: readonly string[]) => {
    if (!list.includes(value)) throw new UsageError(`Unknown package ${what} '${escapeName(value)}'.`, {suggestions: [`Use one of: ${list.join(', ')}.`]})
  }

  oneOf('kind', input.kind, PACKAGE_KINDS)
  oneOf('OS', input.os, PACKAGE_OSES)
  oneOf('method', input.method, PACKAGE_METHODS)
  checkPair(input.kind as PackageKind, input.os as PackageOs, input.method as PackageMethod)
  requireName(input.fileName, NAME_RULES.fileName)
  requireName(input.path, {label: 'package path', max: 4096})
  if (!/^[0-9a-f]{64}$/.test(input.sha256)) throw new UsageError('The package SHA-256 is not 64 lower-case hex digits.')
  if (!Number.isSafeInteger(input.bytes) || input.bytes < 0) throw new UsageError(`The package size ${input.bytes} is not a byte count.`)
  for (const [what, date] of [['creation', input.createdAt], ['expiry', input.expiresAt]] as const) {
    if (date !== null && date !== undefined && Number.isNaN(Date.parse(date))) throw new UsageError(`The package ${what} date '${escapeName(date)}' is not a date.`)
  }
}

/** Refuses an invalid OS × method pair with the list of valid ones (exit 2). */
export function checkPair(kind: PackageKind, os: PackageOs, method: PackageMethod): void {
  const valid = validMethods(kind, os)
  if (valid.includes(method)) return
  if (valid.length === 0) {
    throw new UsageError(`There is no ${kind} package for --os ${os}.`, {
      suggestions: ['Down-level machines are offboarded by removing the workspace from the Microsoft Monitoring Agent; offboard up-level ones with --os windows.'],
    })
  }

  throw new UsageError(`--method ${method} is not an ${kind} method for --os ${os}.`, {
    suggestions: [`Valid methods for --os ${os}: ${valid.join(', ')}.`],
  })
}

/** `_valid_until_YYYY-MM-DD` suffix of offboarding names (REFERENCE §1.1). */
export const validUntil = (expiresAt: Date) => `_valid_until_${expiresAt.toISOString().slice(0, 10)}`

/** The default zip file name of a package. */
export function zipName(kind: PackageKind, os: PackageOs, expiresAt: Date | null): string {
  if (os === 'down-level') return 'WindowsDefenderATPDownLevelWorkspace.json'
  return kind === 'onboarding' ? 'WindowsDefenderATPOnboardingPackage.zip' : `WindowsDefenderATPOffboardingPackage${validUntil(expiresAt!)}.zip`
}
