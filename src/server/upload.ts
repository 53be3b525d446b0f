/**
 * Streamed request bodies (issue 15): an operation with a `stream` entry in the registry also
 * takes `Content-Type: application/x-ndjson`, one record per line, sent with chunked transfer
 * encoding while the client reads its file. The request thread appends the bytes to an
 * owner-only file in the server's upload folder, reading no faster than the file is written;
 * once the body has ended whole, the database thread reads the file back line by line, checks
 * each record with the JSON route's schema and applies them all in ONE call (one transaction for
 * the device import), so each record is parsed once. A body that does not end whole (the client
 * was killed, the connection dropped) or has a bad line applies nothing, and its file is
 * removed. A file that a crashed server left behind is removed at the next start.
 */
import {randomBytes} from 'node:crypto'
import {closeSync, mkdirSync, openSync, readdirSync, readSync, rmSync} from 'node:fs'
import {open, rm} from 'node:fs/promises'
import type {Readable} from 'node:stream'
import {join} from 'node:path'
import {AtpError} from '../core/errors.js'
import {LineSplitter, LineTooLongError} from '../lib/ndjson.js'
import {compileCheck} from './validation.js'
import type {JsonSchema} from '../backends/remote/operations.js'

/** Largest streamed import body, bytes (serve --import-limit, in MiB). 1,000,000 devices are about 400 MiB. */
export const DEFAULT_IMPORT_LIMIT = 2048 * 1024 * 1024

/** A streamed request body as the content-type parser hands it to the route. */
export class StreamedBody {
  constructor(readonly stream: Readable) {}
}

export interface UploadOptions {
  /** Folder of the files being received (see prepareUploadDir). */
  dir: string
  /** Largest accepted body, bytes. */
  limit: number
  /** A body from which nothing arrives for this long is dropped (the connection is closed). */
  idleMs: number
}

export interface ReceivedUpload {
  file: string
  bytes: number
}

/** Creates the upload folder owner-only and removes what an earlier server left in it (an upload is never resumed). */
export function prepareUploadDir(dir: string): void {
  mkdirSync(dir, {recursive: true, mode: 0o700})
  for (const name of readdirSync(dir)) if (name.startsWith('upload-')) rmSync(join(dir, name), {force: true})
}

/**
 * Receives an NDJSON body into a new owner-only file (its lines are checked when read back, see
 * checkedRecords). Resolves once the body ended whole; the caller removes the file. Rejects with
 * an AtpError (and removes the file) on a body over the limit, one that stalls for `idleMs` or
 * one that never ends whole. After a refusal the rest of the body is read and dropped, so the
 * client gets the answer instead of a broken pipe.
 */
export async function receiveNdjson(stream: Readable, options: UploadOptions): Promise<ReceivedUpload> {
  const file = join(options.dir, `upload-${process.pid}-${randomBytes(8).toString('hex')}.ndjson`)
  const handle = await open(file, 'wx', 0o600)
  let bytes = 0
  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false
      const detach = () => {
        stream.off('data', onData)
        stream.off('end', onEnd)
        stream.off('error', onAbort)
        stream.off('close', onClose)
      }

      let idle: NodeJS.Timeout | undefined
      const watch = () => {
        clearTimeout(idle)
        idle = setTimeout(() => {
          fail(stalled(options.idleMs))
          stream.destroy()
        }, options.idleMs)
      }

      const fail = (error: unknown) => {
        if (settled) return
        settled = true
        clearTimeout(idle)
        detach()
        // Drop the rest of the body (bounded by the server's request timeout) so the answer is read.
        stream.on('error', () => {})
        stream.resume()
        reject(error)
      }

      const onData = (chunk: Buffer) => {
        bytes += chunk.length
        if (bytes > options.limit) {
          fail(tooLarge(options.limit))
          return
        }

        // Back-pressure: the next chunk is read once this one is on disk.
        stream.pause()
        clearTimeout(idle)
        handle.write(chunk).then(
          () => {
            if (settled) return
            watch()
            stream.resume()
          },
          (error) => fail(error),
        )
      }

      const onEnd = () => {
        clearTimeout(idle)
        settled = true
        detach()
        resolve()
      }

      const onAbort = () => fail(aborted())
      const onClose = () => fail(aborted())
      stream.on('data', onData)
      stream.once('end', onEnd)
      stream.once('error', onAbort)
      stream.once('close', onClose)
      watch()
      stream.resume()
    })
    await handle.close()
  } catch (error) {
    await handle.close().catch(() => {})
    await rm(file, {force: true})
    throw error
  }

  return {file, bytes}
}

/**
 * The records of a received file, each checked against `item` as it is read (the database
 * thread runs this inside the operation's transaction): a line that is not JSON, does not fit
 * the schema or is longer than `maxLineChars` throws, naming its line, and nothing is applied.
 */
export function* checkedRecords(file: string, item: JsonSchema, maxLineChars: number): Generator<unknown> {
  const check = compileCheck(item)
  const fd = openSync(file, 'r')
  const splitter = new LineSplitter(maxLineChars)
  const buffer = Buffer.allocUnsafe(1 << 16)
  let line = 0
  // Inventories repeat the same lists (collections, managers, groups) on many rows; the embedded
  // import gets one shared array per distinct cell from the core and the backend caches its
  // work per array, so parsed lists are shared the same way here (bounded).
  const lists = new Map<string, unknown[]>()
  const share = (value: Record<string, unknown>) => {
    for (const key in value) {
      const list = value[key]
      if (!Array.isArray(list)) continue
      const id = key + JSON.stringify(list)
      const known = lists.get(id)
      if (known) value[key] = known
      else if (lists.size < 100_000) lists.set(id, list)
    }
  }

  const take = (text: string): unknown => {
    line++
    if (text.trim() === '') return undefined
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      throw badLine(line, `not valid JSON (${(error as Error).message})`)
    }

    const problem = check(value)
    if (problem !== null) {
      const name = (value as {name?: unknown} | null)?.name
      throw badLine(line, (typeof name === 'string' ? `device '${name.slice(0, 255)}': ` : '') + problem)
    }

    if (value !== null && typeof value === 'object') share(value as Record<string, unknown>)
    return value
  }

  try {
    for (let n = readSync(fd, buffer, 0, buffer.length, null); ; n = readSync(fd, buffer, 0, buffer.length, null)) {
      let lines: string[]
      try {
        lines = n > 0 ? splitter.push(buffer.subarray(0, n)) : splitter.end()
      } catch (error) {
        if (error instanceof LineTooLongError) throw badLine(error.line, `longer than ${error.maxChars} characters`)
        throw error
      }

      for (const text of lines) {
        const value = take(text)
        if (value !== undefined) yield value
      }

      if (n === 0) break
    }
  } finally {
    closeSync(fd)
  }
}

function badLine(line: number, problem: string): AtpError {
  return new AtpError('INVALID_REQUEST', 2, `Invalid request: line ${line} of the body: ${problem}; nothing was imported.`, {
    suggestions: ['Send one JSON record per line, each of the shape the JSON route takes.'],
    details: {line},
  })
}

function tooLarge(limit: number): AtpError {
  return Object.assign(
    new AtpError('PAYLOAD_TOO_LARGE', 2, `The import is larger than this server accepts (${Math.round(limit / 1024 / 1024)} MiB); nothing was imported.`, {
      suggestions: ['Split the inventory, or ask the server operator to raise --import-limit.'],
    }),
    {statusCode: 413},
  )
}

function stalled(idleMs: number): AtpError {
  return new AtpError('UPLOAD_STALLED', 6, `Nothing arrived for ${Math.round(idleMs / 1000)} s in the middle of the upload; nothing was imported.`, {
    suggestions: ['Run the import again.'],
  })
}

function aborted(): AtpError {
  return new AtpError('UPLOAD_ABORTED', 6, 'The client went away before the upload ended; nothing was imported.', {suggestions: ['Run the import again.']})
}
