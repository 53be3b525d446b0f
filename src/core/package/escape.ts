/**
 * The escaping layers real carriers wrap the envelope in (REFERENCE §1.4), both ways. Every
 * encoder here has a decoder, and the tests round-trip them against python3, plistlib and
 * xmllint so a parser cannot drift from the generator.
 */

/**
 * Windows command-line quoting as `reg add ... /d "..."` reads it (MS C runtime rules): a
 * quote is `\"`, backslashes are doubled only when they precede a quote. So the envelope's
 * `\"` (JSON-escaped quote inside `body`) becomes `\\\"`, as in real scripts (WINCMD-GP).
 */
export function encodeCmdArgument(value: string): string {
  return value.replace(/(\\*)"/g, (_m, slashes: string) => `${slashes}${slashes}\\"`).replace(/(\\+)$/, '$1$1')
}

/**
 * Reads one quoted argument starting at `start` (the opening quote) by the same rules.
 * Returns the value and the index after the closing quote.
 */
export function decodeCmdArgument(text: string, start: number): {value: string; end: number} | null {
  if (text[start] !== '"') return null
  let out = ''
  let i = start + 1
  while (i < text.length) {
    let slashes = 0
    while (text[i] === '\\') {
      slashes++
      i++
    }

    if (text[i] === '"') {
      out += '\\'.repeat(Math.floor(slashes / 2))
      if (slashes % 2 === 1) {
        out += '"'
        i++
        continue
      }

      return {value: out, end: i + 1}
    }

    out += '\\'.repeat(slashes)
    if (i >= text.length || text[i] === '\r' || text[i] === '\n') return null
    out += text[i]
    i++
  }

  return null
}

/** Inside a Python ''' literal: backslashes and quotes escaped (as LNXPY does). */
export function encodePythonTripleQuoted(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/'/g, "\\'")
}

const PY_SIMPLE: Record<string, string> = {'\\': '\\', "'": "'", '"': '"', n: '\n', r: '\r', t: '\t', '\n': ''}

/** Undoes Python string-literal escapes (the subset real packages use, plus \n \r \t). */
export function decodePythonLiteral(value: string): string {
  return value.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[\s\S])/g, (m, e: string) => {
    if (e.length > 1) return String.fromCharCode(Number.parseInt(e.slice(1), 16))
    return e in PY_SIMPLE ? PY_SIMPLE[e] : m
  })
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
}

export function unescapeXml(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(Number.parseInt(e.slice(2), 16))
    if (e.startsWith('#')) return String.fromCodePoint(Number.parseInt(e.slice(1), 10))
    return ({amp: '&', lt: '<', gt: '>', quot: '"', apos: "'"} as Record<string, string>)[e]
  })
}
