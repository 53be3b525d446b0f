/**
 * Carrier structure (issue 15, item 5). Only the blob is signed; the carrier around it is what
 * endpoints run. So every carrier and helper file of a package is compared, line by line, with
 * the layouts it can have: atpctl's own (templates.ts, re-rendered with the values found in the
 * package: the same functions that generate it) and Microsoft's (microsoft-layouts.ts, the
 * templates the tests build portal-format packages from). A line that is in no layout, or a line
 * of the layout that is missing, makes the package PACKAGE_TAMPERED, naming the file and the line
 * numbers (never the line's text: it may hold the blob). Pure: text in, verdict out.
 */
import type {CarrierKind} from './carriers.js'
import {fillMicrosoftTemplate, MICROSOFT_TEMPLATES, type MicrosoftTemplate, UUID_PLACEHOLDER} from './microsoft-layouts.js'
import {
  adml,
  admx,
  kextSeed,
  linuxPython,
  macosKextProfile,
  macosMobileconfig,
  macosPlist,
  macosPython,
  mdatpJson,
  packageSeed,
  vdiHelperPs1,
  windowsOffboardingCmd,
  windowsOnboardingCmd,
} from './templates.js'

export type LayoutFamily = 'atpctl' | 'microsoft'

export interface StructureValues {
  /** The envelope JSON text as found in this file (every escaping layer undone). */
  envelope: string
  /** The body's orgId, as written there. */
  orgId: string
  kind: 'onboarding' | 'offboarding'
  /** Offboarding expiry (from the body); null for onboarding. */
  expiresAt: Date | null
}

export interface StructureCheck {
  path: string
  /** Which layout the file follows (the closest one when it deviates); null when none is known for it. */
  layout: LayoutFamily | null
  /** 1-based line numbers of the file that are not part of the layout. */
  unexpectedLines: number[]
  /** How many (non-blank) lines of the layout the file lacks. */
  missingLines: number
}

interface Candidate {
  family: LayoutFamily
  text: string
}

const MACOS_MDM_METHODS = ['mdm', 'intune'] as const

const microsoft = (names: string[], values: StructureValues | null): Candidate[] =>
  MICROSOFT_TEMPLATES.filter((t: MicrosoftTemplate) => names.includes(t.name)).map((t) => ({
    family: 'microsoft' as const,
    text: values ? fillMicrosoftTemplate(t.text, values) : t.text,
  }))

/** Every layout a carrier of this kind can have, filled with the package's own values. */
export function carrierLayouts(carrier: CarrierKind, v: StructureValues): Candidate[] {
  const ours = (...texts: string[]): Candidate[] => texts.map((text) => ({family: 'atpctl' as const, text}))
  const on = v.kind === 'onboarding'
  switch (carrier) {
    case 'windows-cmd':
      return on
        ? [
            ...ours(windowsOnboardingCmd(v.envelope, 'group-policy'), windowsOnboardingCmd(v.envelope, 'local-script')),
            ...microsoft(['WindowsDefenderATPOnboardingScript.cmd', 'WindowsDefenderATPLocalOnboardingScript.cmd'], v),
          ]
        : [...ours(windowsOffboardingCmd(v.envelope, v.orgId)), ...microsoft(['WindowsDefenderATPOffboardingScript.cmd'], v)]
    case 'windows-blob':
      return ours(v.envelope)
    case 'linux-python':
      return [...ours(linuxPython(v.envelope, v.kind, v.expiresAt)), ...(on ? microsoft(['MicrosoftDefenderATPOnboardingLinuxServer.py'], v) : [])]
    case 'macos-python':
      return ours(macosPython(v.envelope, v.orgId))
    case 'gateway-bash':
      return on ? microsoft(['MicrosoftDefenderATPOnboardingLinuxServer.sh'], v) : []
    case 'mdatp-json':
      return [...ours(mdatpJson(v.envelope, v.kind)), ...(on ? microsoft(['mdatp_onboard.json'], v) : [])]
    case 'macos-plist':
      return [...ours(macosPlist(v.envelope, v.orgId, v.kind)), ...(on ? microsoft(['WindowsDefenderATPOnboarding.plist'], v) : [])]
    case 'macos-mobileconfig':
      return [
        ...ours(...MACOS_MDM_METHODS.map((m) => macosMobileconfig(v.envelope, v.orgId, v.kind, packageSeed(v.orgId, v.kind, 'macos', m)))),
        ...(on ? microsoft(['WindowsDefenderATPOnboarding.xml'], v) : []),
      ]
  }
}

/** Files of a package that hold no blob but are deployed with it (REFERENCE §1.1). */
const HELPERS: {name: RegExp; layouts(v: StructureValues): Candidate[]}[] = [
  {name: /^OptionalParamsPolicy\/AtpConfiguration\.admx$/i, layouts: () => [{family: 'atpctl', text: admx()}]},
  {name: /^OptionalParamsPolicy\/AtpConfiguration\.adml$/i, layouts: () => [{family: 'atpctl', text: adml()}]},
  {name: /^Onboard-NonPersistentMachine\.ps1$/i, layouts: () => [{family: 'atpctl', text: vdiHelperPs1('WindowsDefenderATPOnboardingScript.cmd')}]},
  {
    name: /^intune\/kext\.xml$/i,
    layouts: (v) => [
      ...MACOS_MDM_METHODS.map((m) => ({family: 'atpctl' as const, text: macosKextProfile(kextSeed(packageSeed(v.orgId, v.kind, 'macos', m)))})),
      ...microsoft(['kext.xml'], null),
    ],
  },
]

export const isHelperFile = (path: string) => HELPERS.some((h) => h.name.test(path))

/**
 * Files that endpoints or admins run, import or deploy. One of these in a package that is
 * neither a carrier nor a known helper is not part of any package layout.
 */
export const isDeployableFile = (path: string) =>
  /\.(cmd|bat|ps1|psm1|psd1|vbs|vbe|js|jse|wsf|hta|py|sh|command|exe|dll|msi|msp|scr|reg|lnk|plist|mobileconfig|xml|json|onboarding|offboarding|admx|adml|inf)$/i.test(path)

/** The helper's layouts, or null when the path is not a helper. */
export function helperLayouts(path: string, v: StructureValues): Candidate[] | null {
  const helper = HELPERS.find((h) => h.name.test(path))
  return helper ? helper.layouts(v) : null
}

const UUID_RE = '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}'
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

type Matcher = string | RegExp

function layoutLines(text: string): Matcher[] {
  return splitLines(text)
    .filter((l) => l.text !== '')
    .map(({text: line}) => (line.includes(UUID_PLACEHOLDER) ? new RegExp(`^${line.split(UUID_PLACEHOLDER).map(escapeRe).join(UUID_RE)}$`) : line))
}

/** Lines without their ending (LF or CRLF) and trailing blanks, numbered from 1. */
function splitLines(text: string): {n: number; text: string}[] {
  const lines = text.split(/\r?\n/)
  if (lines.at(-1) === '') lines.pop()
  return lines.map((line, i) => ({n: i + 1, text: line.replace(/[ \t\r]+$/, '')}))
}

const matches = (m: Matcher, line: string) => (typeof m === 'string' ? m === line : m.test(line))

/** Beyond this many lines × layout lines, a greedy alignment replaces the exact one (bounded work). */
const MAX_CELLS = 4_000_000

/** Aligns the file's non-blank lines with the layout's (longest common subsequence). */
function align(file: {n: number; text: string}[], layout: Matcher[]): {unexpected: number[]; missing: number} {
  const n = file.length
  const m = layout.length
  if ((n + 1) * (m + 1) > MAX_CELLS) {
    const unexpected: number[] = []
    let j = 0
    for (const line of file) {
      if (j < m && matches(layout[j], line.text)) j++
      else unexpected.push(line.n)
    }

    return {unexpected, missing: m - j}
  }

  const width = m + 1
  const table = new Uint32Array((n + 1) * width)
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * width + j] = matches(layout[j], file[i].text) ? table[(i + 1) * width + j + 1] + 1 : Math.max(table[(i + 1) * width + j], table[i * width + j + 1])
    }
  }

  const unexpected: number[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (matches(layout[j], file[i].text) && table[i * width + j] === table[(i + 1) * width + j + 1] + 1) {
      i++
      j++
    } else if (table[(i + 1) * width + j] >= table[i * width + j + 1]) {
      unexpected.push(file[i].n)
      i++
    } else {
      j++
    }
  }

  for (; i < n; i++) unexpected.push(file[i].n)
  return {unexpected, missing: m - table[0]}
}

/** Compares one file with its candidate layouts and keeps the closest (exact when it matches one). */
export function compareWithLayouts(path: string, text: string, candidates: Candidate[]): StructureCheck {
  const lines = splitLines(text).filter((l) => l.text !== '')
  if (candidates.length === 0) return {path, layout: null, unexpectedLines: lines.map((l) => l.n), missingLines: 0}
  let best: StructureCheck | null = null
  for (const candidate of candidates) {
    const {unexpected, missing} = align(lines, layoutLines(candidate.text))
    if (!best || unexpected.length + missing < best.unexpectedLines.length + best.missingLines) {
      best = {path, layout: candidate.family, unexpectedLines: unexpected, missingLines: missing}
    }

    if (unexpected.length === 0 && missing === 0) break
  }

  return best!
}

export const deviates = (check: StructureCheck) => check.unexpectedLines.length > 0 || check.missingLines > 0

/** "line 12" / "lines 12, 13 and 14" / "lines 12, 13, 14, 15, 16 and 20 more": numbers only, never text. */
export function describeLines(lines: number[]): string {
  if (lines.length === 1) return `line ${lines[0]}`
  const shown = lines.slice(0, 5)
  const rest = lines.length - shown.length
  return rest > 0 ? `lines ${shown.join(', ')} and ${rest} more` : `lines ${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`
}
