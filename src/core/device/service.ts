import {createReadStream} from 'node:fs'
import {stat} from 'node:fs/promises'
import {basename, extname} from 'node:path'
import type {Backend} from '../../backends/types.js'
import {InvalidInputError, NotFoundError} from '../errors.js'
import {requireTenant} from '../tenant/service.js'
import {CsvReader, CsvSyntaxError} from './csv.js'
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
  /** Called once the file is read and validated, before the records are written. */
  onWriting?: (records: number) => void
}

const MAX_LISTED = 100

/** Reads a CSV, JSON or NDJSON inventory (streamed), validates every row, and imports it in one transaction. */
export async function importInventory(backend: Backend, options: ImportOptions): Promise<ImportResult> {
  await requireTenant(backend, options.profile)
  let size: number
  try {
    size = (await stat(options.file)).size
  } catch {
    throw new NotFoundError(`Inventory file '${options.file}' not found.`, {suggestions: ['Check the path; CSV, JSON and NDJSON files are accepted.']})
  }

  const format = options.format ?? (await detectFormat(options.file))
  const invalid: InvalidRow[] = []
  let invalidCount = 0
  const records: DeviceRecord[] = []
  const seen = new Map<string, number>()
  const memo = createRowMemo()
  const accept = (raw: RawRow | InventoryRowError, line: number, clientColumn: boolean) => {
    try {
      if (raw instanceof InventoryRowError) throw raw
      const record = normaliseRow(raw, line, {clientColumn, memo})
      const key = record.name.toLowerCase()
      const first = seen.get(key)
      if (first !== undefined) throw new InventoryRowError(line, 'name', `device '${record.name}' is already on ${format === 'csv' ? 'line' : 'record'} ${first}`)
      seen.set(key, line)
      records.push(record)
    } catch (error) {
      if (!(error instanceof InventoryRowError)) throw error
      invalidCount++
      if (invalid.length < MAX_LISTED) invalid.push({line: error.line, field: error.field, message: error.message})
    }
  }

  let read = 0
  const progress = (n: number) => {
    read += n
    options.onProgress?.(read, size)
  }

  if (format === 'json') {
    await readJson(options.file, accept, progress)
  } else if (format === 'ndjson') {
    await readNdjson(options.file, accept, progress)
  } else {
    await readCsv(options.file, accept, progress)
  }

  if (invalidCount > 0 && !options.skipInvalid) {
    const unit = format === 'csv' ? 'line' : 'record'
    const first = invalid.slice(0, 5).map((e) => `${unit} ${e.line}: ${e.message}`)
    throw new InvalidInputError(
      `${invalidCount} invalid row${invalidCount > 1 ? 's' : ''} in ${basename(options.file)}; nothing was imported. ${first.join('; ')}${invalidCount > 5 ? '; …' : ''}`,
      {
        code: 'INVALID_INVENTORY',
        suggestions: ['Fix those rows, or pass --skip-invalid to import the valid rows only.'],
        details: {invalid},
      },
    )
  }

  options.onWriting?.(records.length)
  const summary = await backend.devices.import({records})
  return {file: options.file, format, summary: {...summary, skipped: invalidCount}, invalid}
}

async function detectFormat(file: string): Promise<InventoryFormat> {
  const ext = extname(file).toLowerCase()
  if (ext === '.csv') return 'csv'
  if (ext === '.json') return 'json'
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson'
  const stream = createReadStream(file, {encoding: 'utf8', start: 0, end: 4095})
  let head = ''
  for await (const chunk of stream) head += chunk
  const first = head.replace(/^\uFEFF/, '').trimStart()[0]
  if (first === '[') return 'json'
  if (first === '{') return /^\s*\{[^\n]*\}\s*\n\s*\{/.test(head) ? 'ndjson' : 'json'
  return 'csv'
}

type Accept = (raw: RawRow | InventoryRowError, line: number, clientColumn: boolean) => void

async function readCsv(file: string, accept: Accept, progress: (n: number) => void): Promise<void> {
  const reader = new CsvReader()
  let header: (InventoryField | null)[] | null = null
  let clientColumn = false
  const handle = (records: ReturnType<CsvReader['push']>) => {
    for (const {line, fields} of records) {
      if (!header) {
        try {
          header = mapHeader(fields, line)
        } catch (error) {
          if (error instanceof InventoryRowError) {
            throw new InvalidInputError(`${basename(file)} line ${line}: ${error.message}; nothing was imported.`, {
              code: 'INVALID_INVENTORY',
              suggestions: ['The first line must name the columns, with at least name and os (see the README, section Devices).'],
            })
          }

          throw error
        }

        clientColumn = fields.some((f) => f.trim().toLowerCase() === 'client')
        continue
      }

      if (fields.length !== header.length) {
        accept(new InventoryRowError(line, null, `expected ${header.length} fields like the header, found ${fields.length}`), line, false)
        continue
      }

      const raw: RawRow = {}
      for (let i = 0; i < header.length; i++) {
        const f = header[i]
        if (f) raw[f] = fields[i]
      }

      accept(raw, line, clientColumn)
    }
  }

  try {
    for await (const chunk of createReadStream(file, {encoding: 'utf8', highWaterMark: 1 << 20})) {
      progress(Buffer.byteLength(chunk as string))
      handle(reader.push(chunk as string))
    }

    handle(reader.end())
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

async function readJson(file: string, accept: Accept, progress: (n: number) => void): Promise<void> {
  let text = ''
  for await (const chunk of createReadStream(file, {encoding: 'utf8', highWaterMark: 1 << 20})) {
    progress(Buffer.byteLength(chunk as string))
    text += chunk
  }

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

  items.forEach((item, i) => acceptJson(item, i + 1, accept))
}

function acceptJson(item: unknown, index: number, accept: Accept): void {
  let raw: RawRow | InventoryRowError
  try {
    raw = jsonRow(item, index)
  } catch (error) {
    if (!(error instanceof InventoryRowError)) throw error
    raw = error
  }

  accept(raw, index, false)
}

async function readNdjson(file: string, accept: Accept, progress: (n: number) => void): Promise<void> {
  let rest = ''
  let line = 0
  const take = (text: string) => {
    line++
    if (text.trim() === '') return
    let item: unknown
    try {
      item = JSON.parse(text)
    } catch (error) {
      accept(new InventoryRowError(line, null, `not valid JSON: ${(error as Error).message}`), line, false)
      return
    }

    acceptJson(item, line, accept)
  }

  for await (const chunk of createReadStream(file, {encoding: 'utf8', highWaterMark: 1 << 20})) {
    progress(Buffer.byteLength(chunk as string))
    const lines = (rest + chunk).split('\n')
    rest = lines.pop()!
    for (const l of lines) take(l)
  }

  if (rest !== '') take(rest)
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
