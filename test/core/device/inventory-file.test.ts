import {execFileSync, spawn} from 'node:child_process'
import {copyFileSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {type AtpError, isAtpError} from '../../../src/core/errors.js'
import {InventoryRowError} from '../../../src/core/device/inventory.js'
import {openInventory, type SourceRow} from '../../../src/core/device/inventory-file.js'
import {buildZip} from '../../../src/lib/zip-writer.js'
import {PROJECT_ROOT, tempHome} from '../../helpers/cli.js'

const fixture = (name: string) => join(PROJECT_ROOT, 'fixtures', 'inventory', name)

/** The rows of a file, each as its line and raw fields (or its error message). */
function rows(file: string): {line: number; raw: unknown}[] {
  const input = openInventory(file)
  return [...input.rows(() => {})].map((r: SourceRow) => ({line: r.line, raw: r.raw instanceof InventoryRowError ? `error: ${r.raw.message}` : r.raw}))
}

function refusal(fn: () => unknown): AtpError {
  try {
    fn()
  } catch (error) {
    if (isAtpError(error)) return error
    throw error
  }

  throw new Error('expected a refusal')
}

describe('inventory files: kinds of file (15.16)', () => {
  const {home, cleanup} = tempHome('atpctl-inventory-file-')
  afterAll(() => cleanup())
  const path = (name: string) => join(home, name)

  it('refuses a missing file (3), a directory and a device (2) by what they are', () => {
    expect(refusal(() => openInventory(path('nope.csv')))).toMatchObject({exitCode: 3, message: expect.stringMatching(/not found/)})
    mkdirSync(path('dir.csv'))
    expect(refusal(() => openInventory(path('dir.csv')))).toMatchObject({exitCode: 2, message: expect.stringMatching(/is a directory/)})
    expect(refusal(() => openInventory('/dev/null'))).toMatchObject({exitCode: 2, message: expect.stringMatching(/not a file or a pipe/)})
  })

  it('reads a named pipe as a stream while its writer writes', async () => {
    const fifo = path('live.csv')
    execFileSync('mkfifo', [fifo])
    // A separate process writes (this one reads synchronously), the second half after a pause.
    const writer = spawn('sh', ['-c', `{ printf 'name;os\\nPC-1;Windows 10\\n'; sleep 0.3; printf 'PC-2;Windows 11\\n'; } > '${fifo}'`])
    const done = new Promise((resolve) => writer.on('exit', resolve))
    const input = openInventory(fifo)
    expect(input.size).toBe(0)
    expect([...input.rows(() => {})].map((r) => r.raw)).toEqual([
      {name: 'PC-1', os: 'Windows 10'},
      {name: 'PC-2', os: 'Windows 11'},
    ])
    expect(await done).toBe(0)
  })

  it('gives up on a named pipe nobody writes to instead of waiting forever (7)', () => {
    const fifo = path('idle.csv')
    execFileSync('mkfifo', [fifo])
    expect(refusal(() => openInventory(fifo))).toMatchObject({exitCode: 7, message: expect.stringMatching(/Nothing was written to the pipe .* within 2 s/)})
  })

  it('refuses a binary file by what it looks like, without its bytes (7)', () => {
    const xlsx = buildZip([
      {name: '[Content_Types].xml', data: Buffer.from('<Types/>')},
      {name: 'xl/worksheets/sheet1.xml', data: Buffer.from('<sheetData>SECRET-CELL</sheetData>')},
    ])
    writeFileSync(path('inventory.csv'), xlsx)
    const error = refusal(() => openInventory(path('inventory.csv')))
    expect(error).toMatchObject({exitCode: 7, code: 'INVALID_INVENTORY', message: 'inventory.csv looks like an Excel workbook (.xlsx), not a CSV, JSON or NDJSON inventory; nothing was imported.'})
    expect(error.suggestions[0]).toMatch(/CSV UTF-8/)
    writeFileSync(path('photo.json'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]))
    expect(refusal(() => openInventory(path('photo.json'))).message).toMatch(/looks like a PNG image/)
    writeFileSync(path('blob.ndjson'), Buffer.from('{"name":\0\0\0\u0001\u0002'))
    expect(refusal(() => openInventory(path('blob.ndjson'))).message).toMatch(/looks like binary data \(it has NUL bytes\)/)
  })

  it('takes a file only read in part as rows are asked for (streamed, not read whole first)', () => {
    const file = path('big.csv')
    writeFileSync(file, 'name,os\n' + Array.from({length: 50_000}, (_, i) => `PC-${i},Windows 10`).join('\n') + '\n')
    const input = openInventory(file)
    let read = 0
    const first = input.rows((n) => (read += n)).next()
    expect(first.value).toMatchObject({line: 2, raw: {name: 'PC-0'}})
    expect(read).toBeGreaterThan(0)
    expect(read).toBeLessThan(input.size / 4)
    input.close()
  })
})

describe('inventory files: encodings and dialects as admins have them (16)', () => {
  it('reads a PowerShell 5.1 Export-Csv -Encoding Unicode file: UTF-16 LE, #TYPE line, every field quoted', () => {
    expect(rows(fixture('powershell-export-csv-utf16le.csv'))).toEqual([
      {line: 3, raw: {name: 'PS-W10-01', os: 'Microsoft Windows NT Workstation 10.0', version: '10.0.19045.3803', user: 'CONTOSO\\jürgen.müller'}},
      {line: 4, raw: {name: 'PS-SRV-01', os: 'Microsoft Windows NT Server 10.0', version: '10.0.17763.5206', user: 'CONTOSO\\svc-sql'}},
      {line: 5, raw: {name: 'PS-W81-01', os: 'Microsoft Windows NT Workstation 6.3', version: '6.3.9600', user: 'CONTOSO\\zoë'}},
    ])
  })

  it('reads an Excel CSV UTF-8 file of an EU locale: BOM, ";" separated, CRLF', () => {
    expect(rows(fixture('excel-semicolon-utf8bom.csv'))).toEqual([
      {line: 2, raw: {name: 'EU-W11-01', os: 'Windows 11 Enterprise', version: '22H2', groups: 'Finance;VIP', user: 'françois@contoso.eu'}},
      {line: 3, raw: {name: 'EU-SRV-01', os: 'Windows Server 2019 Standard', version: '10.0.17763', groups: 'Servers', user: ''}},
      {line: 4, raw: {name: 'EU-W10-01', os: 'Windows 10 Enterprise', version: '1803', groups: 'Vertrieb "Nord"', user: 'jörg@contoso.eu'}},
    ])
  })

  it('reads Excel "Unicode Text" (tab separated UTF-16 LE), UTF-16 BE, Excel for Mac (lone CR) and NDJSON after a BOM', () => {
    expect(rows(fixture('excel-unicode-text-tabs.txt'))).toEqual([
      {line: 2, raw: {name: 'TAB-W10-01', os: 'Windows 10 Pro', version: '22H2', user: 'åsa@contoso.se'}},
      {line: 3, raw: {name: 'TAB-UBU-01', os: 'Ubuntu 22.04', version: '', user: ''}},
    ])
    expect(rows(fixture('utf16be.csv'))).toEqual([
      {line: 2, raw: {name: 'BE-W11-01', os: 'Windows 11 Pro', version: '23H2'}},
      {line: 3, raw: {name: 'BE-MAC-01', os: 'macOS 14.4', version: ''}},
    ])
    expect(rows(fixture('excel-mac-cr.csv'))).toEqual([
      {line: 2, raw: {name: 'MAC-CR-01', os: 'Windows 10 Enterprise', version: '21H2'}},
      {line: 3, raw: {name: 'MAC-CR-02', os: 'Windows Server 2016 Datacenter', version: '10.0.14393'}},
    ])
    expect(rows(fixture('bom.ndjson'))).toEqual([
      {line: 1, raw: {name: 'ND-W10-01', os: 'Windows 10 Enterprise', version: '22H2'}},
      {line: 2, raw: {name: 'ND-SRV-01', os: 'Windows Server 2022 Standard', version: '10.0.20348'}},
    ])
  })

  it('gives the format from the content when the extension does not, decoded first', () => {
    const {home, cleanup} = tempHome('atpctl-inventory-file-')
    try {
      const file = join(home, 'export')
      copyFileSync(fixture('bom.ndjson'), file)
      expect(openInventory(file).format).toBe('ndjson')
      writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('[{"name": "A", "os": "Windows 11"}]', 'utf16le')]))
      const input = openInventory(file)
      expect(input.format).toBe('json')
      expect([...input.rows(() => {})].map((r) => r.raw)).toEqual([{name: 'A', os: 'Windows 11'}])
    } finally {
      cleanup()
    }
  })
})

describe('inventory files: refusals with the line (15.8, 15.16)', () => {
  const {home, cleanup} = tempHome('atpctl-inventory-file-')
  afterAll(() => cleanup())
  const write = (name: string, data: string | Buffer) => {
    writeFileSync(join(home, name), data)
    return join(home, name)
  }

  it('refuses bytes that are not UTF-8 on the line they are on, past the first chunk and inside quotes', () => {
    const latin1 = Buffer.from('name,os,user\nPC-1,Windows 10,"multi\nline"\nPC-2,Windows 10,M\u00fcller\n', 'latin1')
    expect(refusal(() => rows(write('latin1.csv', latin1)))).toMatchObject({
      exitCode: 7,
      message: 'latin1.csv line 4: byte 0xFC is not UTF-8; the file is not valid UTF-8 text, nothing was imported.',
    })
    const far = Buffer.concat([Buffer.from('name,os\n' + 'PC,Windows 10\n'.repeat(10_000)), Buffer.from([0xe9]), Buffer.from('\n')])
    expect(refusal(() => rows(write('far.csv', far))).message).toMatch(/^far\.csv line 10002: byte 0xE9 is not UTF-8/)
    const quoted = Buffer.concat([Buffer.from('name,os\nPC-1,"Windows\r\n10 '), Buffer.from([0xff]), Buffer.from('"\n')])
    expect(refusal(() => rows(write('quoted.csv', quoted))).message).toMatch(/^quoted\.csv line 3: byte 0xFF/)
    expect(refusal(() => rows(write('bad.ndjson', Buffer.concat([Buffer.from('{"name":"a","os":"Windows 10"}\n{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')])))).message).toMatch(
      /^bad\.ndjson line 2: byte 0xC3 is not UTF-8/,
    )
    expect(refusal(() => rows(write('bad.json', Buffer.concat([Buffer.from('[\n{"name": "a",\n"os": "'), Buffer.from([0x80]), Buffer.from('"}]')])))).message).toMatch(
      /^bad\.json line 3: byte 0x80 is not UTF-8/,
    )
  })

  it('refuses a NUL byte later in a text file on its line', () => {
    const file = write('nul.csv', 'name,os\n' + 'PC,Windows 10\n'.repeat(6000) + 'PC\0,x\n')
    expect(refusal(() => rows(file)).message).toBe('nul.csv line 6002: a NUL byte; this does not look like a text inventory, nothing was imported.')
  })

  it('refuses a CSV field over the limit on its line without echoing it', () => {
    const file = write('long.csv', `name,os\nPC-1,Windows 10\n"PC-2",${'SECRET'.repeat(100_000)}\n`)
    const error = refusal(() => rows(file))
    expect(error).toMatchObject({exitCode: 7, message: 'long.csv line 3: a field is longer than 262,144 characters, the limit; nothing was imported.'})
    expect(error.suggestions[0]).toMatch(/up to 262,144 characters/)
    expect(JSON.stringify(error)).not.toContain('SECRET')
  })

  it('refuses an NDJSON line over the record limit on its line', () => {
    const file = write('long.ndjson', `{"name":"a","os":"Windows 10"}\n{"name":"${'x'.repeat(1_100_000)}"}\n`)
    expect(refusal(() => rows(file)).message).toBe('long.ndjson line 2: a line is longer than 1,048,576 characters, the limit; nothing was imported.')
  })

  it('takes a deeply nested JSON record as an invalid row, not a crash, in JSON and NDJSON', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000)
    const json = write('deep.json', `{"devices": [{"name": "ok", "os": "Windows 10"}, {"name": "x", "os": "Windows 10", "groups": ${deep}}]}`)
    expect(rows(json)).toEqual([
      {line: 1, raw: {name: 'ok', os: 'Windows 10'}},
      {line: 2, raw: 'error: the record nests lists or objects more than 8 levels deep'},
    ])
    const ndjson = write('deep.ndjson', `{"name": "x", "os": "Windows 10", "groups": ${deep}}\n`)
    expect(rows(ndjson)).toEqual([{line: 1, raw: 'error: the record nests lists or objects more than 8 levels deep'}])
    // A list of names in a record is fine.
    expect(rows(write('lists.json', '[{"name": "a", "os": "Windows 10", "groups": ["x", "y"]}]'))).toEqual([{line: 1, raw: {name: 'a', os: 'Windows 10', groups: ['x', 'y']}}])
  })

  it('gives the line of a JSON syntax error', () => {
    expect(refusal(() => rows(write('broken.json', '[\n{"name": "a", "os": "Windows 10"},\n{"name": "b"} {"name": "c"}\n]'))).message).toMatch(/^broken\.json is not valid JSON \(line 3\)/)
  })

  it('says which separators a header may use when it has no name and os columns', () => {
    const error = refusal(() => rows(write('pipes.csv', 'name|os\nPC-1|Windows 10\n')))
    expect(error.message).toMatch(/^pipes\.csv line 1: the header has no 'name' column \(found: name\|os\)/)
    expect(error.suggestions[0]).toMatch(/separated by commas, semicolons or tabs/)
  })
})
