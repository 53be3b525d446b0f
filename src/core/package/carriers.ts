/**
 * Finding the envelope inside each carrier of REFERENCE §1.4: Windows `.cmd` (reg add /d),
 * `WindowsDefenderATP.onboarding`/`.offboarding` (the envelope itself), Linux/macOS Python
 * scripts (''' literal holding `mdatp_onboard.json`), the streamlined bash script
 * (`BLOB_PAYLOAD`), `mdatp_onboard.json`, and macOS plists/mobileconfigs.
 */
import {decodeCmdArgument, decodePythonLiteral, unescapeXml} from './escape.js'

export type CarrierKind =
  | 'windows-cmd'
  | 'windows-blob'
  | 'linux-python'
  | 'macos-python'
  | 'gateway-bash'
  | 'mdatp-json'
  | 'macos-plist'
  | 'macos-mobileconfig'

export interface CarrierMatch {
  carrier: CarrierKind
  /** The envelope JSON text, every escaping layer undone. */
  envelopeText: string
}

/** Registry value names: onboarding and the offboarding GUID (REFERENCE §1.2, §1.6). */
export const ONBOARDING_VALUE = 'OnboardingInfo'
export const OFFBOARDING_VALUE = '696C1FA1-4030-4FA4-8713-FAF9B2EA7C0A'

/** File names that never carry a blob (policy templates, helpers). */
const NON_CARRIERS = /\.(admx|adml|ps1|txt|md)$|(^|\/)kext\.xml$/i

function fromCmd(text: string): string | null {
  const re = new RegExp(`/v\\s+"?(${ONBOARDING_VALUE}|${OFFBOARDING_VALUE})"?\\s[^\\r\\n]*?/d\\s+(?=")`, 'gi')
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const arg = decodeCmdArgument(text, m.index + m[0].length)
    if (arg && arg.value.trimStart().startsWith('{')) return arg.value
  }

  return null
}

/** `{"onboardingInfo": "<envelope>"}` (or offboardingInfo) → envelope text. */
function fromMdatpJson(text: string): string | null {
  try {
    const value = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>
    const inner = value?.onboardingInfo ?? value?.offboardingInfo
    return typeof inner === 'string' ? inner : null
  } catch {
    return null
  }
}

function fromPython(text: string): string | null {
  const re = /(?:^|[^\\])('''|""")([\s\S]*?[^\\])\1/g
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const literal = decodePythonLiteral(m[2]).trim()
    const inner = fromMdatpJson(literal) ?? (/^\{\s*"body"\s*:/.test(literal) ? literal : null)
    if (inner) return inner
  }

  return null
}

function fromBash(text: string): string | null {
  // `read -r -d '' BLOB_PAYLOAD <<'EOF'`, `BLOB_PAYLOAD=$(cat <<EOF`, or `BLOB_PAYLOAD='...'`.
  const heredoc = /BLOB_PAYLOAD\b[^\n]*?<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1[^\n]*\n([\s\S]*?)\n[ \t]*\2[ \t]*(?:\n|\)|$)/.exec(text)
  if (heredoc) {
    const raw = heredoc[1] === '' ? heredoc[3].replace(/\\([\\$`])/g, '$1') : heredoc[3]
    return fromMdatpJson(raw)
  }

  const quoted = /BLOB_PAYLOAD\s*=\s*'([^']*)'/.exec(text)
  return quoted ? fromMdatpJson(quoted[1]) : null
}

function fromPlist(text: string): string | null {
  const re = /<key>\s*(?:OnboardingInfo|OffboardingInfo)\s*<\/key>\s*<string>([\s\S]*?)<\/string>/g
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const value = unescapeXml(m[1]).trim()
    if (value.startsWith('{')) return value
  }

  return null
}

/**
 * Returns the envelope found in one file, or null when the file is not a carrier. `name` is
 * the file or entry name (separators normalised to `/`); content decides, the name only
 * guides which parser runs first.
 */
export function findEnvelope(name: string, text: string): CarrierMatch | null {
  const base = name.split('/').pop()!.toLowerCase()
  if (NON_CARRIERS.test(name)) return null
  if (base.endsWith('.cmd') || base.endsWith('.bat')) {
    const value = fromCmd(text)
    return value ? {carrier: 'windows-cmd', envelopeText: value} : null
  }

  if (base.endsWith('.py')) {
    const value = fromPython(text)
    return value ? {carrier: /macos/i.test(base) ? 'macos-python' : 'linux-python', envelopeText: value} : null
  }

  if (base.endsWith('.sh')) {
    const value = fromBash(text) ?? fromPython(text)
    return value ? {carrier: 'gateway-bash', envelopeText: value} : null
  }

  if (base.endsWith('.plist') || base.endsWith('.xml') || base.endsWith('.mobileconfig')) {
    const value = fromPlist(text)
    if (!value) return null
    return {carrier: /<key>\s*PayloadContent\s*<\/key>/.test(text) ? 'macos-mobileconfig' : 'macos-plist', envelopeText: value}
  }

  const trimmed = text.replace(/^\uFEFF/, '').trimStart()
  if (trimmed.startsWith('{')) {
    const inner = fromMdatpJson(trimmed)
    if (inner) return {carrier: 'mdatp-json', envelopeText: inner}
    if (/"body"\s*:/.test(trimmed)) return {carrier: 'windows-blob', envelopeText: trimmed}
    return null
  }

  // Unknown extension: try every parser, most specific first.
  const cmd = fromCmd(text)
  if (cmd) return {carrier: 'windows-cmd', envelopeText: cmd}
  const py = fromPython(text)
  if (py) return {carrier: 'linux-python', envelopeText: py}
  const bash = fromBash(text)
  if (bash) return {carrier: 'gateway-bash', envelopeText: bash}
  const plist = fromPlist(text)
  if (plist) return {carrier: 'macos-plist', envelopeText: plist}
  return null
}
