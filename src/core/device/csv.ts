/**
 * A small streaming RFC 4180 CSV reader: feed chunks, get complete records with the line
 * number each started on. Handles quoted fields with commas, doubled quotes and line breaks,
 * CRLF or LF, a UTF-8 BOM, and a final record without a newline. Unquoted lines take a fast
 * path (split on commas), which is most of a machine-written inventory.
 */
export interface CsvRecord {
  line: number
  fields: string[]
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message)
  }
}

export class CsvReader {
  private buffer = ''
  private line = 1
  private first = true

  /** Adds a chunk and returns the records completed by it. */
  push(chunk: string): CsvRecord[] {
    if (this.first) {
      this.first = false
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1)
    }

    this.buffer += chunk
    return this.drain(false)
  }

  /** Flushes the last record; an unterminated quote is an error. */
  end(): CsvRecord[] {
    return this.drain(true)
  }

  private drain(final: boolean): CsvRecord[] {
    const out: CsvRecord[] = []
    const s = this.buffer
    let pos = 0
    const n = s.length
    // The next quote, searched again only once we pass it (else every line rescans the chunk).
    let quote = s.indexOf('"')
    while (pos < n) {
      const nl = s.indexOf('\n', pos)
      if (quote !== -1 && quote < pos) quote = s.indexOf('"', pos)
      if (quote === -1 || (nl !== -1 && quote > nl)) {
        // Fast path: the next line has no quote.
        if (nl === -1 && !final) break
        const end = nl === -1 ? n : nl
        let lineText = s.slice(pos, end)
        if (lineText.endsWith('\r')) lineText = lineText.slice(0, -1)
        if (lineText !== '') out.push({line: this.line, fields: lineText.split(',')})
        this.line++
        pos = end + 1
        continue
      }

      const parsed = this.parseQuoted(s, pos, final)
      if (!parsed) break
      if (!(parsed.fields.length === 1 && parsed.fields[0] === '' && !parsed.quoted)) out.push({line: this.line, fields: parsed.fields})
      this.line += parsed.lines
      pos = parsed.next
    }

    this.buffer = s.slice(pos)
    return out
  }

  /** Parses one record that contains quotes; null when it is not complete yet. */
  private parseQuoted(s: string, start: number, final: boolean): {fields: string[]; next: number; lines: number; quoted: boolean} | null {
    const fields: string[] = []
    let field = ''
    let i = start
    let lines = 1
    let quoted = false
    const n = s.length
    for (;;) {
      if (i >= n) {
        if (!final) return null
        fields.push(field)
        return {fields, next: n, lines, quoted}
      }

      const ch = s[i]
      if (ch === '"' && field === '') {
        // A quoted field.
        quoted = true
        i++
        for (;;) {
          const q = s.indexOf('"', i)
          if (q === -1) {
            if (!final) return null
            throw new CsvSyntaxError(this.line, 'a quoted field is never closed')
          }

          const part = s.slice(i, q)
          for (let k = part.indexOf('\n'); k !== -1; k = part.indexOf('\n', k + 1)) lines++
          field += part
          if (q + 1 >= n && !final) return null
          if (s[q + 1] === '"') {
            field += '"'
            i = q + 2
            continue
          }

          i = q + 1
          break
        }

        const next = s[i]
        if (i < n && next !== ',' && next !== '\n' && next !== '\r') {
          throw new CsvSyntaxError(this.line, 'unexpected text after a closing quote')
        }

        continue
      }

      if (ch === ',') {
        fields.push(field)
        field = ''
        i++
        continue
      }

      if (ch === '\r' && s[i + 1] === '\n') {
        i++
        continue
      }

      if (ch === '\r' && i + 1 >= n && !final) return null
      if (ch === '\n' || ch === '\r') {
        fields.push(field)
        return {fields, next: i + 1, lines, quoted}
      }

      if (ch === '"') throw new CsvSyntaxError(this.line, 'a quote inside an unquoted field')
      field += ch
      i++
    }
  }
}
