/**
 * A streaming RFC 4180 CSV reader: feed text chunks, get complete records with the line number
 * each started on. Handles quoted fields with delimiters, doubled quotes and line breaks, LF,
 * CRLF or a lone CR (Excel for Mac) as the line break, and a final record without one.
 *
 * The reader keeps no input text between chunks except the field being read, and looks at each
 * character a bounded number of times, so the work is linear in the input however the records
 * fall across chunks (15.8). A field or a record longer than its limit is refused with its line.
 * Unquoted lines take a fast path (split on the delimiter), which is most of a machine-written
 * inventory.
 *
 * With `delimiter: 'sniff'` the dialect is taken from the first lines: a PowerShell 5.1
 * `#TYPE …` line and an Excel `sep=;` line are skipped (the latter sets the delimiter), and
 * otherwise the delimiter is the one of `,` `;` and tab found most often outside quotes in the
 * header line (16).
 */
export interface CsvRecord {
  line: number
  fields: string[]
}

export type CsvDelimiter = ',' | ';' | '\t'

export interface CsvOptions {
  /** The field separator, or 'sniff' to take it (and skip preamble lines) from the start. Default ','. */
  delimiter?: CsvDelimiter | 'sniff'
  /** Longest field, in characters. */
  maxFieldChars?: number
  /** Longest record (all its fields), in characters. */
  maxRecordChars?: number
}

export const DEFAULT_MAX_FIELD_CHARS = 256 * 1024
export const DEFAULT_MAX_RECORD_CHARS = 1024 * 1024
export const SNIFFED_DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t']

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
    /** A size limit was passed (rather than the syntax broken). */
    readonly tooLong = false,
  ) {
    super(message)
  }
}

const LF = 10
const CR = 13
const QUOTE = 34

/** Where the reader is inside the current record. */
const enum State {
  /** At the start of a field: nothing of it read yet. */
  FieldStart,
  /** Inside an unquoted field. */
  Unquoted,
  /** Inside a quoted field. */
  Quoted,
  /** Just after a quote inside a quoted field: a doubled quote or the closing one. */
  QuoteSeen,
  /** After a closing quote: the delimiter or a line break must follow. */
  AfterClose,
}

const thousands = (n: number) => n.toLocaleString('en-US')

/**
 * The delimiter of a header line: the one of `,` `;` and tab found most often outside quotes
 * (a comma on a tie, or when there is none: a one-column file).
 */
export function sniffDelimiter(headerLine: string): CsvDelimiter {
  const counts = new Map<string, number>(SNIFFED_DELIMITERS.map((d) => [d, 0]))
  let quoted = false
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1)
  }

  let best: CsvDelimiter = ','
  for (const d of SNIFFED_DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d
  return best
}

/** A preamble line before the header: PowerShell's `#TYPE …`, or Excel's `sep=X` (which gives the delimiter). */
export function preambleLine(line: string): {delimiter: CsvDelimiter | null} | null {
  if (/^#TYPE(\s|$)/i.test(line)) return {delimiter: null}
  const sep = /^"?sep=(.)"?$/i.exec(line)
  if (sep && (SNIFFED_DELIMITERS as readonly string[]).includes(sep[1])) return {delimiter: sep[1] as CsvDelimiter}
  return null
}

export class CsvReader {
  /** Characters examined so far (searched, split or scanned): the reader's work, linear in the input. */
  scanned = 0
  /** The physical line the reader is on (1-based): after the text pushed so far. */
  line = 1

  private delimiter: number
  private delimiterText: CsvDelimiter
  private readonly maxField: number
  private readonly maxRecord: number
  /** 'sniff' until the header line was seen: the head text so far (one line at most). */
  private sniffing: boolean
  private head = ''
  private preambleLines = 0
  /** The delimiter an Excel `sep=` line gave. */
  private sepDelimiter: CsvDelimiter | null = null

  private state = State.FieldStart
  private fields: string[] = []
  /**
   * The field being read: its first piece, then any others (joined once it ends, so a field of
   * many pieces is not copied again and again).
   */
  private piece = ''
  private pieces: string[] = []
  private fieldChars = 0
  private recordLine = 1
  private fieldLine = 1
  private recordChars = 0
  /** The current record has a quoted field (so an empty line of `""` is a record). */
  private recordQuoted = false
  /** The last line break was a CR at the end of a chunk: an LF starting the next one belongs to it. */
  private skipLf = false
  /** Inside quotes, the last character was a CR (a CRLF there counts as one line). */
  private quotedCr = false

  // Next positions of LF, CR and quote in the current chunk, searched again only once passed.
  private chunk = ''
  private nextLf = -1
  private nextCr = -1
  private nextQuote = -1

  constructor(options: CsvOptions = {}) {
    const delimiter = options.delimiter ?? ','
    this.sniffing = delimiter === 'sniff'
    this.delimiterText = delimiter === 'sniff' ? ',' : delimiter
    this.delimiter = this.delimiterText.charCodeAt(0)
    this.maxField = options.maxFieldChars ?? DEFAULT_MAX_FIELD_CHARS
    this.maxRecord = options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS
  }

  /** The delimiter in use (the sniffed one once the header line was read). */
  get separator(): CsvDelimiter {
    return this.delimiterText
  }

  /** Adds a chunk and returns the records completed by it. */
  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = []
    if (this.sniffing) {
      const rest = this.sniff(chunk, false)
      if (rest === null) return out
      chunk = rest
    }

    this.parse(chunk, out)
    return out
  }

  /** Flushes the last record; an unterminated quote is an error. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = []
    if (this.sniffing) this.parse(this.sniff('', true) ?? '', out)
    if (this.state === State.Quoted) throw new CsvSyntaxError(this.fieldLine, 'a quoted field is never closed')
    if (!this.blankRecord()) this.emit(out)
    return out
  }

  /**
   * Collects the first lines until the header line is complete, skipping blank and preamble
   * lines; returns the text to parse (from the header line on) once the delimiter is known,
   * else null.
   */
  private sniff(chunk: string, final: boolean): string | null {
    if (this.skipLf && chunk !== '') {
      this.skipLf = false
      if (chunk.charCodeAt(0) === LF) chunk = chunk.slice(1)
    }

    let text = this.head + chunk
    for (;;) {
      // The head never holds a line break (each complete line is handled here), so only the new
      // text is searched; the head itself is bounded by the record limit.
      const from = this.head.length
      let br = -1
      for (let i = from; i < text.length; i++) {
        const c = text.charCodeAt(i)
        if (c === LF || c === CR) {
          br = i
          break
        }
      }

      this.scanned += text.length - from
      if (br === -1 && !final) {
        if (text.length > this.maxRecord) throw this.tooLong('a record', this.line, this.maxRecord)
        this.head = text
        return null
      }

      const firstLine = br === -1 ? text : text.slice(0, br)
      const preamble = br === -1 ? null : firstLine === '' ? {delimiter: null} : this.preambleLines < 2 ? preambleLine(firstLine) : null
      if (!preamble) {
        this.setDelimiter(this.sepDelimiter ?? sniffDelimiter(firstLine))
        this.sniffing = false
        this.head = ''
        return text
      }

      if (firstLine !== '') this.preambleLines++
      if (preamble.delimiter) this.sepDelimiter = preamble.delimiter
      text = text.slice(this.lineBreak(text, br))
      this.head = ''
      if (this.skipLf && text !== '') {
        this.skipLf = false
        if (text.charCodeAt(0) === LF) text = text.slice(1)
      }

      if (text === '' && !final) return null
    }
  }

  private setDelimiter(d: CsvDelimiter) {
    this.delimiterText = d
    this.delimiter = d.charCodeAt(0)
  }

  private parse(chunk: string, out: CsvRecord[]): void {
    const n = chunk.length
    this.chunk = chunk
    this.nextLf = -2
    this.nextCr = -2
    this.nextQuote = -2
    let i = 0
    if (this.skipLf && n > 0) {
      this.skipLf = false
      if (chunk.charCodeAt(0) === LF) i = 1
    }

    while (i < n) {
      if (this.state === State.FieldStart && this.fields.length === 0 && this.fieldChars === 0 && !this.recordQuoted) {
        // Fast path: a whole line in this chunk without quotes.
        const lf = this.findLf(i)
        const cr = this.findCr(i)
        const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr)
        const quote = this.findQuote(i)
        if (end !== -1 && (quote === -1 || quote > end)) {
          const length = end - i
          if (length > 0) {
            if (length > this.maxRecord) throw this.tooLong('a record', this.line, this.maxRecord)
            const fields = chunk.slice(i, end).split(this.delimiterText)
            this.scanned += length
            if (length > this.maxField) {
              for (const f of fields) if (f.length > this.maxField) throw this.tooLong('a field', this.line, this.maxField)
            }

            out.push({line: this.line, fields})
          }

          i = this.lineBreak(chunk, end)
          continue
        }
      }

      i = this.slow(chunk, i, out)
    }

    this.chunk = ''
  }

  /** The state machine, from `i` until the current record ends (returns the index after its line break) or the chunk does (n). */
  private slow(chunk: string, i: number, out: CsvRecord[]): number {
    const n = chunk.length
    const delimiter = this.delimiter
    while (i < n) {
      const state = this.state
      if (state === State.FieldStart || state === State.Unquoted) {
        if (state === State.FieldStart) {
          this.fieldLine = this.line
          if (chunk.charCodeAt(i) === QUOTE) {
            this.state = State.Quoted
            this.recordQuoted = true
            this.quotedCr = false
            const q = this.findQuote(i + 1)
            if (q !== -1 && q + 1 < n && chunk.charCodeAt(q + 1) !== QUOTE) {
              // A quoted field without doubled quotes or line breaks (every field of a
              // PowerShell export): taken in one piece.
              const lf = this.findLf(i)
              const cr = this.findCr(i)
              if ((lf === -1 || lf > q) && (cr === -1 || cr > q)) {
                if (q > i + 1) this.append(chunk, i + 1, q)
                this.scanned += q - i + 1
                this.state = State.AfterClose
                i = q + 1
                continue
              }
            }

            this.scanned++
            i++
            continue
          }

          this.state = State.Unquoted
        }

        let j = i
        let c = 0
        while (j < n) {
          c = chunk.charCodeAt(j)
          if (c === delimiter || c === LF || c === CR || c === QUOTE) break
          j++
        }

        this.scanned += j - i + 1
        if (j > i) this.append(chunk, i, j)
        if (j === n) return n
        if (c === QUOTE) throw new CsvSyntaxError(this.line, 'a quote inside an unquoted field')
        if (c === delimiter) {
          this.endField()
          i = j + 1
          continue
        }

        if (!this.blankRecord()) this.emit(out)
        else this.reset()
        return this.lineBreak(chunk, j)
      }

      if (state === State.Quoted) {
        const q = this.findQuote(i)
        const end = q === -1 ? n : q
        this.countQuotedBreaks(chunk, i, end)
        if (end > i) this.append(chunk, i, end)
        if (q === -1) return n
        this.state = State.QuoteSeen
        i = q + 1
        continue
      }

      const c = chunk.charCodeAt(i)
      this.scanned++
      if (state === State.QuoteSeen) {
        if (c === QUOTE) {
          this.append(chunk, i, i + 1)
          this.quotedCr = false
          this.state = State.Quoted
          i++
          continue
        }

        this.state = State.AfterClose
      }

      // After a closing quote.
      if (c === delimiter) {
        this.endField()
        i++
        continue
      }

      if (c === LF || c === CR) {
        this.emit(out)
        return this.lineBreak(chunk, i)
      }

      throw new CsvSyntaxError(this.line, 'unexpected text after a closing quote')
    }

    return n
  }

  /** Steps over the line break at `at` (LF, CRLF or CR) and returns the index after it. */
  private lineBreak(chunk: string, at: number): number {
    this.line++
    this.recordLine = this.line
    this.fieldLine = this.line
    if (chunk.charCodeAt(at) === CR) {
      if (at + 1 === chunk.length) {
        this.skipLf = true
        return at + 1
      }

      if (chunk.charCodeAt(at + 1) === LF) return at + 2
    }

    return at + 1
  }

  /** Counts the line breaks inside a quoted field (LF, CRLF, lone CR) between `from` and `to`. */
  private countQuotedBreaks(chunk: string, from: number, to: number): void {
    if (from >= to) return
    for (let p = this.findLf(from); p !== -1 && p < to; p = this.findLf(p + 1)) {
      if (!(p > from ? chunk.charCodeAt(p - 1) === CR : this.quotedCr)) this.line++
    }

    for (let p = this.findCr(from); p !== -1 && p < to; p = this.findCr(p + 1)) this.line++
    this.quotedCr = chunk.charCodeAt(to - 1) === CR
  }

  private findLf(from: number): number {
    if (this.nextLf !== -1 && this.nextLf < from) {
      const start = Math.max(from, this.nextLf + 1)
      this.nextLf = this.chunk.indexOf('\n', start)
      this.scanned += (this.nextLf === -1 ? this.chunk.length : this.nextLf) - start
    }

    return this.nextLf
  }

  private findCr(from: number): number {
    if (this.nextCr !== -1 && this.nextCr < from) {
      const start = Math.max(from, this.nextCr + 1)
      this.nextCr = this.chunk.indexOf('\r', start)
      this.scanned += (this.nextCr === -1 ? this.chunk.length : this.nextCr) - start
    }

    return this.nextCr
  }

  private findQuote(from: number): number {
    if (this.nextQuote !== -1 && this.nextQuote < from) {
      const start = Math.max(from, this.nextQuote + 1)
      this.nextQuote = this.chunk.indexOf('"', start)
      this.scanned += (this.nextQuote === -1 ? this.chunk.length : this.nextQuote) - start
    }

    return this.nextQuote
  }

  private append(chunk: string, from: number, to: number): void {
    const length = to - from
    if (this.fieldChars + length > this.maxField) {
      throw this.tooLong(this.state === State.Quoted ? 'a quoted field' : 'a field', this.fieldLine, this.maxField)
    }

    if (this.recordChars + length > this.maxRecord) throw this.tooLong('a record', this.recordLine, this.maxRecord)
    if (this.fieldChars === 0) this.piece = chunk.slice(from, to)
    else this.pieces.push(chunk.slice(from, to))
    this.fieldChars += length
    this.recordChars += length
  }

  private endField(): void {
    this.fields.push(this.fieldText())
    this.recordChars++
    this.state = State.FieldStart
  }

  private blankRecord(): boolean {
    return this.fields.length === 0 && this.fieldChars === 0 && !this.recordQuoted && this.state !== State.QuoteSeen && this.state !== State.AfterClose
  }

  /** The field's text, and the field cleared. */
  private fieldText(): string {
    let text = this.piece
    if (this.pieces.length > 0) {
      text += this.pieces.join('')
      this.pieces = []
    }

    this.piece = ''
    this.fieldChars = 0
    return text
  }

  private emit(out: CsvRecord[]): void {
    this.fields.push(this.fieldText())
    out.push({line: this.recordLine, fields: this.fields})
    this.reset()
  }

  private reset(): void {
    this.fields = []
    this.recordChars = 0
    this.recordQuoted = false
    this.state = State.FieldStart
  }

  /** The refusal of a field or record over its limit: where it starts and the limit, never its text. */
  private tooLong(what: string, line: number, limit: number): CsvSyntaxError {
    const hint = what === 'a quoted field' ? ' (is its closing quote missing?)' : ''
    return new CsvSyntaxError(line, `${what} is longer than ${thousands(limit)} characters, the limit${hint}`, true)
  }
}
