/**
 * A tiny deterministic zip writer (store/deflate, no zip64: packages are a few hundred KiB).
 *
 * Why not archiver: (1) archiver (zip-stream) normalises entry names, turning the backslash
 * separators of real macOS MDM packages (REFERENCE §1.1) into slashes, so it cannot produce
 * a structurally identical zip; (2) same input → same bytes needs fixed timestamps, sorted
 * entries and fixed attributes, which is simpler to guarantee here than through its options;
 * (3) it is the heaviest dependency (STYLE §1a) for what is ~100 lines with node:zlib.
 */
import {deflateRawSync} from 'node:zlib'
import {crc32} from './zip-reader.js'

export interface ZipFile {
  /** Entry name exactly as stored (may contain backslashes). */
  name: string
  data: Buffer
}

/** 1980-01-01 00:00:00, the DOS epoch: no clock leaks into the bytes. */
const DOS_TIME = 0
const DOS_DATE = (0 << 9) | (1 << 5) | 1

/** Builds the zip bytes: entries sorted by name (byte order), fixed times, DOS host, no extras. */
export function buildZip(files: ZipFile[]): Buffer {
  const sorted = [...files].sort((a, b) => Buffer.compare(Buffer.from(a.name, 'utf8'), Buffer.from(b.name, 'utf8')))
  const names = new Set<string>()
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const file of sorted) {
    if (names.has(file.name)) throw new Error(`duplicate zip entry ${file.name}`)
    names.add(file.name)
    const name = Buffer.from(file.name, 'utf8')
    const utf8 = name.some((b) => b >= 0x80)
    const deflated = deflateRawSync(file.data, {level: 9})
    const store = deflated.length >= file.data.length
    const body = store ? file.data : deflated
    const crc = crc32(file.data) >>> 0
    const flags = utf8 ? 0x800 : 0
    const method = store ? 0 : 8
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(flags, 6)
    local.writeUInt16LE(method, 8)
    local.writeUInt16LE(DOS_TIME, 10)
    local.writeUInt16LE(DOS_DATE, 12)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(body.length, 18)
    local.writeUInt32LE(file.data.length, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4) // made by: MS-DOS (FAT), v2.0 — like zips made on Windows
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(flags, 8)
    central.writeUInt16LE(method, 10)
    central.writeUInt16LE(DOS_TIME, 12)
    central.writeUInt16LE(DOS_DATE, 14)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(body.length, 20)
    central.writeUInt32LE(file.data.length, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(0x20, 38) // FILE_ATTRIBUTE_ARCHIVE
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, body)
    centrals.push(central, name)
    offset += 30 + name.length + body.length
  }

  const cd = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(sorted.length, 8)
  end.writeUInt16LE(sorted.length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cd, end])
}

/**
 * Writes a file atomically with the given mode: a temporary file beside the target (created
 * with that mode, so the secret is never world-readable), flushed, then renamed into place.
 * A failure leaves the target untouched and removes the temporary file.
 */
export async function writeFileAtomic(target: string, data: Buffer | string, mode = 0o600): Promise<void> {
  const {open, rename, rm, chmod} = await import('node:fs/promises')
  const {dirname, basename, join} = await import('node:path')
  const {randomBytes} = await import('node:crypto')
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`)
  const fh = await open(temp, 'wx', mode)
  try {
    await fh.writeFile(data)
    await fh.sync()
    await fh.close()
    await chmod(temp, mode)
    await rename(temp, target)
  } catch (error) {
    await fh.close().catch(() => {})
    await rm(temp, {force: true})
    throw error
  }
}
