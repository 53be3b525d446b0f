import {basename} from 'node:path'
import type {Backend} from '../port/types.js'
import {listPages, type PagedList} from '../port/page.js'
import {InvalidInputError} from '../errors.js'
import {requireTenant} from '../tenant/service.js'
import {createRowMemo, InventoryRowError, normaliseRow} from './inventory.js'
import {type InventoryFormat, type InventoryInput, openInventory} from './inventory-file.js'
import {nameKey} from '../names.js'
import type {ConfirmImpact} from '../collection/service.js'
import type {DeleteImpact} from '../endpoint-lifecycle.js'
import type {Device, DeviceFilter, DeviceRecord, ImportSummary} from './types.js'

export type {InventoryFormat} from './inventory-file.js'

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
  /** False when nothing changed: the same file imported again (issue 11 item 4). */
  changed: boolean
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

/**
 * Reads a CSV, JSON or NDJSON inventory and imports it in one transaction. The file is read
 * in chunks and each valid record goes to the backend as soon as it is parsed, so a large
 * inventory is never held in memory twice; an invalid row (unless skipInvalid) makes the
 * record stream fail at its end, after every row was checked, and nothing is imported.
 */
export async function importInventory(backend: Backend, options: ImportOptions): Promise<ImportResult> {
  await requireTenant(backend, options.profile)
  const input = openInventory(options.file, options.format)
  const report: {invalid: InvalidRow[]; invalidCount: number} = {invalid: [], invalidCount: 0}
  try {
    const summary = await backend.devices.import({records: validRecords(options, input, report)})
    return {file: options.file, format: input.format, summary: {...summary, skipped: report.invalidCount}, invalid: report.invalid, changed: summary.changed}
  } finally {
    input.close()
  }
}

/**
 * The valid records of the file, in order, as an async iterable (the port takes one, so a source
 * that must wait for its data streams through the same way); throws at the end when a row was
 * invalid and skipInvalid is off.
 */
async function* validRecords(options: ImportOptions, input: InventoryInput, report: {invalid: InvalidRow[]; invalidCount: number}): AsyncGenerator<DeviceRecord> {
  const {format, size} = input
  const seen = new Map<string, number>()
  const memo = createRowMemo()
  let read = 0
  const onBytes = (n: number) => {
    read += n
    options.onProgress?.(read, size)
  }

  const rows = input.rows(onBytes)
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

/** Devices page by page (issue 11 item 6): a listing of a million devices holds one page at a time. */
export async function listDevices(backend: Backend, options: DeviceFilter & {periodMs?: number; profile: string; limit?: number}): Promise<{devices: PagedList<Device>}> {
  await requireTenant(backend, options.profile)
  const {profile: _profile, limit, ...filter} = options
  return {devices: await listPages((page) => backend.devices.list({...filter, ...page}), {limit})}
}

export async function showDevice(backend: Backend, options: {name: string; periodMs?: number; profile: string}): Promise<{device: Device}> {
  await requireTenant(backend, options.profile)
  return {device: await backend.devices.get(options.name, {periodMs: options.periodMs})}
}

/**
 * Deletes devices from the inventory (issue 11 item 8), all or nothing. Devices that are direct
 * members of collections or explicit members of groups are confirmed first (`confirm` sees what
 * it affects); the backend refuses an unconfirmed delete of those.
 */
export async function deleteDevices(
  backend: Backend,
  options: {names: string[]; confirm: ConfirmImpact; profile: string},
): Promise<{devices: string[]; changed: boolean; impact: DeleteImpact}> {
  await requireTenant(backend, options.profile)
  const preview = await backend.devices.delete({names: options.names, dryRun: true})
  if (preview.impact.inUse) await options.confirm(preview.impact)
  return backend.devices.delete({names: options.names, force: preview.impact.inUse})
}
