import {classifyOs, osRecordFields} from '../../../src/core/device/os.js'
import {createRowMemo, InventoryRowError, jsonRow, mapHeader, normaliseRow, recheckRecord} from '../../../src/core/device/inventory.js'

describe('inventory rows', () => {
  it('maps our columns case-insensitively and ConfigMgr console export headers', () => {
    expect(mapHeader(['Name', 'OS', 'Version', 'ManagedBy', 'lastseen'])).toEqual(['name', 'os', 'version', 'managedBy', 'lastSeen'])
    expect(mapHeader(['Name', 'Client', 'Site Code', 'Operating System Name and Version', 'Device OS Build', 'Primary User(s)', 'Last Activity Time'])).toEqual([
      'name',
      'managedBy',
      null,
      'os',
      'version',
      'user',
      'lastSeen',
    ])
  })

  it('requires name and os columns and refuses two columns for one field', () => {
    expect(() => mapHeader(['hostname', 'version'])).toThrow(/no 'os' column/)
    expect(() => mapHeader(['name', 'os', 'Device OS'])).toThrow(/both mean os/)
  })

  it('normalises a full row (user, groups, managedBy list, booleans, dates) — the fields Intune and detection read', () => {
    const r = normaliseRow(
      {
        name: 'lnx-1',
        os: 'Ubuntu 22.04',
        managedBy: 'defender-for-cloud; third-party:SentinelOne',
        environment: 'Azure Arc',
        subscription: 'sub-1',
        collections: 'Linux|Servers',
        user: 'ops@contoso.com',
        groups: 'Ops;Linux admins',
        lastSeen: '2026-11-20 10:00',
        sensorService: 'Not installed',
        otherFanotifySolution: 'yes',
        previousInstall: '0',
      },
      2,
    )
    expect(r).toMatchObject({
      osFamily: 'linux',
      osName: 'Ubuntu 22.04',
      level: 'unsupported',
      managedBy: ['defender-for-cloud', 'third-party:sentinelone'],
      environment: 'azure-arc',
      collections: ['Linux', 'Servers'],
      user: 'ops@contoso.com',
      groups: ['Ops', 'Linux admins'],
      lastSeen: '2026-11-20T10:00:00.000Z',
      sensorService: 'absent',
      otherFanotifySolution: true,
      previousInstall: false,
    })
  })

  it('reads the ConfigMgr "Client" column as configmgr management', () => {
    expect(normaliseRow({name: 'a', os: 'Windows 10', version: '1803', managedBy: 'Yes'}, 2, {clientColumn: true}).managedBy).toEqual(['configmgr'])
    expect(normaliseRow({name: 'a', os: 'Windows 10', version: '1803', managedBy: 'No'}, 2, {clientColumn: true}).managedBy).toEqual([])
  })

  it.each([
    [{name: '', os: 'Windows 10'}, 'name', /name is empty/],
    [{name: 'a', os: 'BeOS 5'}, 'os', /not recognised/],
    [{name: 'a', os: 'Windows 10', version: '1805'}, 'os', /1805/],
    [{name: 'a', os: 'Ubuntu', managedBy: 'puppet'}, 'managedBy', /puppet/],
    [{name: 'a', os: 'Ubuntu', managedBy: 'third-party:acme'}, 'managedBy', /unknown third-party provider 'acme'/],
    [{name: 'a', os: 'Ubuntu', managedBy: 'third-party:ziften;third-party:bitdefender'}, 'managedBy', /only one third-party/],
    [{name: 'a', os: 'Ubuntu', environment: 'gcp'}, 'environment', /gcp/],
    [{name: 'a', os: 'Ubuntu', sensorService: 'sleepy'}, 'sensorService', /sleepy/],
    [{name: 'a', os: 'Ubuntu', lastSeen: 'yesterday'}, 'lastSeen', /not a date/],
    [{name: 'a', os: 'Ubuntu', previousInstall: 'maybe'}, 'previousInstall', /true\/false/],
    [{name: 'a', os: 'Ubuntu', otherFanotifySolution: 'constructor'}, 'otherFanotifySolution', /true\/false/],
    [{name: 'a', os: 'Ubuntu', lastSeen: '2026-13-01T10:00:00Z'}, 'lastSeen', /not a date/],
  ] as const)('reports %j as a %s error with its line', (raw, field, message) => {
    try {
      normaliseRow(raw as Record<string, string>, 17)
      throw new Error('no error')
    } catch (error) {
      expect(error).toBeInstanceOf(InventoryRowError)
      expect(error).toMatchObject({line: 17, field})
      expect((error as Error).message).toMatch(message)
    }
  })

  it('takes JSON objects with lists and booleans', () => {
    const raw = jsonRow({Name: 'x', OS: 'Windows Server 2019', managedBy: ['configmgr'], groups: ['A', 'B'], previousInstall: true, extra: 1}, 1)
    expect(normaliseRow(raw, 1)).toMatchObject({name: 'x', level: 'up-level', managedBy: ['configmgr'], groups: ['A', 'B'], previousInstall: true})
    expect(() => jsonRow([1], 3)).toThrow(InventoryRowError)
  })
})

// Issue 15 items 3/4, issue 16: hostile text in any stored field is refused with its line, shown escaped.
describe('inventory rows: hostile text', () => {
  it.each([
    [{name: 'pc-\u001b[2J', os: 'Ubuntu'}, 'name', '\\x1b'],
    [{name: 'report\u202Efdp.exe', os: 'Ubuntu'}, 'name', '\\u202e'],
    [{name: 'a'.repeat(256), os: 'Ubuntu'}, 'name', 'the limit is 255'],
    [{name: 'a', os: 'Ubuntu', user: 'bob\u009b31m'}, 'user', '\\x9b'],
    [{name: 'a', os: 'Ubuntu', collections: 'Pilot;Wave\u0007'}, 'collections', '\\x07'],
    [{name: 'a', os: 'Ubuntu', groups: ['Finance', 'Sa\u2066les']}, 'groups', '\\u2066'],
    [{name: 'a', os: 'Ubuntu', groups: ['a;b']}, 'groups', "';' or '|'"],
    [{name: 'a', os: 'Ubuntu\u001b[0m'}, 'os', '\\x1b'],
    [{name: 'a', os: 'Ubuntu', subscription: 'sub\u0000'}, 'subscription', '\\x00'],
  ] as const)('refuses %j (field %s) with the line and the character escaped', (raw, field, shown) => {
    try {
      normaliseRow(raw as never, 9, {memo: createRowMemo()})
      throw new Error('no error')
    } catch (error) {
      expect(error).toBeInstanceOf(InventoryRowError)
      expect(error).toMatchObject({line: 9, field})
      expect((error as Error).message).toContain(shown)
      expect((error as Error).message).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/)
    }
  })

  it('reports a bad list item on every line that has it (the memo does not hide it)', () => {
    const memo = createRowMemo()
    expect(() => normaliseRow({name: 'a', os: 'Ubuntu', collections: 'x\u001b'}, 2, {memo})).toThrow(/\\x1b/)
    expect(() => normaliseRow({name: 'b', os: 'Ubuntu', collections: 'x\u001b'}, 3, {memo})).toThrow(expect.objectContaining({line: 3}))
  })

  it('recheckRecord recomputes the classification from the OS fields and never keeps what the caller said', () => {
    const lie = {
      name: 'old-pc', os: 'Windows 7 Professional', version: '7601', osFamily: 'windows', osName: 'Windows 11', build: 99999, release: '24H2', level: 'up-level', minConfigMgr: 0, multiSession: true,
    } as never
    const rechecked = recheckRecord(lie, 1)
    expect(rechecked).toMatchObject(osRecordFields(classifyOs('Windows 7 Professional', '7601')))
    expect(rechecked).toMatchObject({osName: 'Windows 7', multiSession: false})
    expect(rechecked.level).not.toBe('up-level')
    expect(() => recheckRecord({name: 'a', os: 'Ubuntu', lastSeen: 'not-a-date'}, 4)).toThrow(expect.objectContaining({line: 4, field: 'lastSeen'}))
    expect(() => recheckRecord({name: 'a', os: 'Ubuntu', environment: 'nowhere' as never}, 5)).toThrow(expect.objectContaining({line: 5, field: 'environment'}))
    expect(() => recheckRecord({name: 'a', os: 'Ubuntu', sensorService: 'bogus' as never}, 6)).toThrow(expect.objectContaining({field: 'sensorService'}))
    expect(() => recheckRecord({name: 'a', os: 'Ubuntu', managedBy: ['puppet' as never]}, 7)).toThrow(expect.objectContaining({field: 'managedBy'}))
  })

  it('a record normaliseRow made is frozen and passes recheckRecord as is; a copy that lies is re-checked', () => {
    const made = normaliseRow({name: 'w7', os: 'Windows 7 Professional', version: '7601'}, 2)
    expect(Object.isFrozen(made) && Object.isFrozen(made.collections)).toBe(true)
    expect(recheckRecord(made, 1)).toBe(made)
    expect(() => {
      ;(made as {level: string}).level = 'up-level'
    }).toThrow(TypeError)
    const copy = {...made, level: 'up-level', osName: 'Windows 11'} as never
    expect(recheckRecord(copy, 1)).not.toBe(copy)
    expect(recheckRecord(copy, 1)).toMatchObject({level: made.level, osName: made.osName})
  })
})
