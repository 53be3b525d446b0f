/**
 * The counts `collection list|show` report (members by level, by OS family, directly added) come
 * from one grouped pass over the membership (collections.ts, infoSql). They are pinned here to
 * the member listing, which `collection show` computes member by member with other SQL, over a
 * random inventory: inventory memberships, members added by hand, query rules and a limit.
 */
import {normaliseRow} from '../../../src/core/device/inventory.js'
import type {Backend} from '../../../src/core/port/types.js'
import {tempBackend} from '../../helpers/backend.js'

const OSES = [
  ['Windows 10 Enterprise', '10.0.19045'],
  ['Windows 11 Enterprise', '23H2'],
  ['Windows Server 2019 Standard', '10.0.17763'],
  ['Windows Server 2012 R2 Standard', '6.3.9600'],
  ['Windows 8.1 Pro', '6.3.9600'],
  ['Windows 10 Enterprise', '1511'],
  ['Ubuntu 22.04', ''],
  ['macOS 14.4', ''],
  ['iOS 17.4', ''],
] as const

/** A small deterministic generator (mulberry32), so a failure names its seed. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

describe('collection counts against the member listing', () => {
  let backend: Backend
  let cleanup: () => Promise<void>
  beforeAll(async () => {
    ;({backend, cleanup} = await tempBackend({withTenant: true}))
  })
  afterAll(async () => cleanup())

  it.each([1, 2, 3])('agree on every collection of a random inventory (seed %i)', async (seed) => {
    const next = random(seed)
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]
    const sites = [`Site-${seed}-a`, `Site-${seed}-b`, `Site-${seed}-c`]
    const names = Array.from({length: 150}, (_, i) => `s${seed}-host-${i}`)
    await backend.devices.import({
      records: names.map((name, i) => {
        const [os, version] = pick(OSES)
        const collections = sites.filter(() => next() < 0.4).join(';')
        return normaliseRow({name, os, version, managedBy: 'configmgr', collections}, i + 2)
      }),
    })
    await backend.collections.create({name: `Servers-${seed}`, rules: ["os ~ 'Server'", 'family = macos']})
    await backend.collections.create({name: `Limited-${seed}`, limitTo: sites[0], rules: ['level = up-level']})
    await backend.collections.addMembers(`Servers-${seed}`, names.filter(() => next() < 0.1))
    await backend.collections.addMembers(sites[1], names.filter(() => next() < 0.1))

    const families = new Map((await backend.devices.list({limit: 1000})).items.map((d) => [d.name, d.osFamily]))
    for (const name of [...sites, `Servers-${seed}`, `Limited-${seed}`]) {
      const detail = await backend.collections.get(name, {memberLimit: 1000})
      const count = <K extends string>(keys: K[]) => keys.reduce<Record<string, number>>((n, k) => ({...n, [k]: (n[k] ?? 0) + 1}), {})
      const levels = count(detail.memberList.map((m) => m.level))
      expect({name, members: detail.members, directMembers: detail.directMembers, levels: detail.levels, families: detail.families}).toEqual({
        name,
        members: detail.memberList.length,
        directMembers: detail.memberList.filter((m) => !m.via.includes('rule')).length,
        levels: {upLevel: levels['up-level'] ?? 0, downLevel: levels['down-level'] ?? 0, unsupported: levels.unsupported ?? 0},
        families: count(detail.memberList.map((m) => String(families.get(m.name)))),
      })
      // The list answers the same counts as the single collection.
      const listed = (await backend.collections.list({limit: 1000})).items.find((c) => c.name === name)
      expect(listed).toEqual(Object.fromEntries(Object.entries(detail).filter(([k]) => k !== 'memberList' && k !== 'truncated')))
    }

    expect((await backend.collections.get(`Servers-${seed}`)).directMembers).toBeGreaterThan(0)
    expect((await backend.collections.get(`Limited-${seed}`)).members).toBeGreaterThan(0)
  })
})
