import {INTUNE_PLATFORMS, type IntunePlatform} from '../integration/catalogue.js'
import type {IntuneState} from '../integration/types.js'

/** Numeric parts of a dotted version ("10.0.15063" → [10, 0, 15063]); non-digits end a part. */
export function versionParts(version: string): number[] {
  const match = /^\s*v?(\d+(?:\.\d+)*)/i.exec(version)
  if (!match) return []
  return match[1].split('.').map(Number)
}

/** -1, 0 or 1, comparing dotted versions part by part; missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = versionParts(a)
  const pb = versionParts(b)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d < 0 ? -1 : 1
  }

  return 0
}

/** The Intune connector platform a device OS family belongs to, or null (macOS, Linux, servers). */
export function intunePlatformOf(osFamily: string): IntunePlatform | null {
  const family = osFamily.toLowerCase()
  if (family === 'windows' || family === 'windows10' || family === 'windows-client') return 'windows'
  if (family === 'android') return 'android'
  if (family === 'ios' || family === 'ipados') return 'ios'
  return null
}

export const PLATFORM_LABEL: Record<IntunePlatform, string> = {android: 'Android', ios: 'iOS', windows: 'Windows'}

/**
 * IN2: whether the Intune connection connects a device of this platform and version; when it
 * does not, the reason says which switch or minimum to look at.
 */
export function connectionCovers(connection: IntuneState, platform: IntunePlatform, osVersion: string): {connected: true} | {connected: false; reason: string} {
  const label = PLATFORM_LABEL[platform]
  if (!connection.enabled) return {connected: false, reason: 'the Intune connection is off (atpctl integration enable intune)'}
  if (!connection.platforms[platform].enabled) {
    return {connected: false, reason: `the Intune connection's ${label} toggle is off (atpctl integration enable intune --${platform})`}
  }

  const minimum = INTUNE_PLATFORMS[platform].minimumVersion
  if (versionParts(osVersion).length === 0) return {connected: false, reason: `${label} version '${osVersion}' is unknown; the minimum is ${minimum}`}
  if (compareVersions(osVersion, minimum) < 0) return {connected: false, reason: `${label} ${osVersion} is below the minimum ${minimum}`}
  return {connected: true}
}
