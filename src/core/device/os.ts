/**
 * Operating-system classification (CM1, CM2; DC5 facts). Pure: inventory text in, family,
 * build, release and ConfigMgr level out. Every rule about "which Windows is which" lives here,
 * so the table tests in test/core/device/os.test.ts cover them all.
 */

/** `other`: a platform a real tenant reports that no rule here places (never from an inventory). */
export const OS_FAMILIES = ['windows', 'windows-server', 'linux', 'macos', 'ios', 'android', 'other'] as const
export type OsFamily = (typeof OS_FAMILIES)[number]

/** ConfigMgr onboarding level (CM2). */
export const OS_LEVELS = ['up-level', 'down-level', 'unsupported'] as const
export type OsLevel = (typeof OS_LEVELS)[number]

export interface OsClassification {
  family: OsFamily
  /** Normalised product name, e.g. "Windows 10 1803", "Windows Server 2016 1709", "Ubuntu 22.04". */
  name: string
  /** Windows build number (17134), null when unknown or not Windows. */
  build: number | null
  /** Windows release ("1803", "21H2") or the version of other systems ("22.04"), null when unknown. */
  release: string | null
  level: OsLevel
  /**
   * Oldest Configuration Manager version able to onboard it (CM1): 0 = any (Windows 10 1607+,
   * Windows 11), 2002 = version 2002 and later, null = never.
   */
  minConfigMgr: number | null
  /** Windows 10/11 Enterprise multi-session or a Windows Virtual Desktop image (DC5). */
  multiSession: boolean
  /** Why the level is what it is, in one sentence. */
  note: string
}

/** Windows 10 releases and their builds (client; Server SAC releases share the numbers). */
export const WINDOWS_10_RELEASES: readonly [release: string, build: number][] = [
  ['1507', 10240],
  ['1511', 10586],
  ['1607', 14393],
  ['1703', 15063],
  ['1709', 16299],
  ['1803', 17134],
  ['1809', 17763],
  ['1903', 18362],
  ['1909', 18363],
  ['2004', 19041],
  ['20H2', 19042],
  ['21H1', 19043],
  ['21H2', 19044],
  ['22H2', 19045],
]

/** Windows 11 releases (build 22000 and later). */
export const WINDOWS_11_RELEASES: readonly [release: string, build: number][] = [
  ['21H2', 22000],
  ['22H2', 22621],
  ['23H2', 22631],
  ['24H2', 26100],
  ['25H2', 26200],
]

/** Windows Server releases by build. */
export const WINDOWS_SERVER_BUILDS: readonly [name: string, build: number][] = [
  ['Windows Server 2008 R2', 7601],
  ['Windows Server 2012', 9200],
  ['Windows Server 2012 R2', 9600],
  ['Windows Server 2016', 14393],
  ['Windows Server 2016 1709', 16299],
  ['Windows Server 2016 1803', 17134],
  ['Windows Server 2019', 17763],
  ['Windows Server 1903', 18362],
  ['Windows Server 1909', 18363],
  ['Windows Server 2004', 19041],
  ['Windows Server 20H2', 19042],
  ['Windows Server 2022', 20348],
  ['Windows Server 2025', 26100],
]

export const WINDOWS_11_FIRST_BUILD = 22000
const UP_LEVEL_CLIENT_BUILD = 14393 // Windows 10 1607
const UP_LEVEL_SERVER_BUILD = 17134 // Windows Server 2016 1803
const CONFIGMGR_DOWN_LEVEL = 2002

/** Release ("1803", "20h2") → Windows 10 build, or undefined. */
export function windows10Build(release: string): number | undefined {
  const r = release.toUpperCase()
  return WINDOWS_10_RELEASES.find(([name]) => name === r)?.[1]
}

/** Build → Windows 10 (or 11, from 22000) release name, or undefined. */
export function windowsRelease(build: number): string | undefined {
  const table = build >= WINDOWS_11_FIRST_BUILD ? WINDOWS_11_RELEASES : WINDOWS_10_RELEASES
  return table.find(([, b]) => b === build)?.[0]
}

/** Why a text could not be classified; the importer turns it into a line-numbered error. */
export class OsClassificationError extends Error {}

interface ParsedVersion {
  build?: number
  release?: string
  /** Windows NT major.minor ("6.3", "10.0"), when given. */
  nt?: string
  raw?: string
}

/** "10.0.17134", "10.0.17134.1", "17134", "1803", "21H2", "6.3.9600" → build/release. */
function parseWindowsVersion(text: string | undefined): ParsedVersion {
  if (!text) return {}
  const t = text.trim()
  if (t === '') return {}
  let m = /^(\d+)\.(\d+)\.(\d+)(?:\.\d+)?$/.exec(t)
  if (m) return {nt: `${m[1]}.${m[2]}`, build: Number(m[3]), raw: t}
  m = /^(\d+)\.(\d+)$/.exec(t)
  if (m) return {nt: `${m[1]}.${m[2]}`, raw: t}
  if (/^\d{2}H\d$/i.test(t)) return {release: t.toUpperCase(), raw: t}
  if (/^\d{4}$/.test(t)) return {release: t, raw: t}
  if (/^\d{5}$/.test(t)) return {build: Number(t), raw: t}
  throw new OsClassificationError(`version '${text}' is neither a Windows build (10.0.17134) nor a release (1803)`)
}

/** Finds a release ("version 1803", "21H2", "(1709)") or a build inside the OS text itself. */
function versionInOsText(os: string): ParsedVersion {
  const build = /\b10\.0\.(\d{5})\b/.exec(os) ?? /\bbuild\s+(\d{5})\b/i.exec(os)
  if (build) return {build: Number(build[1])}
  const h = /\b(\d{2}H\d)\b/i.exec(os)
  if (h) return {release: h[1].toUpperCase()}
  for (const m of os.matchAll(/\b(\d{4})\b/g)) {
    if (WINDOWS_10_RELEASES.some(([r]) => r === m[1])) return {release: m[1]}
  }

  return {}
}

function mergeVersions(fromColumn: ParsedVersion, fromText: ParsedVersion): ParsedVersion {
  return {
    build: fromColumn.build ?? fromText.build,
    release: fromColumn.release ?? fromText.release,
    nt: fromColumn.nt,
    raw: fromColumn.raw,
  }
}

const LINUX = /\b(linux|ubuntu|debian|red ?hat|rhel|centos|fedora|suse|sles|opensuse|amazon linux|oracle linux|alma ?linux|rocky|mariner)\b/i

/**
 * Classifies one inventory row. `os` is free text as inventories write it; `version` is the
 * optional version column (a build like 10.0.17134 or a release like 1803 for Windows).
 * Throws OsClassificationError for text that names no operating system we know.
 */
export function classifyOs(os: string, version?: string): OsClassification {
  const text = os.trim().replace(/\s+/g, ' ')
  if (text === '') throw new OsClassificationError('the os column is empty')
  const lower = text.toLowerCase()
  const ver = version?.trim() || undefined

  if (/\b(ios|ipados|iphone|ipad)\b/i.test(text)) return other('ios', 'iOS', text, ver)
  if (/\bandroid\b/i.test(text)) return other('android', 'Android', text, ver)
  if (/\b(mac ?os|os ?x)\b/i.test(text)) return other('macos', 'macOS', text, ver)
  if (LINUX.test(text)) return other('linux', linuxName(text), text, ver)
  if (lower.includes('windows') || /\bwin(nt|dows)?\s?\d/i.test(text)) return classifyWindows(text, ver)
  throw new OsClassificationError(`operating system '${os}' is not recognised`)
}

function other(family: OsFamily, label: string, text: string, version: string | undefined): OsClassification {
  const inText = /(\d+(?:\.\d+)*)/.exec(text.replace(/\b(x86_64|x64|arm64|amd64|i[3-6]86)\b/gi, ''))?.[1]
  const release = version ?? inText ?? null
  const name = family === 'linux' ? `${label}${release ? ' ' + release : ''}` : `${label}${release ? ' ' + release : ''}`
  return {
    family,
    name,
    build: null,
    release,
    level: 'unsupported',
    minConfigMgr: null,
    multiSession: false,
    note: `${label} is not onboarded by Configuration Manager; it uses Defender for Cloud${family === 'linux' ? '' : ', Intune'} or a third-party sensor.`,
  }
}

function linuxName(text: string): string {
  const known: [RegExp, string][] = [
    [/ubuntu/i, 'Ubuntu'],
    [/debian/i, 'Debian'],
    [/red ?hat|rhel/i, 'Red Hat Enterprise Linux'],
    [/centos/i, 'CentOS'],
    [/fedora/i, 'Fedora'],
    [/suse|sles/i, 'SUSE Linux'],
    [/amazon linux/i, 'Amazon Linux'],
    [/oracle linux/i, 'Oracle Linux'],
    [/alma ?linux/i, 'AlmaLinux'],
    [/rocky/i, 'Rocky Linux'],
    [/mariner/i, 'CBL-Mariner'],
  ]
  return known.find(([re]) => re.test(text))?.[1] ?? 'Linux'
}

function classifyWindows(text: string, version: string | undefined): OsClassification {
  const v = mergeVersions(parseWindowsVersion(version), versionInOsText(text))
  const multiSession = /multi-?session|virtual desktop|\b(wvd|evd|avd)\b/i.test(text)
  const isServer = /\bserver\b/i.test(text)

  if (isServer) return classifyServer(text, v)

  // Client editions. Explicit product names first, then NT kernel versions of ConfigMgr exports
  // ("Microsoft Windows NT Workstation 10.0"), then the build.
  if (/\bwindows\s*11\b/i.test(text) || (v.build !== undefined && v.build >= WINDOWS_11_FIRST_BUILD)) {
    const build = v.build ?? WINDOWS_11_RELEASES.find(([r]) => r === v.release)?.[1] ?? null
    return windowsClient('Windows 11', build, build ? (windowsRelease(build) ?? null) : (v.release ?? null), multiSession)
  }

  if (/\bwindows\s*8\.1\b/i.test(text) || v.nt === '6.3' || /\bNT\b.*\b6\.3\b/i.test(text)) {
    return fixed('windows', 'Windows 8.1', 9600, null, 'down-level', CONFIGMGR_DOWN_LEVEL, 'Windows 8.1 is down-level: it needs the Workspace key and ID, with ConfigMgr 2002 or later.')
  }

  if (/\bwindows\s*(7|8|vista|xp)\b/i.test(text) || ['6.1', '6.2', '6.0', '5.1'].includes(v.nt ?? '')) {
    const name = /\bwindows\s*(7|8|vista|xp)\b/i.exec(text)?.[1] ?? ({'6.1': '7', '6.2': '8', '6.0': 'Vista', '5.1': 'XP'} as Record<string, string>)[v.nt!]
    return fixed('windows', `Windows ${name}`, v.build ?? null, null, 'unsupported', null, `Windows ${name} cannot be onboarded by Configuration Manager.`)
  }

  if (/\bwindows\s*10\b/i.test(text) || v.nt === '10.0' || /\bNT\b.*\b10\.0\b/i.test(text) || v.build !== undefined || v.release !== undefined) {
    let build = v.build ?? (v.release ? windows10Build(v.release) : undefined)
    if (v.release && build === undefined) throw new OsClassificationError(`'${v.release}' is not a Windows 10 release (known: ${WINDOWS_10_RELEASES.map(([r]) => r).join(', ')})`)
    if (v.build !== undefined && v.release !== undefined && windows10Build(v.release) !== undefined && windows10Build(v.release) !== v.build) {
      throw new OsClassificationError(`release ${v.release} is build ${windows10Build(v.release)}, not ${v.build}`)
    }

    build ??= undefined
    return windowsClient('Windows 10', build ?? null, build ? (windowsRelease(build) ?? null) : null, multiSession)
  }

  throw new OsClassificationError(`Windows edition in '${text}' is not recognised`)
}

function windowsClient(product: string, build: number | null, release: string | null, multiSession: boolean): OsClassification {
  const name = `${product}${release ? ' ' + release : build ? ' build ' + build : ''}${multiSession ? ' multi-session' : ''}`
  if (build === null) {
    return {
      family: 'windows',
      name,
      build: null,
      release: null,
      level: product === 'Windows 11' ? 'up-level' : 'unsupported',
      minConfigMgr: product === 'Windows 11' ? 0 : null,
      multiSession,
      note:
        product === 'Windows 11'
          ? 'Windows 11 counts as up-level: it needs the onboarding configuration file.'
          : 'The Windows 10 release is unknown: add the build (10.0.17134) or release (1803) to the inventory; only 1607 and later can be onboarded.',
    }
  }

  if (build < UP_LEVEL_CLIENT_BUILD) {
    return {family: 'windows', name, build, release, level: 'unsupported', minConfigMgr: null, multiSession, note: `${name} is older than Windows 10 1607 and cannot be onboarded.`}
  }

  return {
    family: 'windows',
    name,
    build,
    release,
    level: 'up-level',
    minConfigMgr: 0,
    multiSession,
    note: `${name} is up-level: it needs the onboarding configuration file.`,
  }
}

function classifyServer(text: string, v: ParsedVersion): OsClassification {
  const year = /\bserver\s*(2008|2012|2016|2019|2022|2025)\b/i.exec(text)?.[1]
  const r2 = /\bR2\b/i.test(text)
  let build = v.build
  if (build === undefined && v.release) build = windows10Build(v.release)
  if (build === undefined && year) {
    build = {2008: r2 ? 7601 : 6002, 2012: r2 ? 9600 : 9200, 2016: 14393, 2019: 17763, 2022: 20348, 2025: 26100}[Number(year) as 2008]
  }

  if (build === undefined && v.nt) build = {'6.1': 7601, '6.2': 9200, '6.3': 9600}[v.nt]
  if (build === undefined) {
    throw new OsClassificationError(`Windows Server release in '${text}' is unknown: add the build (10.0.17763) or the year (2019)`)
  }

  if (year === '2012' && r2 && build !== 9600) throw new OsClassificationError(`Windows Server 2012 R2 is build 9600, not ${build}`)
  const name = serverName(build, year)
  const server = (level: OsLevel, minConfigMgr: number | null, note: string): OsClassification => ({
    family: 'windows-server',
    name,
    build: build!,
    release: build! >= 14393 ? (windowsRelease(build!) ?? null) : null,
    level,
    minConfigMgr,
    multiSession: false,
    note,
  })
  if (build < 9600) return server('unsupported', null, `${name} cannot be onboarded by Configuration Manager.`)
  if (build < 14393) return server('down-level', CONFIGMGR_DOWN_LEVEL, `${name} is down-level: it needs the Workspace key and ID, with ConfigMgr 2002 or later.`)
  if (build < UP_LEVEL_SERVER_BUILD) {
    return server('down-level', CONFIGMGR_DOWN_LEVEL, `${name} (version 1709 or earlier) is down-level: it needs the Workspace key and ID, with ConfigMgr 2002 or later.`)
  }

  return server('up-level', CONFIGMGR_DOWN_LEVEL, `${name} is up-level: it needs the onboarding configuration file, with ConfigMgr 2002 or later.`)
}

function serverName(build: number, year: string | undefined): string {
  const exact = WINDOWS_SERVER_BUILDS.find(([, b]) => b === build)
  if (exact) return exact[0]
  if (build >= 26100) return 'Windows Server 2025'
  if (build >= 20348) return `Windows Server ${year && Number(year) >= 2022 ? year : '2022'} build ${build}`
  if (build === 6002) return 'Windows Server 2008'
  return `Windows Server${year ? ' ' + year : ''} build ${build}`
}

function fixed(
  family: OsFamily,
  name: string,
  build: number | null,
  release: string | null,
  level: OsLevel,
  minConfigMgr: number | null,
  note: string,
): OsClassification {
  return {family, name, build, release, level, minConfigMgr, multiSession: false, note}
}

/** CM1: can this Configuration Manager version onboard this OS? */
/** The classification as the OS columns of a device record carry it. */
export function osRecordFields(os: OsClassification) {
  return {
    osFamily: os.family,
    osName: os.name,
    build: os.build,
    release: os.release,
    level: os.level,
    minConfigMgr: os.minConfigMgr,
    multiSession: os.multiSession,
  }
}

/**
 * The dotted OS version the Intune minimums compare with (IN2): Windows from its build
 * (10.0.<build>, 6.3.9600 for 8.1, 6.1.<build> before), other systems their release or version
 * as written; '' when unknown. The embedded backend's SQL (intune-sources.ts, osVersionSql) is
 * pinned to it by test/core/device/agent-model.differential.test.ts.
 */
export function dottedOsVersion(os: {osFamily: string; build: number | null; release: string | null; version: string | null}): string {
  if (os.osFamily === 'windows') {
    if (os.build === null) return ''
    if (os.build >= 10_240) return `10.0.${os.build}`
    return os.build === 9600 ? '6.3.9600' : `6.1.${os.build}`
  }

  return os.release ?? os.version ?? ''
}

export function supportedByConfigMgr(os: Pick<OsClassification, 'minConfigMgr'>, configMgrVersion: number): boolean {
  return os.minConfigMgr !== null && configMgrVersion >= os.minConfigMgr
}

/** Known Configuration Manager current-branch versions (YYMM). */
export function parseConfigMgrVersion(text: string): number | undefined {
  if (!/^\d{4}$/.test(text)) return undefined
  const year = Number(text.slice(0, 2))
  const month = Number(text.slice(2))
  if (year < 15 || month < 1 || month > 12) return undefined
  return Number(text)
}

/** Used when neither --configmgr-version nor the profile's `configmgr-version` says otherwise. */
export const DEFAULT_CONFIGMGR_VERSION = 2103
