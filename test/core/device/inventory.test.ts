import {InventoryRowError, jsonRow, mapHeader, normaliseRow} from '../../../src/core/device/inventory.js'

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
