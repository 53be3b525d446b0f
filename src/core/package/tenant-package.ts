/**
 * The one onboarding package Microsoft hands out by API (issue 13; REFERENCE §3.2, §1.1): the
 * onboarding script of a Defender for Cloud subscription (`mdeOnboardings/default`), written
 * exactly as received inside the zip the portal's "Local Script" download has for that OS
 * (Windows and Windows Server share one file, CM8). Every other OS/method pair and every
 * offboarding package exist only in the portal: refused (exit 4) with where to download them.
 */
import {UnsupportedError} from '../errors.js'
import {buildZip} from '../../lib/zip-writer.js'
import type {PackageKind, PackageMethod, PackageOs} from './layout.js'
import {findEnvelope} from './carriers.js'
import {parseBody, parseEnvelope} from './envelope.js'
import {decodeText} from './inspect.js'

const PORTAL = 'Microsoft Defender portal (security.microsoft.com): Settings > Endpoints > Onboarding'

/** Which script of the subscription's package an OS gets. */
export type TenantScript = 'windows' | 'linux'

export interface TenantPackageLayout {
  script: TenantScript
  zipName: string
  /** The file inside the zip, as the portal names it. */
  entryName: string
}

/** The layout of the package for a request, or the refusal of what only the portal has (exit 4). */
export function tenantPackageLayout(kind: PackageKind, os: PackageOs, method: PackageMethod): TenantPackageLayout {
  if (kind === 'offboarding') {
    throw new UnsupportedError('Microsoft hands out offboarding packages only in the portal.', {
      suggestions: [`Download it in the Microsoft Defender portal (security.microsoft.com): Settings > Endpoints > Offboarding, pick ${os} and ${method}, Download package.`],
    })
  }

  if (method === 'local-script' && (os === 'windows' || os === 'windows-server')) {
    return {script: 'windows', zipName: 'WindowsDefenderATPOnboardingPackage.zip', entryName: 'WindowsDefenderATPLocalOnboardingScript.cmd'}
  }

  if (method === 'local-script' && os === 'linux') {
    return {script: 'linux', zipName: 'WindowsDefenderATPOnboardingPackage.zip', entryName: 'MicrosoftDefenderATPOnboardingLinuxServer.py'}
  }

  throw new UnsupportedError(`Microsoft's API hands out only the local-script onboarding package of Windows, Windows Server and Linux, not --os ${os} --method ${method}.`, {
    suggestions: [`Download it in the ${PORTAL}: pick ${os} and ${method}, Download package.`, 'Or use --method local-script with --os windows, windows-server or linux.'],
  })
}

/** The zip bytes: the script exactly as received, under the portal's name. */
export function tenantPackageZip(layout: TenantPackageLayout, script: Buffer): Buffer {
  return buildZip([{name: layout.entryName, data: script}])
}

export interface DownloadedPackageContent {
  fileName: string
  zip: Buffer
  /** The org id in the script's blob, or null when the script carries none atpctl can read. */
  orgId: string | null
}

/** The org id of a script's blob, when it carries one atpctl can read (it is shown, never trusted). */
export function scriptOrgId(entryName: string, script: Buffer): string | null {
  const match = findEnvelope(entryName, decodeText(script))
  if (!match) return null
  try {
    return parseBody(parseEnvelope(match.envelopeText).body).body.orgId.toLowerCase()
  } catch {
    return null
  }
}

/** The portal's zip of a subscription's script, exactly as received (no I/O). */
export function tenantPackageContent(layout: TenantPackageLayout, script: Buffer): DownloadedPackageContent {
  return {fileName: layout.zipName, zip: tenantPackageZip(layout, script), orgId: scriptOrgId(layout.entryName, script)}
}
