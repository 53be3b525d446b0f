import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {DEFAULT_EXTRACT_LIMITS, extractPackage, safeEntryPath} from '../../../src/core/package/extract.js'
import {inspectPackage} from '../../../src/core/package/inspect.js'
import {buildZip} from '../../../src/lib/zip-writer.js'
import {pyZip} from './zip-tools.js'
import {requireTool} from '../../helpers/tools.js'


let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atpctl-extract-'))
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

/** Nothing but the input zip is left in the directory: no target, no temp dirs. */
const leftovers = () => readdirSync(dir).filter((n) => !n.endsWith('.zip') && !n.endsWith('.spec.json'))

async function refused(zip: string, pattern: RegExp, code = 'PACKAGE_UNSAFE') {
  await expect(extractPackage(zip, join(dir, 'out'))).rejects.toMatchObject({exitCode: 7, code, message: expect.stringMatching(pattern)})
  expect(leftovers()).toEqual([])
}

const withPython = requireTool('python3')
const withUnzip = requireTool('unzip')

describe('package extract: safe extraction', () => {
  it('extracts a package (backslash names become directories), files owner-only', async () => {
    const zip = join(dir, 'mac.zip')
    writeFileSync(zip, buildZip([{name: 'intune\\kext.xml', data: Buffer.from('<plist/>')}, {name: 'jamf\\a.plist', data: Buffer.from('x'.repeat(5000))}]))
    const result = await extractPackage(zip, join(dir, 'out'))
    expect(result.files).toEqual([{path: 'intune/kext.xml', bytes: 8}, {path: 'jamf/a.plist', bytes: 5000}])
    expect(readFileSync(join(dir, 'out', 'jamf', 'a.plist'), 'utf8')).toBe('x'.repeat(5000))
    expect(statSync(join(dir, 'out', 'intune', 'kext.xml')).mode & 0o777).toBe(0o600)
    expect(statSync(join(dir, 'out')).mode & 0o777).toBe(0o700)
    expect(leftovers()).toEqual(['out'])
  })

  withPython.it.each([
    ['../evil.cmd', /escapes the directory/],
    ['a/../../evil.cmd', /escapes the directory/],
    ['..\\evil.cmd', /escapes the directory/],
    ['/etc/evil', /absolute path/],
    ['C:\\Windows\\evil.cmd', /drive-letter/],
    ['c:evil.cmd', /drive-letter/],
  ])('rejects the traversal entry %s and leaves nothing', async (name, pattern) => {
    const zip = pyZip(join(dir, 'bad.zip'), [{name: 'ok.txt', data: 'fine'}, {name, data: 'evil'}])
    await refused(zip, pattern)
    expect(existsSync(join(dir, 'evil.cmd'))).toBe(false)
  })

  withPython.it('rejects symlinks', async () => {
    const zip = pyZip(join(dir, 'link.zip'), [{name: 'link', data: '/etc/passwd', mode: 0o120777}])
    await refused(zip, /symbolic link/)
  })

  withPython.it('rejects duplicate names, also when they differ only in case or separator', async () => {
    await refused(pyZip(join(dir, 'dup.zip'), [{name: 'a.cmd', data: '1'}, {name: 'a.cmd', data: '2'}]), /duplicates/)
    await refused(pyZip(join(dir, 'dup2.zip'), [{name: 'jamf/a.plist', data: '1'}, {name: 'JAMF\\A.plist', data: '2'}]), /duplicates/)
  })

  withPython.it('rejects a bad CRC and removes the partial extraction', async () => {
    const zip = pyZip(join(dir, 'crc.zip'), [
      {name: 'a.txt', data: 'first file', stored: true},
      {name: 'b.txt', data: 'y'.repeat(3000), stored: true},
    ])
    const bytes = readFileSync(zip)
    bytes[bytes.indexOf('yyyyyyyyyy') + 100] = 0x7a
    writeFileSync(zip, bytes)
    await refused(zip, /CRC/, 'PACKAGE_TAMPERED')
  })

  withPython.it('rejects zip bombs: compression ratio, total size, entry count', async () => {
    await refused(pyZip(join(dir, 'ratio.zip'), [{name: 'zeros.bin', data: Buffer.alloc(20 * 1024 * 1024)}]), /compression ratio/)
    const limits = {...DEFAULT_EXTRACT_LIMITS, maxTotalBytes: 1000}
    await expect(extractPackage(pyZip(join(dir, 'big.zip'), [{name: 'a', data: 'x'.repeat(600)}, {name: 'b', data: 'y'.repeat(600)}]), join(dir, 'out'), {limits})).rejects.toMatchObject({
      exitCode: 7,
      message: expect.stringMatching(/expands to more than 1000 bytes/),
    })
    const many = Array.from({length: 20}, (_, i) => ({name: `f${i}.txt`, data: 'x'}))
    await expect(extractPackage(pyZip(join(dir, 'many.zip'), many), join(dir, 'out'), {limits: {...DEFAULT_EXTRACT_LIMITS, maxEntries: 10}})).rejects.toMatchObject({
      exitCode: 7,
      message: expect.stringMatching(/20 entries \(limit 10/),
    })
    expect(leftovers()).toEqual([])
  })

  withPython.it('rejects an entry whose real size exceeds its declared size (a lying header)', async () => {
    const zip = pyZip(join(dir, 'lie.zip'), [{name: 'a.txt', data: 'z'.repeat(50_000)}])
    const bytes = readFileSync(zip)
    // Uncompressed size → 100 bytes in both headers (offset 24 in the central one, 22 in the local one).
    const cd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))
    bytes.writeUInt32LE(100, cd + 24)
    bytes.writeUInt32LE(100, 22)
    writeFileSync(zip, bytes)
    await refused(zip, /size its header declares/, 'PACKAGE_MALFORMED')
  })

  it('refuses a non-empty target and a non-zip, leaving the target untouched', async () => {
    const zip = join(dir, 'ok.zip')
    writeFileSync(zip, buildZip([{name: 'a.txt', data: Buffer.from('a')}]))
    mkdirSync(join(dir, 'out'))
    writeFileSync(join(dir, 'out', 'keep'), 'keep')
    await expect(extractPackage(zip, join(dir, 'out'))).rejects.toMatchObject({exitCode: 2})
    expect(readFileSync(join(dir, 'out', 'keep'), 'utf8')).toBe('keep')
    writeFileSync(join(dir, 'not.zip'), 'hello world, not a zip at all')
    await expect(extractPackage(join(dir, 'not.zip'), join(dir, 'o2'))).rejects.toMatchObject({exitCode: 7, code: 'PACKAGE_MALFORMED'})
  })

  withUnzip.it('an empty existing directory is fine; unzip agrees with our bytes', async () => {
    const zip = join(dir, 'ok.zip')
    writeFileSync(zip, buildZip([{name: 'dir/a.txt', data: Buffer.from('hello')}]))
    mkdirSync(join(dir, 'out'))
    await extractPackage(zip, join(dir, 'out'))
    expect(execFileSync('unzip', ['-p', zip, 'dir/a.txt'], {encoding: 'utf8'})).toBe(readFileSync(join(dir, 'out', 'dir', 'a.txt'), 'utf8'))
  })

  withPython.it('a failed extraction leaves a pre-existing empty --dir in place, still empty', async () => {
    const zip = pyZip(join(dir, 'crc.zip'), [{name: 'b.txt', data: 'y'.repeat(3000), stored: true}])
    const bytes = readFileSync(zip)
    bytes[bytes.indexOf('yyyyyyyyyy') + 100] = 0x7a
    writeFileSync(zip, bytes)
    mkdirSync(join(dir, 'out'))
    await expect(extractPackage(zip, join(dir, 'out'))).rejects.toMatchObject({exitCode: 7, code: 'PACKAGE_TAMPERED'})
    expect(statSync(join(dir, 'out')).isDirectory()).toBe(true)
    expect(readdirSync(join(dir, 'out'))).toEqual([])
    expect(leftovers()).toEqual(['out'])
  })

  it('removes the temporary directories of dead extractions of the same --dir, not those of live ones', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!
    const stale = join(dir, `.out.extract-${dead}-0123456789ab`)
    const live = join(dir, `.out.extract-${process.pid}-ba9876543210`)
    const other = join(dir, `.other.extract-${dead}-0123456789ab`)
    for (const d of [stale, live, other]) {
      mkdirSync(d)
      writeFileSync(join(d, 'partial.bin'), Buffer.alloc(1024))
    }

    const zip = join(dir, 'ok.zip')
    writeFileSync(zip, buildZip([{name: 'a.txt', data: Buffer.from('a')}]))
    await extractPackage(zip, join(dir, 'out'))
    expect(existsSync(stale)).toBe(false)
    expect(existsSync(live)).toBe(true)
    expect(existsSync(other)).toBe(true)
  })

  it('refuses a --dir that is a symbolic link (exit 2), writing nothing through it', async () => {
    const zip = join(dir, 'ok.zip')
    writeFileSync(zip, buildZip([{name: 'a.txt', data: Buffer.from('a')}]))
    mkdirSync(join(dir, 'real'))
    symlinkSync(join(dir, 'real'), join(dir, 'link'))
    await expect(extractPackage(zip, join(dir, 'link'))).rejects.toMatchObject({exitCode: 2, message: expect.stringMatching(/symbolic link/)})
    expect(readdirSync(join(dir, 'real'))).toEqual([])
    expect(lstatSync(join(dir, 'link')).isSymbolicLink()).toBe(true)
  })

  it('refuses a package FILE that is a directory or a named pipe (exit 2), without opening it', async () => {
    mkdirSync(join(dir, 'pkg.zip'))
    await expect(extractPackage(join(dir, 'pkg.zip'), join(dir, 'out'))).rejects.toMatchObject({exitCode: 2, message: expect.stringMatching(/is a directory/)})
    execFileSync('mkfifo', [join(dir, 'fifo.zip')])
    await expect(extractPackage(join(dir, 'fifo.zip'), join(dir, 'out'))).rejects.toMatchObject({exitCode: 2, message: expect.stringMatching(/named pipe/)})
    await expect(inspectPackage(join(dir, 'fifo.zip'))).rejects.toMatchObject({exitCode: 2, message: expect.stringMatching(/named pipe/)})
    await expect(inspectPackage(join(dir, 'pkg.zip'))).rejects.toMatchObject({exitCode: 2, message: expect.stringMatching(/is a directory/)})
    expect(existsSync(join(dir, 'out'))).toBe(false)
  })

  it('safeEntryPath normalises harmless forms', () => {
    expect(safeEntryPath('./a//b\\c.txt')).toEqual({path: 'a/b/c.txt'})
    expect(safeEntryPath('..')).toHaveProperty('reason')
  })
})
