/**
 * Collection membership: the SQL of a whole refresh (backends/local/collections.ts, rulesSql)
 * pinned to the core rule (core/collection/rules.ts, matchesRule and isCollectionMember) on
 * seeded random inventories and rules: every field, every operator, lists, missing values,
 * mixed and non-ASCII case, limiting collections, direct members. The one-device refresh (a
 * small import, a sensor report) runs the core rule itself; re-importing devices one at a time
 * must leave the memberships unchanged.
 */
import {isCollectionMember, parseRule, RULE_FIELDS, RULE_OPERATORS, type RuleField, ruleSubject} from '../../../src/core/collection/rules.js'
import {normaliseRow, type RawRow} from '../../../src/core/device/inventory.js'
import type {DeviceRecord} from '../../../src/core/device/types.js'
import {nameKey} from '../../../src/core/names.js'
import type {Backend} from '../../../src/core/port/types.js'
import {tempBackend} from '../../helpers/backend.js'
import {type Random, seededRandom, testSeed, withSeed} from '../../helpers/random.js'
import {COLLECTIONS, NOW, randomScenario} from '../device/agent-model.fixtures.js'

const SEED = testSeed(14393)
const ROUNDS = 6
const DEVICES = 120
/** What the random rules exercised: every operator and field, and rules that split the inventory. */
const exercised = {ops: new Set<string>(), fields: new Set<string>(), splitting: 0}

interface CollectionSpec {
  name: string
  limitTo: string | null
  rules: string[]
}

const EXTRA_VALUES = ['Ärzte', 'ärzte', 'JÜRGEN@contoso.com', 'jürgen@CONTOSO.com', 'Server', 'windows', 'LINUX', 'x']

/** The value of a device field as a rule would be written against it. */
function fieldValues(d: DeviceRecord, field: RuleField): (string | number)[] {
  const v = ruleSubject(d)[field]
  if (v === null) return []
  return typeof v === 'object' ? [...v] : [v]
}

const flipCase = (r: Random, s: string) => [...s].map((c) => (r.chance(0.3) ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c)).join('')

/** A random condition that parses: often built from a real device's value, so rules match something. */
function randomCondition(r: Random, devices: DeviceRecord[]): string {
  for (;;) {
    // build is the one numeric field, with the most operators, and managed-by and group the list
    // fields: each kind is asked for a quarter of the time.
    const kind = r.next()
    const field: RuleField = kind < 0.25 ? 'build' : kind < 0.5 ? r.pick(['managed-by', 'group'] as const) : r.pick(Object.keys(RULE_FIELDS) as RuleField[])
    const numeric = RULE_FIELDS[field] === 'number'
    const ops = RULE_OPERATORS.filter((o) => (numeric ? o !== '~' && o !== '!~' : !['>', '<', '>=', '<='].includes(o)))
    const op = r.pick(ops)
    const seen = fieldValues(r.pick(devices), field)
    let value: string
    if (numeric) {
      const base = seen.length > 0 ? Number(seen[0]) : r.pick([7601, 9600, 14393, 17763, 19045])
      value = String(base + r.pick([-1, 0, 0, 1]))
    } else if (seen.length > 0 && r.chance(0.8)) {
      const text = String(r.pick(seen))
      // A part of it for ~ and !~, and now and then for = and != too (a part of an item is not the item).
      const part = op.includes('~') || r.chance(0.4)
      const start = part ? r.int(0, Math.max(0, text.length - 2)) : 0
      const end = part ? r.int(start + 1, text.length) : text.length
      value = flipCase(r, text.slice(start, end))
    } else {
      value = r.pick(EXTRA_VALUES)
    }

    const text = `${field}${op}${/^[=<>!~'"]/.test(value) || value.trim() !== value ? `"${value}"` : value}`
    if (value.trim() === '' || /\sand\s|&&/i.test(text)) continue
    try {
      parseRule(text)
      return text
    } catch {
      continue
    }
  }
}

function randomSpecs(r: Random, devices: DeviceRecord[]): CollectionSpec[] {
  const names = ['R0', 'R1', COLLECTIONS[0], 'R2', COLLECTIONS[1], 'R3', COLLECTIONS[2], 'R4']
  const specs: CollectionSpec[] = []
  for (const name of names) {
    const rules = Array.from({length: r.int(name.startsWith('R') ? 1 : 0, 3)}, () =>
      Array.from({length: r.int(1, 2)}, () => randomCondition(r, devices)).join(r.pick([' and ', ' AND ', ' && '])),
    )
    specs.push({name, limitTo: specs.length > 0 && r.chance(0.4) ? r.pick(specs).name : null, rules})
  }

  return specs
}

/** The scenario's records with some users and groups outside ASCII. */
function withAccents(r: Random, records: DeviceRecord[]): DeviceRecord[] {
  return records.map((d, i) => {
    if (!r.chance(0.2)) return d
    const raw: RawRow = {...d, managedBy: [...d.managedBy], collections: [...d.collections], groups: r.chance(0.5) ? [r.pick(['Ärzte', 'ärzte', 'ÄRZTE'])] : [...d.groups]}
    raw.user = r.chance(0.5) ? r.pick(['JÜRGEN@contoso.com', 'jürgen@contoso.com']) : d.user
    return normaliseRow(raw, i + 2)
  })
}

function expectedMembers(specs: CollectionSpec[], devices: DeviceRecord[], direct: Map<string, Set<string>>): Map<string, string[]> {
  const members = new Map<string, Set<string>>()
  for (const spec of specs) {
    const rules = spec.rules.map(parseRule)
    const set = new Set<string>()
    for (const d of devices) {
      const named = d.collections.some((c) => nameKey(c) === nameKey(spec.name)) || (direct.get(spec.name)?.has(d.name) ?? false)
      const limitMember = spec.limitTo === null ? null : members.get(spec.limitTo)!.has(d.name)
      if (isCollectionMember({direct: named, rules, device: ruleSubject(d), limitMember})) set.add(d.name)
    }

    members.set(spec.name, set)
  }

  return new Map([...members].map(([k, v]) => [k, [...v].sort()]))
}

async function actualMembers(backend: Backend, specs: CollectionSpec[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  for (const spec of specs) out.set(spec.name, (await backend.collections.get(spec.name, {memberLimit: 100_000})).memberList.map((m) => m.name).sort())
  return out
}

describe(`collection rules: SQL refresh = core isCollectionMember (seed ${SEED})`, () => {
  for (let round = 0; round < ROUNDS; round++) {
    it(`round ${round}: ${DEVICES} devices, 8 collections with random rules and limits`, async () => {
      const rng = seededRandom((SEED + round * 15_485_863) >>> 0)
      const devices = withAccents(rng, randomScenario(rng, DEVICES, `c${round}`).records)
      const specs = randomSpecs(rng, devices)
      const {backend, cleanup} = await tempBackend({withTenant: true, now: () => NOW})
      try {
        for (const spec of specs) await backend.collections.create(spec)
        await backend.devices.import({records: devices})
        // Direct members of collections without a limit (a limit refuses outsiders).
        const direct = new Map<string, Set<string>>()
        for (const spec of specs.filter((s) => s.limitTo === null && rng.chance(0.5))) {
          const names = rng.subset(devices, 0.05).map((d) => d.name)
          if (names.length === 0) continue
          await backend.collections.addMembers(spec.name, names)
          direct.set(spec.name, new Set(names))
        }

        const expected = expectedMembers(specs, devices, direct)
        for (const spec of specs) {
          for (const c of spec.rules.flatMap((t) => parseRule(t).conditions)) {
            exercised.ops.add(c.op)
            exercised.fields.add(c.field)
          }

          const n = expected.get(spec.name)!.length
          if (spec.rules.length > 0 && n > 0 && n < devices.length) exercised.splitting++
        }

        const label = () => `round ${round}: ${JSON.stringify(specs)}`
        await withSeed(rng.seed, label(), async () => expect(await actualMembers(backend, specs)).toEqual(expected))
        // The one-device path (core rule, in TypeScript): a small import re-evaluates only its device.
        for (const d of rng.subset(devices, 0.1)) await backend.devices.import({records: [d]})
        await withSeed(rng.seed, `${label()} after one-device refreshes`, async () => expect(await actualMembers(backend, specs)).toEqual(expected))
      } finally {
        await cleanup()
      }
    })
  }

  it('the random rules used every operator and field, and most rule collections split the inventory', () => {
    expect([...exercised.ops].sort()).toEqual([...RULE_OPERATORS].sort())
    expect([...exercised.fields].sort()).toEqual(Object.keys(RULE_FIELDS).sort())
    expect(exercised.splitting).toBeGreaterThanOrEqual(ROUNDS * 3)
  })
})
