import {closeSync, openSync, readFileSync, readSync, type Stats, statSync} from 'node:fs'
import {basename, extname} from 'node:path'
import {StringDecoder} from 'node:string_decoder'
import type {Backend} from '../../backends/types.js'
import {InvalidInputError, NotFoundError, UsageError} from '../errors.js'
import {requireTenant} from '../tenant/service.js'
import {CsvReader, CsvSyntaxError} from './csv.js'
import {nameKey} from '../names.js'
import {createRowMemo, type InventoryField, InventoryRowError, jsonRow, mapHeader, normaliseRow, type RawRow} from './inventory.js'
import type {Device, DeviceFilter, DeviceRecord, ImportSummary} from './types.js'

export type InventoryFormat = 'csv' | 'json' | 'ndjson'

export interface InvalidRow {
  line: number
  field: string | null
  message: string
}

export interface ImportResult {
  file: string
  format: InventoryFormat
  summary: ImportSummary
  /** Rows left out (only with skipInvalid); at most 100 are listed. */
  invalid: InvalidRow[]
}

export interface ImportOptions {
  file: string
  format?: InventoryFormat
  skipInvalid: boolean
  profile: string
  /** Called as the file is read: bytes so far and the total. */
  onProgress?: (read: number, total: number) => void
  /** Called once the whole file is read and validated, before the transaction commits. */
  onWriting?: (records: number) => void
}

const MAX_LISTED = 100
const CHUNK_BYTES = 1 << 16

/**
 * Reads a CSV, JSON or NDJSON inventory and imports it in one transaction. The file is read
 * in chunks and each valid record goes to the backend as soon as it is parsed, so a large
 * inventory is never held in memory twice; an invalid row (unless skipInvalid) makes the
 * record stream fail at its end, after every row was checked, and nothing is imported.
 */
export async function importInventory(backend: Backend, options: ImportOptions): Promise<ImportResult> {
  await requireTenant(backend, options.profile)
  let info: Stats
  try {
    info = statSync(options.file)
  } catch {
    throw new NotFoundError(`Inventory file '${options.file}' not found.`, {suggestions: ['Check the path; CSV, JSON and NDJSON files are accepted.']})
  }

  if (!info.isFile()) throw new UsageError(`'${options.file}' is not a file.`, {suggestions: ['Give the path of a CSV, JSON or NDJSON inventory file.']})
  const {size} = info

  const format = options.format ?? detectFormat(options.file)
  const report: {invalid: InvalidRow[]; invalidCount: number} = {invalid: [], invalidCount: 0}
  const summary = await backend.devices.import({records: validRecords(options, format, size, report)})
  return {file: options.file, format, summary: {...summary, skipped: report.invalidCount}, invalid: report.invalid}
}

/** The valid records of the file, in order; throws at the end when a row was invalid and skipInvalid is off. */
function* validRecords(options: ImportOptions, format: InventoryFormat, size: number, report: {invalid: InvalidRow[]; invalidCount: number}): Generator<DeviceRecord> {
  const seen = new Map<string, number>()
  const memo = createRowMemo()
  let read = 0
  const onBytes = (n: number) => {
    read += n
    options.onProgress?.(read, size)
  }

  const rows = format === 'json' ? jsonRows(options.file, onBytes) : format === 'ndjson' ? ndjsonRows(options.file, onBytes) : csvRows(options.file, onBytes)
  let count = 0
  for (const row of rows) {
    let record: DeviceRecord
    try {
      if (row.raw instanceof InventoryRowError) throw row.raw
      record = normaliseRow(row.raw, row.line, {clientColumn: row.clientColumn, memo})
      const key = nameKey(record.name) // case-insensitive for every script, as the backend's name_key (issue 16)
      const first = seen.get(key)
      if (first !== undefined) throw new InventoryRowError(row.line, 'name', `device '${record.name}' is already on ${format === 'csv' ? 'line' : 'record'} ${first}`)
      seen.set(key, row.line)
    } catch (error) {
      if (!(error instanceof InventoryRowError)) throw error
      report.invalidCount++
      if (report.invalid.length < MAX_LISTED) report.invalid.push({line: error.line, field: error.field, message: error.message})
      continue
    }

    // Once a row is invalid nothing will be imported: keep checking, stop sending.
    if (report.invalidCount === 0 || options.skipInvalid) {
      count++
      yield record
    }
  }

  if (report.invalidCount > 0 && !options.skipInvalid) {
    const unit = format === 'csv' ? 'line' : 'record'
    const first = report.invalid.slice(0, 5).map((e) => `${unit} ${e.line}: ${e.message}`)
    throw new InvalidInputError(
      `${report.invalidCount} invalid row${report.invalidCount > 1 ? 's' : ''} in ${basename(options.file)}; nothing was imported. ${first.join('; ')}${report.invalidCount > 5 ? '; …' : ''}`,
      {
        code: 'INVALID_INVENTORY',
        suggestions: ['Fix those rows, or pass --skip-invalid to import the valid rows only.'],
        details: {invalid: report.invalid},
      },
    )
  }

  options.onWriting?.(count)
}

function detectFormat(file: string): InventoryFormat {
  const ext = extname(file).toLowerCase()
  if (ext === '.csv') return 'csv'
  if (ext === '.json') return 'json'
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson'
  const fd = openSync(file, 'r')
  let head: string
  try {
    const buffer = Buffer.alloc(4096)
    head = buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0))
  } finally {
    closeSync(fd)
  }

  const first = head.replace(/^\uFEFF/, '').trimStart()[0]
  if (first === '[') return 'json'
  if (first === '{') return /^\s*\{[^\n]*\}\s*\n\s*\{/.test(head) ? 'ndjson' : 'json'
  return 'csv'
}

/** A raw row with its line (CSV) or record number, or the error that row already has. */
interface SourceRow {
  line: number
  raw: RawRow | InventoryRowError
  /** managedBy came from a ConfigMgr export's "Client" column. */
  clientColumn: boolean
}

/** The file's text in chunks of CHUNK_BYTES, read synchronously (the import is one transaction). */
function* textChunks(file: string, onBytes: (n: number) => void): Generator<string> {
  const fd = openSync(file, 'r')
  const decoder = new StringDecoder('utf8')
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES)
  try {
    for (let n = readSync(fd, buffer, 0, CHUNK_BYTES, null); n > 0; n = readSync(fd, buffer, 0, CHUNK_BYTES, null)) {
      onBytes(n)
      yield decoder.write(buffer.subarray(0, n))
    }

    const rest = decoder.end()
    if (rest !== '') yield rest
  } finally {
    closeSync(fd)
  }
}

function* csvRows(file: string, onBytes: (n: number) => void): Generator<SourceRow> {
  const reader = new CsvReader()
  let header: (InventoryField | null)[] | null = null
  let clientColumn = false
  try {
    for (const records of withEnd(textChunks(file, onBytes), reader)) {
      for (const {line, fields} of records) {
        if (!header) {
          header = csvHeader(file, fields, line)
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
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw new InvalidInputError(`${basename(file)} line ${error.line}: ${error.message}; nothing was imported.`, {
        code: 'INVALID_INVENTORY',
        suggestions: ['Quote fields that contain commas, quotes or line breaks, and double quotes inside them (RFC 4180).'],
      })
    }

    throw error
  }

  if (!header) throw new InvalidInputError(`${basename(file)} is empty.`, {code: 'INVALID_INVENTORY', suggestions: ['Export the inventory again.']})
}

/** The CSV records of each chunk, then those the end of the file completes. */
function* withEnd(chunks: Iterable<string>, reader: CsvReader): Generator<ReturnType<CsvReader['push']>> {
  for (const chunk of chunks) yield reader.push(chunk)
  yield reader.end()
}

function csvHeader(file: string, fields: string[], line: number): (InventoryField | null)[] {
  try {
    return mapHeader(fields, line)
  } catch (error) {
    if (error instanceof InventoryRowError) {
      throw new InvalidInputError(`${basename(file)} line ${line}: ${error.message}; nothing was imported.`, {
        code: 'INVALID_INVENTORY',
        suggestions: ['The first line must name the columns, with at least name and os (see the README, section Devices).'],
      })
    }

    throw error
  }
}

function* jsonRows(file: string, onBytes: (n: number) => void): Generator<SourceRow> {
  const text = readFileSync(file, 'utf8')
  onBytes(Buffer.byteLength(text))
  let doc: unknown
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (error) {
    throw new InvalidInputError(`${basename(file)} is not valid JSON: ${(error as Error).message}.`, {
      code: 'INVALID_INVENTORY',
      suggestions: ['Use an array of device objects, {"devices": [...]}, or one object per line (.ndjson).'],
    })
  }

  const items = Array.isArray(doc) ? doc : (doc as {devices?: unknown})?.devices
  if (!Array.isArray(items)) {
    throw new InvalidInputError(`${basename(file)} has no device list.`, {
      code: 'INVALID_INVENTORY',
      suggestions: ['Use an array of device objects or {"devices": [...]}.'],
    })
  }

  for (const [i, item] of items.entries()) yield jsonSourceRow(item, i + 1)
}

function jsonSourceRow(item: unknown, index: number): SourceRow {
  try {
    return {line: index, raw: jsonRow(item, index), clientColumn: false}
  } catch (error) {
    if (!(error instanceof InventoryRowError)) throw error
    return {line: index, raw: error, clientColumn: false}
  }
}

function* ndjsonRows(file: string, onBytes: (n: number) => void): Generator<SourceRow> {
  let rest = ''
  let line = 0
  const take = (text: string): SourceRow | undefined => {
    line++
    if (text.trim() === '') return undefined
    let item: unknown
    try {
      item = JSON.parse(text)
    } catch (error) {
      return {line, raw: new InventoryRowError(line, null, `not valid JSON: ${(error as Error).message}`), clientColumn: false}
    }

    return jsonSourceRow(item, line)
  }

  for (const chunk of textChunks(file, onBytes)) {
    const lines = (rest + chunk).split('\n')
    rest = lines.pop()!
    for (const l of lines) {
      const row = take(l)
      if (row) yield row
    }
  }

  if (rest !== '') {
    const row = take(rest)
    if (row) yield row
  }
}

export async function listDevices(backend: Backend, options: DeviceFilter & {periodMs?: number; profile: string}): Promise<{devices: Device[]}> {
  await requireTenant(backend, options.profile)
  const {profile: _profile, ...filter} = options
  return {devices: await backend.devices.list(filter)}
}

export async function showDevice(backend: Backend, options: {name: string; periodMs?: number; profile: string}): Promise<{device: Device}> {
  await requireTenant(backend, options.profile)
  return {device: await backend.devices.get(options.name, {periodMs: options.periodMs})}
}
