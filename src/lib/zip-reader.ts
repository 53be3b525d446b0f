/**
 * A small streaming zip reader. It reads the end-of-central-directory record, then the central
 * directory record by record, and entry data on demand, all through one 1 MiB window, so memory
 * stays bounded whatever the archive size (STYLE §1a: yauzl is about a third of unzip's speed and
 * would buffer per entry; an inspector needs the directory and a few small entries).
 * Every entry read is checked: the local header agrees with the directory (name, flags, method,
 * CRC-32, both sizes, or the data descriptor when flag bit 3 says the values follow the data),
 * data lies inside the file and before the directory, no overlap with the next entry, exact
 * size, CRC-32. Inflating is bounded per chunk: entries over 1 MiB stream through an inflater
 * that is read, never flowing into a buffer. Zip64 is supported; encryption and methods other
 * than store/deflate are reported.
 */
import {open, type FileHandle} from 'node:fs/promises'
import {Readable} from 'node:stream'
import * as zlib from 'node:zlib'

export class ZipFormatError extends Error {
  constructor(
    message: string,
    readonly reason: 'not-zip' | 'corrupt' | 'crc' | 'unsupported' | 'too-large',
    readonly entryName?: string,
  ) {
    super(message)
    this.name = 'ZipFormatError'
  }
}

export interface ZipEntry {
  index: number
  /** Name as stored (backslashes kept: macOS MDM packages use them). */
  name: string
  method: number
  flags: number
  crc32: number
  compressedSize: number
  uncompressedSize: number
  localHeaderOffset: number
  versionMadeBy: number
  externalAttributes: number
  isDirectory: boolean
  isSymlink: boolean
  encrypted: boolean
}

const WINDOW = 1024 * 1024
const CHUNK = 1024 * 1024
/** All entry names together (10,000 entries of 1.6 KiB each). */
const MAX_NAME_BYTES = 16 * 1024 * 1024
/** Compressed input handed to the inflater at a time. */
const INPUT_CHUNK = 256 * 1024
/** Inflated output per chunk: what the inflater may produce before it is read. */
const INFLATE_CHUNK = 256 * 1024
/** Small entries (both sizes at most this) inflate in one synchronous call; larger ones stream. */
const SYNC_LIMIT = 1024 * 1024

const crc32 = (data: Buffer, value = 0): number =>
  typeof (zlib as {crc32?: unknown}).crc32 === 'function' ? (zlib as unknown as {crc32(d: Buffer, v: number): number}).crc32(data, value) : crc32Js(data, value)

let table: Uint32Array | undefined
function crc32Js(data: Buffer, value: number): number {
  if (!table) {
    table = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      table[n] = c >>> 0
    }
  }

  let crc = ~value >>> 0
  for (const byte of data) crc = table[(crc ^ byte) & 0xff] ^ (crc >>> 8)
  return ~crc >>> 0
}

export {crc32}

/**
 * Inflated data is garbage as soon as its CRC is taken, but V8 only collects when external
 * memory has grown by ~64 MiB, which alone would take a 40 MiB CLI past its 100 MiB budget
 * on a large archive (measured: +40 MiB over 2,700 entries). Every RECLAIM_BYTES of output or
 * RECLAIM_ENTRIES inflated entries we ask for a young-generation collection, through
 * the documented-as-unsafe but long-standing `--expose-gc` runtime flag; if that is not
 * available, nothing breaks, memory is just higher.
 */
const RECLAIM_BYTES = 8 * 1024 * 1024
/** Each inflate also holds a native zlib context (~40 KiB) until its handle is collected. */
const RECLAIM_ENTRIES = 16
let collect: ((options?: {type: 'minor' | 'major'}) => void) | null | undefined
async function reclaim(): Promise<void> {
  if (collect === undefined) {
    try {
      const v8 = await import('node:v8')
      const vm = await import('node:vm')
      v8.setFlagsFromString('--expose-gc')
      collect = vm.runInNewContext('gc') as (options?: {type: 'minor' | 'major'}) => void
    } catch {
      collect = null
    }
  }

  // A scavenge is enough (the garbage is young) and costs well under a millisecond.
  collect?.({type: 'minor'})
}

class FileWindow {
  /** One buffer, refilled in place: reading 200 MB allocates nothing per refill. */
  private readonly buf = Buffer.allocUnsafe(WINDOW)
  private start = 0
  private length = 0

  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
  ) {}

  /** Bytes [pos, pos+len); a view valid until the next call (copy what you keep). */
  async read(pos: number, len: number): Promise<Buffer> {
    if (pos < 0 || pos + len > this.size) throw new ZipFormatError('the zip points past the end of the file (truncated or corrupt)', 'corrupt')
    if (pos >= this.start && pos + len <= this.start + this.length) return this.buf.subarray(pos - this.start, pos - this.start + len)
    const target = len > WINDOW ? Buffer.allocUnsafe(len) : this.buf
    const want = len > WINDOW ? len : Math.min(WINDOW, this.size - pos)
    let got = 0
    while (got < want) {
      const {bytesRead} = await this.fh.read(target, got, want - got, pos + got)
      if (bytesRead === 0) break
      got += bytesRead
    }

    if (got < len) throw new ZipFormatError('the zip file is truncated', 'corrupt')
    if (target !== this.buf) {
      this.length = 0
      return target.subarray(0, len)
    }

    this.start = pos
    this.length = got
    return this.buf.subarray(0, len)
  }
}

export interface ZipReader {
  readonly entries: ZipEntry[]
  readonly fileSize: number
  /** The whole entry, checked; refuses entries larger than maxBytes. */
  readEntry(entry: ZipEntry, maxBytes: number): Promise<Buffer>
  /** Streams the entry's data to onChunk (≤ 1 MiB each), checking size and CRC. */
  streamEntry(entry: ZipEntry, onChunk?: (chunk: Buffer) => void | Promise<void>): Promise<void>
  close(): Promise<void>
}

function decodeName(raw: Buffer, utf8: boolean): string {
  return utf8 || raw.every((b) => b < 0x80) ? raw.toString('utf8') : raw.toString('latin1')
}

/** Opens a zip and reads its central directory. Throws ZipFormatError when it is not one. */
export async function openZipReader(path: string, options: {maxEntries?: number} = {}): Promise<ZipReader> {
  const fh = await open(path, 'r')
  try {
    const {size} = await fh.stat()
    const window = new FileWindow(fh, size)
    const entries = await readCentralDirectory(window, size, options.maxEntries ?? 1_000_000)
    return makeReader(fh, window, entries, size)
  } catch (error) {
    await fh.close()
    throw error
  }
}

/** Reads the directory record by record through the file window (never the whole directory at once). */
async function readCentralDirectory(window: FileWindow, size: number, maxEntries: number): Promise<ZipEntry[]> {
  if (size < 22) throw new ZipFormatError('the file is too small to be a zip', 'not-zip')
  const tailLen = Math.min(size, 22 + 0xffff)
  const tail = Buffer.from(await window.read(size - tailLen, tailLen))
  let eocd = -1
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50 && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
      eocd = i
      break
    }
  }

  if (eocd < 0) throw new ZipFormatError('no zip end-of-central-directory record found (not a zip, or truncated)', 'not-zip')
  let total = tail.readUInt16LE(eocd + 10)
  let cdSize = tail.readUInt32LE(eocd + 12)
  let cdOffset = tail.readUInt32LE(eocd + 16)
  const eocdPos = size - tailLen + eocd
  if (total === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocdPos >= 20 ? await window.read(eocdPos - 20, 20) : null
    if (locator && locator.readUInt32LE(0) === 0x07064b50) {
      const z64Pos = Number(locator.readBigUInt64LE(8))
      const z64 = Buffer.from(await window.read(z64Pos, 56))
      if (z64.readUInt32LE(0) !== 0x06064b50) throw new ZipFormatError('the zip64 end-of-central-directory record is corrupt', 'corrupt')
      total = Number(z64.readBigUInt64LE(32))
      cdSize = Number(z64.readBigUInt64LE(40))
      cdOffset = Number(z64.readBigUInt64LE(48))
    }
  }

  // The declared count is checked before a single record is read: a million-entry archive is
  // refused in constant memory. The records actually present are counted too (below).
  if (total > maxEntries) throw new ZipFormatError(`the zip has ${total} entries (limit ${maxEntries})`, 'too-large')
  if (cdOffset + cdSize > eocdPos) throw new ZipFormatError('the central directory lies outside the file', 'corrupt')
  const cdEnd = cdOffset + cdSize
  const entries: ZipEntry[] = []
  let nameBytes = 0
  let p = cdOffset
  for (let index = 0; index < total; index++) {
    if (p + 46 > cdEnd) throw new ZipFormatError('the central directory is corrupt', 'corrupt')
    const head = Buffer.from(await window.read(p, 46))
    if (head.readUInt32LE(0) !== 0x02014b50) throw new ZipFormatError('the central directory is corrupt', 'corrupt')
    const versionMadeBy = head.readUInt16LE(4)
    const flags = head.readUInt16LE(8)
    const method = head.readUInt16LE(10)
    const crc = head.readUInt32LE(16)
    let compressedSize = head.readUInt32LE(20)
    let uncompressedSize = head.readUInt32LE(24)
    const nameLen = head.readUInt16LE(28)
    const extraLen = head.readUInt16LE(30)
    const commentLen = head.readUInt16LE(32)
    const externalAttributes = head.readUInt32LE(38)
    let localHeaderOffset = head.readUInt32LE(42)
    if (p + 46 + nameLen + extraLen + commentLen > cdEnd) throw new ZipFormatError('the central directory is corrupt', 'corrupt')
    // Names are kept for every entry: bounded in total, so long names cannot stand in for many entries.
    nameBytes += nameLen
    if (nameBytes > MAX_NAME_BYTES) throw new ZipFormatError(`the zip's entry names take more than ${MAX_NAME_BYTES} bytes`, 'too-large')
    const variable = Buffer.from(await window.read(p + 46, nameLen + extraLen))
    const name = decodeName(variable.subarray(0, nameLen), (flags & 0x800) !== 0)
    const zip64 = readZip64Extra(variable.subarray(nameLen), {uncompressedSize, compressedSize, localHeaderOffset})
    ;({uncompressedSize, compressedSize, localHeaderOffset} = zip64)
    const unixMode = versionMadeBy >> 8 === 3 ? externalAttributes >>> 16 : 0
    entries.push({
      index,
      name,
      method,
      flags,
      crc32: crc,
      compressedSize,
      uncompressedSize,
      localHeaderOffset,
      versionMadeBy,
      externalAttributes,
      isDirectory: /[/\\]$/.test(name) || (unixMode & 0o170000) === 0o040000 || (externalAttributes & 0x10) !== 0,
      isSymlink: (unixMode & 0o170000) === 0o120000,
      encrypted: (flags & 1) !== 0,
    })
    p += 46 + nameLen + extraLen + commentLen
  }

  // The records must fill the directory exactly: a count that hides records (which other tools
  // would list) is another way to show two different archives.
  if (p !== cdEnd) throw new ZipFormatError(`the central directory does not hold exactly the ${total} entries its end record declares`, 'corrupt')

  // Each entry's data must end before the next entry starts (overlapping entries are a bomb trick).
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset)
  for (let i = 0; i < byOffset.length; i++) {
    const limit = i + 1 < byOffset.length ? byOffset[i + 1].localHeaderOffset : cdOffset
    const entry = byOffset[i]
    if (entry.localHeaderOffset + 30 + entry.compressedSize > limit) {
      throw new ZipFormatError(`entry '${entry.name}' overlaps another entry or the central directory`, 'corrupt', entry.name)
    }

    ;(entry as ZipEntry & {dataLimit?: number}).dataLimit = limit
  }

  return entries
}

interface Sizes {
  uncompressedSize: number
  compressedSize: number
  localHeaderOffset: number
}

/** Applies a zip64 extended-information extra field (id 1) to the 32-bit values that are 0xffffffff. */
function readZip64Extra(extra: Buffer, sizes: Sizes, local = false): Sizes & {zip64: boolean} {
  const out = {...sizes, zip64: false}
  let e = 0
  while (e + 4 <= extra.length) {
    const id = extra.readUInt16LE(e)
    const len = extra.readUInt16LE(e + 2)
    if (id === 0x0001) {
      out.zip64 = true
      let q = e + 4
      const end = Math.min(extra.length, e + 4 + len)
      const next = () => {
        const v = Number(extra.readBigUInt64LE(q))
        q += 8
        return v
      }

      // A local header's zip64 field holds both sizes whenever it is present (APPNOTE 4.5.3).
      if ((local || sizes.uncompressedSize === 0xffffffff) && q + 8 <= end) out.uncompressedSize = next()
      if ((local || sizes.compressedSize === 0xffffffff) && q + 8 <= end) out.compressedSize = next()
      if (!local && sizes.localHeaderOffset === 0xffffffff && q + 8 <= end) out.localHeaderOffset = next()
    }

    e += 4 + len
  }

  return out
}

function makeReader(fh: FileHandle, window: FileWindow, entries: ZipEntry[], fileSize: number): ZipReader {
  async function dataRange(entry: ZipEntry): Promise<{start: number; end: number}> {
    if (entry.encrypted) throw new ZipFormatError(`entry '${entry.name}' is encrypted`, 'unsupported', entry.name)
    if (entry.method !== 0 && entry.method !== 8) {
      throw new ZipFormatError(`entry '${entry.name}' uses compression method ${entry.method} (only store and deflate are supported)`, 'unsupported', entry.name)
    }

    const header = Buffer.from(await window.read(entry.localHeaderOffset, 30))
    if (header.readUInt32LE(0) !== 0x04034b50) throw new ZipFormatError(`entry '${entry.name}' has no local header where the directory says`, 'corrupt', entry.name)
    const differs = (what: string) =>
      new ZipFormatError(`entry '${entry.name}' has a different ${what} in its local header than in the central directory`, 'corrupt', entry.name)
    const localFlags = header.readUInt16LE(6)
    const nameLen = header.readUInt16LE(26)
    const extraLen = header.readUInt16LE(28)
    const limit = (entry as ZipEntry & {dataLimit?: number}).dataLimit ?? fileSize
    if (entry.localHeaderOffset + 30 + nameLen + extraLen > limit) throw new ZipFormatError(`entry '${entry.name}' overlaps another entry or the central directory`, 'corrupt', entry.name)
    const variable = Buffer.from(await window.read(entry.localHeaderOffset + 30, nameLen + extraLen))
    const localName = decodeName(variable.subarray(0, nameLen), (localFlags & 0x800) !== 0)
    if (localName !== entry.name) throw new ZipFormatError(`entry '${entry.name}' has a different name in its local header ('${localName}')`, 'corrupt', entry.name)
    // Both headers describe one entry: a reader that trusts either must see the same thing
    // (a differential between them is how one file shows two contents to two tools).
    if (localFlags !== entry.flags) throw differs('flags field')
    if (header.readUInt16LE(8) !== entry.method) throw differs('compression method')
    const local = readZip64Extra(
      variable.subarray(nameLen),
      {compressedSize: header.readUInt32LE(18), uncompressedSize: header.readUInt32LE(22), localHeaderOffset: 0},
      true,
    )
    const localCrc = header.readUInt32LE(14)
    const descriptor = (entry.flags & 0x8) !== 0
    // With a data descriptor (flag bit 3) the local fields may be zero; the descriptor after the data holds the values.
    const zeroed = descriptor && localCrc === 0 && local.compressedSize === 0 && local.uncompressedSize === 0
    if (!zeroed) {
      if (localCrc !== entry.crc32) throw differs('CRC-32')
      if (local.compressedSize !== entry.compressedSize || local.uncompressedSize !== entry.uncompressedSize) throw differs('size')
    }

    const start = entry.localHeaderOffset + 30 + nameLen + extraLen
    const end = start + entry.compressedSize
    if (end > limit) throw new ZipFormatError(`entry '${entry.name}' overlaps another entry or the central directory`, 'corrupt', entry.name)
    if (descriptor) {
      const wide = local.zip64 || entry.compressedSize >= 0xffffffff || entry.uncompressedSize >= 0xffffffff
      const avail = Math.min(limit - end, wide ? 24 : 16)
      const d = avail >= 12 ? Buffer.from(await window.read(end, avail)) : Buffer.alloc(0)
      const skip = d.length >= 4 && d.readUInt32LE(0) === 0x08074b50 ? 4 : 0
      const need = skip + 4 + (wide ? 16 : 8)
      if (d.length < need) throw new ZipFormatError(`entry '${entry.name}' is missing the data descriptor its flags announce`, 'corrupt', entry.name)
      const dCrc = d.readUInt32LE(skip)
      const dCompressed = wide ? Number(d.readBigUInt64LE(skip + 4)) : d.readUInt32LE(skip + 4)
      const dUncompressed = wide ? Number(d.readBigUInt64LE(skip + 12)) : d.readUInt32LE(skip + 8)
      if (dCrc !== entry.crc32) throw new ZipFormatError(`entry '${entry.name}' has a different CRC-32 in its data descriptor than in the central directory`, 'corrupt', entry.name)
      if (dCompressed !== entry.compressedSize || dUncompressed !== entry.uncompressedSize) {
        throw new ZipFormatError(`entry '${entry.name}' has a different size in its data descriptor than in the central directory`, 'corrupt', entry.name)
      }
    }

    return {start, end}
  }

  const sizeError = (entry: ZipEntry) =>
    new ZipFormatError(`entry '${entry.name}' does not have the size its header declares (corrupt, or a zip bomb)`, 'corrupt', entry.name)
  const crcError = (entry: ZipEntry) => new ZipFormatError(`entry '${entry.name}' fails its CRC-32 check (corrupted or altered)`, 'crc', entry.name)

  let sinceReclaim = 0
  let entriesSinceReclaim = 0
  async function streamEntry(entry: ZipEntry, onChunk?: (chunk: Buffer) => void | Promise<void>): Promise<void> {
    if (entry.method !== 0) {
      sinceReclaim += entry.uncompressedSize
      entriesSinceReclaim++
    }

    if (sinceReclaim >= RECLAIM_BYTES || entriesSinceReclaim >= RECLAIM_ENTRIES) {
      sinceReclaim = 0
      entriesSinceReclaim = 0
      await reclaim()
    }

    const {start, end} = await dataRange(entry)
    if (entry.method === 0) {
      if (entry.compressedSize !== entry.uncompressedSize) throw sizeError(entry)
      let crc = 0
      for (let p = start; p < end; p += CHUNK) {
        const chunk = await window.read(p, Math.min(CHUNK, end - p))
        crc = crc32(chunk, crc)
        if (onChunk) await onChunk(Buffer.from(chunk))
      }

      if (crc >>> 0 !== entry.crc32) throw crcError(entry)
      return
    }

    if (entry.uncompressedSize <= SYNC_LIMIT && entry.compressedSize <= SYNC_LIMIT) {
      const out = inflateSync(entry, await window.read(start, end - start))
      if (crc32(out) >>> 0 !== entry.crc32) throw crcError(entry)
      for (let p = 0; p < out.length; p += CHUNK) if (onChunk) await onChunk(out.subarray(p, Math.min(out.length, p + CHUNK)))
      return
    }

    await inflateStreaming(entry, start, end, onChunk)
  }

  function inflateSync(entry: ZipEntry, compressed: Buffer): Buffer {
    let out: Buffer
    try {
      out = zlib.inflateRawSync(compressed, {maxOutputLength: Math.max(1, entry.uncompressedSize + 1)})
    } catch (error) {
      if ((error as {code?: string}).code === 'ERR_BUFFER_TOO_LARGE') throw sizeError(entry)
      throw new ZipFormatError(`entry '${entry.name}' has corrupt compressed data`, 'corrupt', entry.name)
    }

    if (out.length !== entry.uncompressedSize) throw sizeError(entry)
    return out
  }

  /**
   * Inflates through a stream that is read, not flowing: zlib stops producing when its output
   * buffer is full and nobody has read it, so memory stays at a few chunks whatever the ratio
   * (a 1 MB deflate of 1 GiB of zeros never has more than INFLATE_CHUNK of output in flight).
   */
  async function inflateStreaming(entry: ZipEntry, start: number, end: number, onChunk?: (chunk: Buffer) => void | Promise<void>): Promise<void> {
    const inflater = zlib.createInflateRaw({chunkSize: INFLATE_CHUNK})
    inflater.on('error', () => {})
    async function* compressed(): AsyncGenerator<Buffer> {
      for (let p = start; p < end; p += INPUT_CHUNK) yield Buffer.from(await window.read(p, Math.min(INPUT_CHUNK, end - p)))
    }

    const source = Readable.from(compressed(), {objectMode: false, highWaterMark: INPUT_CHUNK})
    source.on('error', (error) => inflater.destroy(error))
    source.pipe(inflater)
    let crc = 0
    let produced = 0
    let consumerFailed = false
    try {
      for await (const chunk of inflater as AsyncIterable<Buffer>) {
        produced += chunk.length
        if (produced > entry.uncompressedSize) throw sizeError(entry)
        crc = crc32(chunk, crc)
        if (onChunk) {
          consumerFailed = true
          await onChunk(chunk)
          consumerFailed = false
        }
      }
    } catch (error) {
      // The consumer's own failure (a full disk while extracting) is not a corrupt archive.
      if (error instanceof ZipFormatError || consumerFailed) throw error
      throw new ZipFormatError(`entry '${entry.name}' has corrupt compressed data (${(error as Error).message})`, 'corrupt', entry.name)
    } finally {
      source.unpipe(inflater)
      source.destroy()
      inflater.destroy()
    }

    if (produced !== entry.uncompressedSize) throw sizeError(entry)
    if (crc >>> 0 !== entry.crc32) throw crcError(entry)
  }

  return {
    entries,
    fileSize,
    async readEntry(entry, maxBytes) {
      if (entry.uncompressedSize > maxBytes) {
        throw new ZipFormatError(`entry '${entry.name}' is ${entry.uncompressedSize} bytes (limit ${maxBytes})`, 'too-large', entry.name)
      }

      const parts: Buffer[] = []
      await streamEntry(entry, (chunk) => {
        parts.push(Buffer.from(chunk))
      })
      return Buffer.concat(parts)
    },
    streamEntry,
    close: () => fh.close(),
  }
}

/** True when the file starts with a local file header or is an empty zip (EOCD). */
export async function looksLikeZip(path: string): Promise<boolean> {
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.alloc(4)
    const {bytesRead} = await fh.read(buf, 0, 4, 0)
    return bytesRead === 4 && (buf.readUInt32LE(0) === 0x04034b50 || buf.readUInt32LE(0) === 0x06054b50)
  } finally {
    await fh.close()
  }
}
