import {execFileSync, spawn} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {buildZip} from '../../src/lib/zip-writer.js'
import {type CliResult, PROJECT_ROOT, runCli, tempHome} from '../helpers/cli.js'
import {requireTool} from '../helpers/tools.js'

const withBash = requireTool('bash')

const fixture = (name: string) => join(PROJECT_ROOT, 'fixtures', 'inventory', name)

describe('device import: the inventory files admins have, and clear refusals of the rest (e2e, 15.8, 15.16, 16)', () => {
  const {home, cleanup} = tempHome('atpctl-e2e-inventory-files-')
  const cli = (args: string[]): Promise<CliResult> => runCli(args, {home})
  const deviceCount = async () => (await cli(['device', 'list', '--json'])).json().devices.length as number

  beforeAll(async () => {
    expect((await cli(['init', '--location', 'eu'])).code).toBe(0)
  })
  afterAll(() => cleanup())

  it.each([
    ['powershell-export-csv-utf16le.csv', 3],
    ['excel-semicolon-utf8bom.csv', 3],
    ['excel-unicode-text-tabs.txt', 2],
    ['utf16be.csv', 2],
    ['excel-mac-cr.csv', 2],
    ['bom.ndjson', 2],
  ])('imports %s', async (name, devices) => {
    const result = await cli(['device', 'import', fixture(name), '--json'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.json().summary).toMatchObject({total: devices, created: devices, skipped: 0})
  })

  it('takes a lone CR as a line break in a file without any quote', async () => {
    writeFileSync(join(home, 'cr-only.csv'), 'name,os,version\rCR-01,Windows 10 Enterprise,22H2\rCR-02,Windows 11 Enterprise,23H2\r')
    const result = await cli(['device', 'import', 'cr-only.csv', '--json'])
    expect(result.code).toBe(0)
    expect(result.json().summary).toMatchObject({total: 2, created: 2})
  })

  it('keeps the text of UTF-16 and ;-separated files (names, users, quoted lists)', async () => {
    const show = async (name: string) => (await cli(['device', 'show', name, '--json'])).json().device
    expect(await show('PS-W10-01')).toMatchObject({user: 'CONTOSO\\jürgen.müller', level: 'up-level'})
    expect(await show('PS-W81-01')).toMatchObject({user: 'CONTOSO\\zoë', level: 'down-level'})
    expect(await show('EU-W11-01')).toMatchObject({user: 'françois@contoso.eu', groups: ['Finance', 'VIP']})
    expect(await show('TAB-W10-01')).toMatchObject({user: 'åsa@contoso.se'})
    expect(await show('MAC-CR-02')).toMatchObject({level: 'down-level'})
  })

  it('reads a named pipe as a stream (a FIFO, or <(…) in a shell)', async () => {
    const fifo = join(home, 'inventory.csv')
    execFileSync('mkfifo', [fifo])
    const writer = spawn('sh', ['-c', `printf 'name;os\\nFIFO-01;Windows 11 Enterprise\\nFIFO-02;Ubuntu 22.04\\n' > '${fifo}'`])
    const result = await cli(['device', 'import', 'inventory.csv', '--json'])
    writer.kill()
    expect(result.code).toBe(0)
    expect(result.json()).toMatchObject({format: 'csv', summary: {total: 2, created: 2}})
  })

  withBash.it('reads a shell process substitution <(…) (an anonymous pipe under /dev/fd)', () => {
    const script = `"${process.execPath}" "${join(PROJECT_ROOT, 'bin', 'run.js')}" device import <(printf 'name,os\\nSUBST-01,Windows 11 Enterprise\\n') --json`
    const stdout = execFileSync('bash', ['-c', script], {env: {PATH: process.env.PATH, HOME: home, ATPCTL_HOME: home, NO_COLOR: '1', CI: '1'}, encoding: 'utf8'})
    expect(JSON.parse(stdout)).toMatchObject({file: expect.stringMatching(/^\/dev\/fd\/\d+$/), summary: {total: 1, created: 1}})
  })

  describe('refusals: a clear error, its exit code, no stack trace, nothing imported', () => {
    let before: number
    beforeAll(async () => {
      before = await deviceCount()
      mkdirSync(join(home, 'exports'))
      execFileSync('mkfifo', [join(home, 'idle.csv')])
      writeFileSync(join(home, 'latin1.csv'), Buffer.from('name,os,user\nOK-1,Windows 10 Enterprise,a\nOK-2,Windows 10 Enterprise,M\u00fcller\n', 'latin1'))
      writeFileSync(join(home, 'devices.csv'), buildZip([{name: '[Content_Types].xml', data: Buffer.from('<Types/>')}, {name: 'xl/workbook.xml', data: Buffer.from('<workbook/>')}]))
      writeFileSync(join(home, 'logo.csv'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]))
      writeFileSync(join(home, 'nobom.csv'), Buffer.from('name,os\r\nPC-1,Windows 10\r\n', 'utf16le'))
      writeFileSync(join(home, 'deep.json'), `[{"name": "DEEP-1", "os": "Windows 10", "groups": ${'['.repeat(200_000)}${']'.repeat(200_000)}}]`)
      writeFileSync(join(home, 'long.csv'), `name,os\nOK-1,Windows 10 Enterprise\n"LONG-1",${'A'.repeat(8 << 20)}\n`)
      writeFileSync(join(home, 'unclosed.csv'), `name,os\nOK-1,Windows 10 Enterprise\n"OPEN-1,Windows 10\n${'OK-2,Windows 10 Enterprise\n'.repeat(20_000)}`)
    })

    it.each<[string, string[], number, RegExp]>([
      ['a directory', ['exports'], 2, /^Error: 'exports' is a directory, not an inventory file\.\nTry this: /],
      ['bytes that are not UTF-8', ['latin1.csv'], 7, /^Error: latin1\.csv line 3: byte 0xFC is not UTF-8; the file is not valid UTF-8 text, nothing was imported\.\nTry this: Save the file as UTF-8/],
      ['an Excel workbook', ['devices.csv'], 7, /^Error: devices\.csv looks like an Excel workbook \(\.xlsx\), not a CSV, JSON or NDJSON inventory; nothing was imported\.\nTry this: Save the sheet from Excel as "CSV UTF-8/],
      ['an image', ['logo.csv'], 7, /^Error: logo\.csv looks like a PNG image, not a CSV/],
      ['UTF-16 without a byte order mark', ['nobom.csv'], 7, /^Error: nobom\.csv looks like UTF-16 LE text without a byte order mark/],
      ['deeply nested JSON', ['deep.json'], 7, /^Error: 1 invalid row in deep\.json; nothing was imported\. record 1: the record nests lists or objects more than 8 levels deep/],
      ['a field of 8 MiB', ['long.csv'], 7, /^Error: long\.csv line 3: a field is longer than 262,144 characters, the limit; nothing was imported\.\nTry this: Check that line/],
      ['a quote never closed', ['unclosed.csv'], 7, /^Error: unclosed\.csv line 3: a quoted field is longer than 262,144 characters, the limit \(is its closing quote missing\?\)/],
      ['a named pipe nobody writes to', ['idle.csv'], 7, /^Error: Nothing was written to the pipe 'idle\.csv' within 2 s; nothing was imported\./],
      ['a device file', ['/dev/null'], 2, /^Error: '\/dev\/null' is not a file or a pipe/],
    ])('refuses %s', async (_what, file, code, message) => {
      const result = await cli(['device', 'import', ...file])
      expect({code: result.code, stderr: result.stderr}).toEqual({code, stderr: expect.stringMatching(message)})
      expect(result.stderr).not.toMatch(/\n\s+at /)
      expect(result.stderr.length).toBeLessThan(600)
      const json = await cli(['device', 'import', ...file, '--json'])
      expect(json.code).toBe(code)
      expect(json.json().error).toMatchObject({exitCode: code, code: code === 7 ? 'INVALID_INVENTORY' : 'USAGE'})
      expect(await deviceCount()).toBe(before)
    })
  })
})
