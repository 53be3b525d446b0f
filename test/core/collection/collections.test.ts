import type {Backend} from '../../../src/core/port/types.js'
import {matchesRule, parseRule} from '../../../src/core/collection/rules.js'
import {normaliseRow, type RawRow} from '../../../src/core/device/inventory.js'
import {tempBackend} from '../../helpers/backend.js'

const rec = (raw: RawRow) => normaliseRow({managedBy: 'configmgr', lastSeen: '2026-11-20T10:00:00Z', ...raw}, 2)

describe('collection rules (parse)', () => {
  it('parses conditions joined by and, with aliases and quotes', () => {
    expect(parseRule('build>=14393 and os~"Server"')).toEqual({
      text: 'build>=14393 and os~"Server"',
      conditions: [
        {field: 'build', op: '>=', value: 14393},
        {field: 'os', op: '~', value: 'Server'},
      ],
    })
    expect(parseRule('managedBy=configmgr && level != up-level').conditions).toEqual([
      {field: 'managed-by', op: '=', value: 'configmgr'},
      {field: 'level', op: '!=', value: 'up-level'},
    ])
  })

  it.each(['build>=abc', 'colour=red', 'os>5', 'build~1', 'build>=', 'and', 'nonsense'])('rejects %j with exit 2', (text) => {
    expect(() => parseRule(text)).toThrow(expect.objectContaining({exitCode: 2}))
  })

  it('evaluates on plain values like the SQL does', () => {
    const device = {name: 'a', os: 'Windows Server 2016', 'os-name': 'Windows Server 2016', family: 'windows-server', build: 14393, release: '1607', level: 'down-level', environment: null, subscription: null, 'managed-by': ['configmgr'], user: null, group: ['Ops']}
    expect(matchesRule(parseRule('build>=14393 and os~server'), device)).toBe(true)
    expect(matchesRule(parseRule('build>14393'), device)).toBe(false)
    expect(matchesRule(parseRule('group=ops'), device)).toBe(true)
    expect(matchesRule(parseRule('environment!=azure-vm'), device)).toBe(true)
  })
})

describe('collections on the local backend', () => {
  let backend: Backend
  let cleanup: () => Promise<void>
  beforeAll(async () => {
    ;({backend, cleanup} = await tempBackend({withTenant: true}))
    await backend.devices.import({
      records: [
        rec({name: 'w10', os: 'Windows 10 Enterprise', version: '1803', groups: 'Ops'}),
        rec({name: 'w81', os: 'Windows 8.1 Pro'}),
        rec({name: 's2016', os: 'Windows Server 2016 Standard', collections: 'Servers'}),
        rec({name: 's2019', os: 'Windows Server 2019 Standard'}),
        rec({name: 'ubuntu', os: 'Ubuntu 22.04', managedBy: ''}),
      ],
    })
  })
  afterAll(async () => cleanup())
  const members = async (name: string) => (await backend.collections.get(name)).memberList.map((m) => m.name)

  it('query rules select members (SCCM example: build >= 14393); several rules are unioned', async () => {
    const {collection: c} = await backend.collections.create({name: 'Build 14393+', rules: ['build>=14393']})
    expect(c).toMatchObject({members: 3, levels: {upLevel: 2, downLevel: 1, unsupported: 0}})
    await backend.collections.create({name: 'Servers or Ops', rules: ['os~Server', 'group=ops']})
    expect(await members('Servers or Ops')).toEqual(['s2016', 's2019', 'w10'])
  })

  it('limit-to keeps members inside the limiting collection; direct adds outside it are refused', async () => {
    await backend.collections.create({name: 'Up-level of 14393+', limitTo: 'Build 14393+', rules: ['level=up-level']})
    expect(await members('Up-level of 14393+')).toEqual(['s2019', 'w10'])
    await expect(backend.collections.addMembers('Up-level of 14393+', ['w81'])).rejects.toMatchObject({exitCode: 4})
    expect(await members('Up-level of 14393+')).toEqual(['s2019', 'w10'])
  })

  it('re-evaluates rules when the inventory changes', async () => {
    await backend.devices.import({records: [rec({name: 'w81', os: 'Windows 10 Enterprise', version: '22H2'}), rec({name: 'new', os: 'Windows 11 Pro'})]})
    expect(await members('Build 14393+')).toEqual(['s2016', 's2019', 'w10', 'w81'])
    expect(await members('Up-level of 14393+')).toEqual(['s2019', 'w10', 'w81'])
  })

  it('adds and removes direct members; rule members stay and are reported', async () => {
    await backend.collections.create({name: 'Pilot'})
    const added = await backend.collections.addMembers('Pilot', ['W10', 'ubuntu'])
    expect(added).toMatchObject({changed: ['w10', 'ubuntu'], collection: {members: 2}})
    expect((await backend.collections.addMembers('Pilot', ['w10'])).unchanged).toEqual(['w10'])
    const removed = await backend.collections.removeMembers('Build 14393+', ['s2019'])
    expect(removed).toMatchObject({changed: [], unchanged: ['s2019'], stillMembers: ['s2019']})
    expect((await backend.collections.removeMembers('Pilot', ['ubuntu'])).collection.members).toBe(1)
    expect((await backend.devices.get('w10')).collections).toEqual(['Build 14393+', 'Pilot', 'Servers or Ops', 'Up-level of 14393+'])
  })

  it('a sensor report re-evaluates the reporting machine only, through rules and limits alike', async () => {
    const before = Object.fromEntries(await Promise.all(['Build 14393+', 'Up-level of 14393+', 'Pilot', 'Servers or Ops'].map(async (c) => [c, await members(c)])))
    await backend.collections.create({name: 'Macs', rules: ['family=macos']})
    await backend.collections.create({name: 'Pilot Macs', limitTo: 'Pilot', rules: ['family=macos']})
    await backend.integrations.setThirdParty('bitdefender', true)
    // w81 was re-imported as Windows 10 22H2 (build 19045); its sensor now reports macOS.
    const reported = await backend.devices.reportFromSensor({name: 'w81', os: 'macOS 14.4', provider: 'bitdefender'})
    expect(reported.collections).toEqual(['Macs'])
    expect(await members('Build 14393+')).toEqual(before['Build 14393+'].filter((n: string) => n !== 'w81'))
    expect(await members('Up-level of 14393+')).toEqual(before['Up-level of 14393+'].filter((n: string) => n !== 'w81'))
    await backend.collections.addMembers('Pilot', ['w81'])
    expect(await members('Pilot Macs')).toEqual(['w81'])
    // A new machine first seen through its sensor joins the rule collections it matches.
    expect((await backend.devices.reportFromSensor({name: 'mac-9', os: 'macOS 13', provider: 'bitdefender'})).collections).toEqual(['Macs'])
    expect(await members('Macs')).toEqual(['mac-9', 'w81'])
    expect(await members('Servers or Ops')).toEqual(before['Servers or Ops'])
    expect(await members('Pilot')).toEqual([...before.Pilot, 'w81'].sort())
  })

  it('inventory collections are direct members and replaced on re-import; errors have exit codes', async () => {
    expect(await members('Servers')).toEqual(['s2016'])
    await backend.devices.import({records: [rec({name: 's2016', os: 'Windows Server 2016 Standard', collections: 'Legacy'})]})
    expect(await members('Servers')).toEqual([])
    expect(await members('Legacy')).toEqual(['s2016'])
    await expect(backend.collections.addMembers('Pilot', ['ghost', 'w10'])).rejects.toMatchObject({exitCode: 3, message: expect.stringContaining('ghost')})
    expect(await backend.collections.create({name: 'pilot'})).toMatchObject({changed: false, collection: {name: 'Pilot'}})
    await expect(backend.collections.create({name: 'pilot', rules: ['family=macos']})).rejects.toMatchObject({exitCode: 4, code: 'CONFLICT'})
    await expect(backend.collections.create({name: 'x', limitTo: 'nope'})).rejects.toMatchObject({exitCode: 3})
    await expect(backend.collections.get('nope')).rejects.toMatchObject({exitCode: 3})
  })
})
