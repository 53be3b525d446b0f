/**
 * The zip reader against hostile archives: local headers that disagree with the central
 * directory (compared with what `unzip -t` refuses), data descriptors, and inflate memory.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {extractPackage} from '../../src/core/package/extract.js'
import {inspectPackage} from '../../src/core/package/inspect.js'
import {openZipReader} from '../../src/lib/zip-reader.js'
import {pyZip} from '../core/package/zip-tools.js'
import {requireTool} from '../helpers/tools.js'

// Hostile zips are written with python3's zipfile and judged against unzip -t.
const withZipTools = requireTool('python3', 'unzip')

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'atpctl-zipreader-'))
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const unzipOk = (zip: string) => spawnSync('unzip', ['-tqq', zip], {encoding: 'utf8'}).status === 0

async function readAll(zip: string): Promise<void> {
  const reader = await openZipReader(zip)
  try {
    for (const entry of reader.entries) await reader.streamEntry(entry)
  } finally {
    await reader.close()
  }
}

/** The second entry's local header, altered one field at a time. */
function mutate(zip: string, out: string, field: 'crc' | 'csize' | 'usize' | 'method' | 'flags' | 'name'): string {
  const bytes = Buffer.from(readFileSync(zip))
  const at = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]), 1)
  switch (field) {
    case 'crc':
      bytes.writeUInt32LE((bytes.readUInt32LE(at + 14) + 1) >>> 0, at + 14)
      break
    case 'csize':
      bytes.writeUInt32LE(bytes.readUInt32LE(at + 18) + 1, at + 18)
      break
    case 'usize':
      bytes.writeUInt32LE(bytes.readUInt32LE(at + 22) + 1, at + 22)
      break
    case 'method':
      bytes.writeUInt16LE(bytes.readUInt16LE(at + 8) === 8 ? 0 : 8, at + 8)
      break
    case 'flags':
      bytes.writeUInt16LE(bytes.readUInt16LE(at + 6) | 0x2, at + 6)
      break
    case 'name':
      bytes[at + 30] = 'c'.charCodeAt(0)
      break
  }

  writeFileSync(out, bytes)
  return out
}

withZipTools.describe('local headers are checked against the central directory', () => {
  const FIELDS = ['crc', 'csize', 'usize', 'method', 'flags', 'name'] as const
  const cases = (['deflated', 'stored'] as const).flatMap((how) => FIELDS.map((field) => [how, field] as const))

  it.each(cases)('%s entry, local %s altered: refused by read, inspect and extract (unzip -t is no stricter)', async (how, field) => {
    const base = pyZip(join(dir, `${how}.zip`), [
      {name: 'a.txt', data: 'first'},
      {name: 'b.txt', data: 'hello world '.repeat(500), stored: how === 'stored'},
    ])
    expect(unzipOk(base)).toBe(true)
    await expect(readAll(base)).resolves.toBeUndefined()
    const bad = mutate(base, join(dir, `${how}-${field}.zip`), field)
    await expect(readAll(bad)).rejects.toMatchObject({name: 'ZipFormatError', entryName: 'b.txt'})
    await expect(inspectPackage(bad)).rejects.toMatchObject({exitCode: 7})
    await expect(extractPackage(bad, join(dir, `out-${how}-${field}`))).rejects.toMatchObject({exitCode: 7})
  })

  it('what unzip -t refuses, we refuse too (and unzip does refuse the CRC, method and name differentials)', async () => {
    const base = pyZip(join(dir, 'cmp.zip'), [
      {name: 'a.txt', data: 'first'},
      {name: 'b.txt', data: 'hello world '.repeat(500)},
    ])
    const verdicts = []
    for (const field of FIELDS) {
      const bad = mutate(base, join(dir, `cmp-${field}.zip`), field)
      const ours = await readAll(bad).then(
        () => 'accepted',
        () => 'refused',
      )
      verdicts.push({field, unzip: unzipOk(bad) ? 'accepted' : 'refused', ours})
    }

    for (const v of verdicts) if (v.unzip === 'refused') expect(v).toMatchObject({ours: 'refused'})
    expect(verdicts.filter((v) => v.unzip === 'refused').map((v) => v.field)).toEqual(expect.arrayContaining(['crc', 'method', 'name']))
  })

  it('an end record that declares fewer entries than the directory holds is refused (unzip -t refuses it too)', async () => {
    const base = pyZip(join(dir, 'count.zip'), [
      {name: 'a.txt', data: 'first'},
      {name: 'b.txt', data: 'second'},
    ])
    const bytes = Buffer.from(readFileSync(base))
    const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
    bytes.writeUInt16LE(1, eocd + 8)
    bytes.writeUInt16LE(1, eocd + 10)
    writeFileSync(join(dir, 'count-bad.zip'), bytes)
    expect(unzipOk(join(dir, 'count-bad.zip'))).toBe(false)
    await expect(readAll(join(dir, 'count-bad.zip'))).rejects.toThrow(/exactly the 1 entries/)
  })

  /** Python's zipfile writing to a pipe: flag bit 3, zeroed local fields, a signed data descriptor. */
  function streamedZip(out: string): string {
    execFileSync('python3', [
      '-c',
      `
import sys, zipfile
class Pipe:
    def __init__(self, f): self.f = f; self.n = 0
    def write(self, b): self.f.write(b); self.n += len(b); return len(b)
    def tell(self): return self.n
    def flush(self): self.f.flush()
with open(sys.argv[1], 'wb') as f:
    with zipfile.ZipFile(Pipe(f), 'w', zipfile.ZIP_DEFLATED) as z:
        with z.open('a.txt', 'w') as e: e.write(b'streamed ' * 1000)
        with z.open('b.txt', 'w') as e: e.write(b'second')
`,
      out,
    ])
    return out
  }

  it('an entry with a data descriptor (flag bit 3) is read; a descriptor that disagrees is refused', async () => {
    const zip = streamedZip(join(dir, 'streamed.zip'))
    const bytes = readFileSync(zip)
    expect(bytes.readUInt16LE(6) & 0x8).toBe(8)
    expect(unzipOk(zip)).toBe(true)
    await expect(readAll(zip)).resolves.toBeUndefined()
    // The first descriptor's CRC (after its signature) off by one.
    const d = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x07, 0x08]))
    const bad = Buffer.from(bytes)
    bad.writeUInt32LE((bad.readUInt32LE(d + 4) + 1) >>> 0, d + 4)
    writeFileSync(join(dir, 'streamed-bad.zip'), bad)
    await expect(readAll(join(dir, 'streamed-bad.zip'))).rejects.toThrow(/data descriptor/)
  })
})

withZipTools.describe('inflate memory is bounded per chunk', () => {
  it('a 256 MiB entry of zeros (a few hundred KiB compressed) streams without holding its output', async () => {
    const zip = join(dir, 'zeros.zip')
    execFileSync('python3', [
      '-c',
      `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    with z.open('zeros.bin', 'w', force_zip64=True) as e:
        block = bytes(1 << 20)
        for _ in range(256): e.write(block)
`,
      zip,
    ])
    const reader = await openZipReader(zip)
    let peak = 0
    let bytes = 0
    try {
      const [entry] = reader.entries
      expect(entry.uncompressedSize).toBe(256 * 1024 * 1024)
      await reader.streamEntry(entry, (chunk) => {
        bytes += chunk.length
        peak = Math.max(peak, process.memoryUsage().arrayBuffers)
      })
    } finally {
      await reader.close()
    }

    expect(bytes).toBe(256 * 1024 * 1024)
    // Holding the output would put at least 256 MiB in buffers; chunks waiting for a collection stay far below.
    expect(peak).toBeLessThan(128 * 1024 * 1024)
  })

  withZipTools.it("a consumer's own failure (a full disk) comes out as itself, not as a corrupt archive", async () => {
    const zip = pyZip(join(dir, 'two-mib.zip'), [{name: 'big.txt', data: 'sensor log line\n'.repeat(140_000)}])
    const reader = await openZipReader(zip)
    try {
      const full = Object.assign(new Error('no space left on device'), {code: 'ENOSPC'})
      await expect(
        reader.streamEntry(reader.entries[0], () => {
          throw full
        }),
      ).rejects.toBe(full)
    } finally {
      await reader.close()
    }
  })

  withZipTools.it('inspection applies the extraction limits before inflating: a bomb and too many entries exit 7 (PACKAGE_UNSAFE)', async () => {
    const bomb = pyZip(join(dir, 'bomb.zip'), [{name: 'zeros.cmd', data: Buffer.alloc(20 * 1024 * 1024)}])
    await expect(inspectPackage(bomb)).rejects.toMatchObject({exitCode: 7, code: 'PACKAGE_UNSAFE', message: expect.stringMatching(/compression ratio/)})
    const many = pyZip(
      join(dir, 'many.zip'),
      Array.from({length: 10_001}, (_, i) => ({name: `f${i}.txt`, data: 'x', stored: true})),
    )
    await expect(inspectPackage(many)).rejects.toMatchObject({exitCode: 7, code: 'PACKAGE_UNSAFE', message: expect.stringMatching(/10001 entries \(limit 10000/)})
  })
})
