/**
 * Issue 15 item 4 (input half) and issue 16 through the real binary: names with terminal escape
 * sequences, C1 controls and bidi overrides, over-long names and names that differ only in
 * non-ASCII case are refused with the line number, the characters shown escaped (never raw on
 * stdout or stderr), a documented exit code and nothing imported.
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {type CliResult, runCli, tempHome} from '../helpers/cli.js'

const RAW_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/

describe('hostile names (e2e, issue 15 item 4, issue 16)', () => {
  const {home, cleanup} = tempHome('atpctl-e2e-hostile-')
  const cli = (args: string[]): Promise<CliResult> => runCli(args, {home})
  const noRawBytes = (r: CliResult) => {
    expect(r.stdout).not.toMatch(RAW_CONTROL)
    expect(r.stderr).not.toMatch(RAW_CONTROL)
  }

  beforeAll(async () => {
    expect((await cli(['init', '--location', 'us'])).code).toBe(0)
  })
  afterAll(() => cleanup())

  it('device import refuses them with line numbers, escaped, exit 7; --skip-invalid imports only the valid rows', async () => {
    writeFileSync(
      join(home, 'hostile.csv'),
      [
        'name,os,user,collections',
        'ok-01,Ubuntu 22.04,,',
        'pc-\u001b]0;owned\u0007,Ubuntu 22.04,,',
        'invoice\u202Egpj.exe,Ubuntu 22.04,,',
        'ok-02,Ubuntu 22.04,bob\u009b2J,',
        `${'x'.repeat(256)},Ubuntu 22.04,,`,
        'ÄLPHA-01,Ubuntu 22.04,,',
        'älpha-01,Ubuntu 22.04,,',
        'ok-03,Ubuntu 22.04,,Wave\u2066 1',
      ].join('\n') + '\n',
    )
    const r = await cli(['device', 'import', 'hostile.csv'])
    expect(r.code).toBe(7)
    noRawBytes(r)
    expect(r.stderr).toMatch(/^Error: 6 invalid rows in hostile\.csv; nothing was imported\./)
    expect(r.stderr).toContain("line 3: the device name 'pc-\\x1b]0;owned\\x07' holds control or bidirectional formatting characters (\\x1b, \\x07)")
    expect(r.stderr).toContain("line 4: the device name 'invoice\\u202egpj.exe'")
    expect(r.stderr).toContain("line 5: the user name 'bob\\x9b2J'")
    expect(r.stderr).toMatch(/line 6: the device name 'x{40}…' is 256 characters long; the limit is 255/)
    expect(r.stderr).toContain("line 8: device 'älpha-01' is already on line 7")
    expect(r.stderr).toMatch(/Try this: /)

    const json = await cli(['device', 'import', 'hostile.csv', '--json'])
    expect(json.code).toBe(7)
    noRawBytes(json)
    expect(json.json().error).toMatchObject({code: 'INVALID_INVENTORY', exitCode: 7, message: expect.stringContaining("line 3: the device name 'pc-\\x1b]0;owned\\x07'")})
    // --skip-invalid imports the three good rows and the first of the two ÄLPHA spellings only.
    const skipped = await cli(['device', 'import', 'hostile.csv', '--skip-invalid', '--json'])
    noRawBytes(skipped)
    expect(skipped.json().invalid.map((i: {line: number; field: string}) => [i.line, i.field])).toEqual([
      [3, 'name'],
      [4, 'name'],
      [5, 'user'],
      [6, 'name'],
      [8, 'name'],
      [9, 'collections'],
    ])
    expect((await cli(['device', 'list', '--json'])).json().devices.map((d: {name: string}) => d.name)).toEqual(['ok-01', 'ÄLPHA-01'])
  })

  it('a refused file imports nothing', async () => {
    writeFileSync(join(home, 'one-bad.csv'), 'name,os\nfresh-01,Ubuntu 22.04\nbad\u001b,Ubuntu 22.04\n')
    expect((await cli(['device', 'import', 'one-bad.csv'])).code).toBe(7)
    expect((await cli(['device', 'list', '--json'])).json().devices.map((d: {name: string}) => d.name)).not.toContain('fresh-01')
  })

  it('group and collection names: reserved, hostile and over-long names are usage errors (exit 2), shown escaped', async () => {
    const all = await cli(['group', 'create', 'All'])
    expect(all.code).toBe(2)
    expect(all.stderr).toContain("Error: 'All' cannot be a group name: 'all' is reserved for all users / all devices.")

    const escape = await cli(['group', 'create', 'Fin\u001b[31mance'])
    expect(escape.code).toBe(2)
    noRawBytes(escape)
    expect(escape.stderr).toContain("Error: The group name 'Fin\\x1b[31mance' holds control")

    const collection = await cli(['collection', 'create', 'Pilot\u202E'])
    expect(collection.code).toBe(2)
    noRawBytes(collection)
    expect(collection.stderr).toContain("Error: The collection name 'Pilot\\u202e' holds control")

    const long = await cli(['collection', 'create', 'c'.repeat(129)])
    expect(long.code).toBe(2)
    expect(long.stderr).toContain('is 129 characters long; the limit is 128.')
    expect((await cli(['collection', 'list', '--json'])).json().collections).toEqual([])
  })

  it("non-ASCII names are one name whatever their case: 'ÖSTRA' then 'östra'", async () => {
    writeFileSync(join(home, 'a.csv'), 'name,os,collections\nÖSTRA-01,Ubuntu 22.04,Ö-Wave\n')
    writeFileSync(join(home, 'b.csv'), 'name,os,collections\nöstra-01,Windows 11 Pro,ö-wave\n')
    expect((await cli(['device', 'import', 'a.csv', '--json'])).json().summary).toMatchObject({created: 1, collectionsCreated: ['Ö-Wave']})
    expect((await cli(['device', 'import', 'b.csv', '--json'])).json().summary).toMatchObject({created: 0, updated: 1, collectionsCreated: []})
    const shown = (await cli(['device', 'show', 'Östra-01', '--json'])).json().device
    expect(shown).toMatchObject({name: 'ÖSTRA-01', osFamily: 'windows', collections: ['Ö-Wave']})
  })
})
