/**
 * Inventory file → raw rows: opens the file (or a named pipe, read as a stream), recognises
 * what it is (a binary file is refused by name, 16), decodes it (text.ts), parses CSV, JSON or
 * NDJSON and hands out the rows with their line (CSV, NDJSON) or record (JSON) numbers. Rows are
 * produced as they are asked for, so the caller can write each one while the file is read.
 */
import {closeSync, constants, openSync, readSync, type Stats, statSync} from 'node:fs'
import {basename, extname} from 'node:path'
import {InvalidInputError, NotFoundError, UsageError} from '../errors.js'
import {CsvReader, type CsvRecord, CsvSyntaxError, DEFAULT_MAX_FIELD_CHARS, DEFAULT_MAX_RECORD_CHARS} from './csv.js'
import {type InventoryField, InventoryRowError, jsonRow, mapHeader, type RawRow} from './inventory.js'
import {countLineBreaks, describeBinary, InventoryDecoder, sniffEncoding, type TextDecodeError, type TextEncoding} from './text.js'

export type InventoryFormat = 'csv' | 'json' | 'ndjson'

/** A raw row with its line (CSV) or record number, or the error that row already has. */
export interface SourceRow {
  line: number
  raw: RawRow | InventoryRowError
  /** managedBy came from a ConfigMgr export's "Client" column. */
  clientColumn: boolean
}

export interface InventoryInput {
  file: string
  format: InventoryFormat
  /** The file's size in bytes; 0 for a pipe, whose size is not known in advance. */
  size: number
  /** The rows, read from the file as they are asked for; `onBytes` is told of each chunk read. */
  rows(onBytes: (n: number) => void): Generator<SourceRow>
  /** Closes the file (also done once the rows are all read). */
  close(): void
}

export const CHUNK_BYTES = 1 << 16
/** What a pipe must give (or its end) before the file type and encoding are decided. */
const HEAD_BYTES = 4096
/** How long a named pipe may have no writer before the import gives up. */
export const PIPE_WRITER_WAIT_MS = 2000
/** A device record is an object of strings, booleans and lists of strings: 2 levels. */
const MAX_RECORD_DEPTH = 8

/**
 * Opens an inventory: a regular file, or a named pipe (`<(…)` in a shell, or a FIFO) read as a
 * stream; a pipe with no writer is given up after PIPE_WRITER_WAIT_MS instead of waiting
 * forever. The first bytes decide: a binary file is refused by what it looks like, the byte
 * order mark gives the encoding, and the format comes from `format`, the extension or the
 * content.
 */
export function openInventory(file: string, format?: InventoryFormat): InventoryInput {
  let info: Stats
  try {
    info = statSync(file)
  } catch (error) {
    const code = (error as {code?: string}).code
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error
    throw new NotFoundError(`Inventory file '${file}' not found.`, {suggestions: ['Check the path; CSV, JSON and NDJSON files are accepted.']})
  }

  if (info.isDirectory()) {
    throw new UsageError(`'${file}' is a directory, not an inventory file.`, {suggestions: ['Give the path of a CSV, JSON or NDJSON inventory file.']})
  }

  const pipe = info.isFIFO()
  if (!info.isFile() && !pipe) {
    throw new UsageError(`'${file}' is not a file or a pipe (it is a device or a socket).`, {suggestions: ['Give the path of a CSV, JSON or NDJSON inventory file.']})
  }

  const source = new ByteSource(file, pipe)
  try {
    const head = source.head()
    const name = basename(file)
    const binary = describeBinary(head.subarray(0, HEAD_BYTES))
    if (binary) {
      throw new InvalidInputError(`${name} looks like ${binary}, not a CSV, JSON or NDJSON inventory; nothing was imported.`, {
        code: 'INVALID_INVENTORY',
        suggestions: [
          binary.includes('Excel')
            ? 'Save the sheet from Excel as "CSV UTF-8 (Comma delimited)" and import that file.'
            : 'Export the inventory as CSV (UTF-8 or UTF-16 with a byte order mark), JSON or NDJSON.',
        ],
      })
    }

    const {encoding, bom} = sniffEncoding(head)
    const chosen = format ?? detectFormat(file, () => new InventoryDecoder(encoding, bom).write(head))
    return {
      file,
      format: chosen,
      size: pipe ? 0 : info.size,
      rows(onBytes) {
        const text = decodedChunks(source, new InventoryDecoder(encoding, bom), onBytes)
        return chosen === 'json' ? jsonRows(name, text) : chosen === 'ndjson' ? ndjsonRows(name, text) : csvRows(name, text)
      },
      close: () => source.close(),
    }
  } catch (error) {
    source.close()
    throw error
  }
}

/** The file's bytes in chunks, synchronously (the import is one transaction); the head is read first and given again as the first chunk. */
class ByteSource {
  private fd: number | null
  private first: Buffer | null = null

  constructor(
    private readonly file: string,
    private readonly pipe: boolean,
  ) {
    // A pipe is opened without blocking: opening a FIFO for reading otherwise waits for a writer.
    this.fd = openSync(file, pipe ? constants.O_RDONLY | constants.O_NONBLOCK : constants.O_RDONLY)
  }

  /** The first chunk: CHUNK_BYTES or the whole file; from a pipe at least HEAD_BYTES or all it gives. */
  head(): Buffer {
    if (this.first) return this.first
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES)
    let n = this.read(buffer, 0)
    if (this.pipe) {
      const deadline = Date.now() + PIPE_WRITER_WAIT_MS
      // Nothing yet and read() says end-of-file: no writer has the pipe open (yet).
      while (n === 0 && Date.now() < deadline) {
        sleep(20)
        n = this.read(buffer, 0)
      }

      if (n === 0) {
        throw new InvalidInputError(`Nothing was written to the pipe '${this.file}' within ${PIPE_WRITER_WAIT_MS / 1000} s; nothing was imported.`, {
          code: 'INVALID_INVENTORY',
          suggestions: ['Start the program that writes the inventory to the pipe first, or give a file.'],
        })
      }

      for (let more = n; n < HEAD_BYTES && more > 0; n += more) more = this.read(buffer, n)
    }

    this.first = buffer.subarray(0, n)
    return this.first
  }

  *chunks(): Generator<Buffer> {
    try {
      const first = this.head()
      if (first.length === 0) return
      yield first
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES)
      for (let n = this.read(buffer, 0); n > 0; n = this.read(buffer, 0)) yield buffer.subarray(0, n)
    } finally {
      this.close()
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd)
    this.fd = null
  }

  /** Reads into buffer[at…]; 0 at the end. A pipe with no data yet is waited for. */
  private read(buffer: Buffer, at: number): number {
    let wait = 1
    for (;;) {
      try {
        return readSync(this.fd!, buffer, at, buffer.length - at, null)
      } catch (error) {
        if ((error as {code?: string}).code !== 'EAGAIN') throw error
        sleep(wait)
        wait = Math.min(50, wait * 2)
      }
    }
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4))
function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms)
}

/**
 * The decoded text, chunk by chunk. When the bytes stop being valid text, the chunks end with
 * the text before them and `failure()` says what was wrong: the parser, having read that text,
 * knows the line.
 */
interface DecodedText {
  chunks: Generator<string>
  failure(): TextDecodeError | null
  encoding: TextEncoding
}

function decodedChunks(source: ByteSource, decoder: InventoryDecoder, onBytes: (n: number) => void): DecodedText {
  function* chunks(): Generator<string> {
    for (const bytes of source.chunks()) {
      onBytes(bytes.length)
      const text = decoder.write(bytes)
      if (text !== '') yield text
      if (decoder.failure) return
    }

    decoder.end()
  }

  return {chunks: chunks(), failure: () => decoder.failure, encoding: decoder.encoding}
}

function decodeError(name: string, line: number, text: DecodedText): InvalidInputError {
  const failure = text.failure()!
  if (failure.reason === 'nul') {
    return new InvalidInputError(`${name} line ${line}: ${failure.message}; this does not look like a text inventory, nothing was imported.`, {
      code: 'INVALID_INVENTORY',
      suggestions: ['Export the inventory as CSV (UTF-8 or UTF-16 with a byte order mark), JSON or NDJSON.'],
    })
  }

  return new InvalidInputError(`${name} line ${line}: ${failure.message}; the file is not valid ${text.encoding === 'utf-8' ? 'UTF-8' : 'UTF-16'} text, nothing was imported.`, {
    code: 'INVALID_INVENTORY',
    suggestions: ['Save the file as UTF-8 (in Excel: "CSV UTF-8 (Comma delimited)"; in PowerShell: -Encoding UTF8) and import it again.'],
  })
}

function detectFormat(file: string, headText: () => string): InventoryFormat {
  const ext = extname(file).toLowerCase()
  if (ext === '.csv' || ext === '.tsv') return 'csv'
  if (ext === '.json') return 'json'
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson'
  const head = headText()
  const first = head.trimStart()[0]
  if (first === '[') return 'json'
  if (first === '{') return /^\s*\{[^\n]*\}\s*\n\s*\{/.test(head) ? 'ndjson' : 'json'
  return 'csv'
}

function* csvRows(name: string, text: DecodedText): Generator<SourceRow> {
  const reader = new CsvReader({delimiter: 'sniff'})
  let header: (InventoryField | null)[] | null = null
  let clientColumn = false
  function* rowsOf(records: CsvRecord[]): Generator<SourceRow> {
    for (const {line, fields} of records) {
      if (!header) {
        header = csvHeader(name, fields, line)
        clientColumn = fields.some((f) => f.trim().toLowerCase() === 'client')
        continue
      }

      if (fields.length !== header.length) {
        yield {line, raw: new InventoryRowError(line, null, `expected ${header.length} fields like the header, found ${fields.length}`), clientColumn}
        continue
      }

      const raw: RawRow = {}
      for (let i = 0; i < header.length; i++) {
        const f = header[i]
        if (f) raw[f] = fields[i]
      }

      yield {line, raw, clientColumn}
    }
  }

  try {
    for (const chunk of text.chunks) yield* rowsOf(reader.push(chunk))
    if (text.failure()) throw decodeError(name, reader.line, text)
    yield* rowsOf(reader.end())
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw new InvalidInputError(`${name} line ${error.line}: ${error.message}; nothing was imported.`, {
        code: 'INVALID_INVENTORY',
        suggestions: [
          error.tooLong
            ? `Check that line: a field may have up to ${DEFAULT_MAX_FIELD_CHARS.toLocaleString('en-US')} characters and a record ${DEFAULT_MAX_RECORD_CHARS.toLocaleString('en-US')}.`
            : 'Quote fields that contain the separator, quotes or line breaks, and double quotes inside them (RFC 4180).',
        ],
      })
    }

    throw error
  }

  if (!header) throw new InvalidInputError(`${name} is empty.`, {code: 'INVALID_INVENTORY', suggestions: ['Export the inventory again.']})
}

function csvHeader(name: string, fields: string[], line: number): (InventoryField | null)[] {
  try {
    return mapHeader(fields, line)
  } catch (error) {
    if (error instanceof InventoryRowError) {
      throw new InvalidInputError(`${name} line ${line}: ${error.message}; nothing was imported.`, {
        code: 'INVALID_INVENTORY',
        suggestions: ['The first line must name the columns, separated by commas, semicolons or tabs, with at least name and os (see the README, section Devices).'],
      })
    }

    throw error
  }
}

function* jsonRows(name: string, text: DecodedText): Generator<SourceRow> {
  const parts: string[] = []
  for (const chunk of text.chunks) parts.push(chunk)
  const whole = parts.join('')
  if (text.failure()) throw decodeError(name, countLineBreaks(whole) + 1, text)
  let doc: unknown
  try {
    doc = JSON.parse(whole)
  } catch (error) {
    const message = (error as Error).message
    const at = /at position (\d+)/.exec(message)
    const where = at ? ` (line ${countLineBreaks(whole.slice(0, Number(at[1]))) + 1})` : ''
    throw new InvalidInputError(`${name} is not valid JSON${where}: ${message}.`, {
      code: 'INVALID_INVENTORY',
      suggestions: ['Use an array of device objects, {"devices": [...]}, or one object per line (.ndjson).'],
    })
  }

  const items = Array.isArray(doc) ? doc : (doc as {devices?: unknown})?.devices
  if (!Array.isArray(items)) {
    throw new InvalidInputError(`${name} has no device list.`, {
      code: 'INVALID_INVENTORY',
      suggestions: ['Use an array of device objects or {"devices": [...]}.'],
    })
  }

  for (const [i, item] of items.entries()) yield jsonSourceRow(item, i + 1)
}

function jsonSourceRow(item: unknown, index: number): SourceRow {
  try {
    if (nestsDeeper(item, MAX_RECORD_DEPTH)) throw new InventoryRowError(index, null, `the record nests lists or objects more than ${MAX_RECORD_DEPTH} levels deep`)
    return {line: index, raw: jsonRow(item, index), clientColumn: false}
  } catch (error) {
    if (!(error instanceof InventoryRowError)) throw error
    return {line: index, raw: error, clientColumn: false}
  }
}

/** Whether `value` has lists or objects nested more than `max` levels deep (walked without recursion). */
export function nestsDeeper(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (v === null || typeof v !== 'object') continue
    if (depth > max) return true
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
  }

  return false
}

function* ndjsonRows(name: string, text: DecodedText): Generator<SourceRow> {
  let line = 0
  const take = (lineText: string): SourceRow | undefined => {
    line++
    if (lineText.trim() === '') return undefined
    let item: unknown
    try {
      item = JSON.parse(lineText)
    } catch (error) {
      return {line, raw: new InventoryRowError(line, null, `not valid JSON: ${(error as Error).message}`), clientColumn: false}
    }

    return jsonSourceRow(item, line)
  }

  // The line being read, in parts: each chunk is searched once (a long line is not rescanned).
  let parts: string[] = []
  let partChars = 0
  const tooLong = () =>
    new InvalidInputError(`${name} line ${line + 1}: a line is longer than ${DEFAULT_MAX_RECORD_CHARS.toLocaleString('en-US')} characters, the limit; nothing was imported.`, {
      code: 'INVALID_INVENTORY',
      suggestions: ['Give one device object per line.'],
    })
  for (const chunk of text.chunks) {
    let from = 0
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', from)) {
      if (partChars + nl - from > DEFAULT_MAX_RECORD_CHARS) throw tooLong()
      const piece = chunk.slice(from, nl)
      const row = take(parts.length > 0 ? parts.join('') + piece : piece)
      parts = []
      partChars = 0
      from = nl + 1
      if (row) yield row
    }

    if (from < chunk.length) {
      parts.push(chunk.slice(from))
      partChars += chunk.length - from
      if (partChars > DEFAULT_MAX_RECORD_CHARS) throw tooLong()
    }
  }

  if (text.failure()) throw decodeError(name, line + 1, text)
  if (parts.length > 0) {
    const row = take(parts.join(''))
    if (row) yield row
  }
}
