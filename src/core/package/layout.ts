/**
 * Which files a package holds for each OS × deployment method (REFERENCE §1.1), for onboarding
 * and offboarding. Windows and Windows Server share one onboarding file (CM8); down-level
 * systems get the Workspace ID and key instead of a blob (CM2, T2).
 */
import {UsageError} from '../errors.js'

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
