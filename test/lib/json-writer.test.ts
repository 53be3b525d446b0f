import {hasAsyncList, jsonChunksAsync, writeJson} from '../../src/lib/json-writer.js'

/** What writeJson hands to its sink, and how many pieces. */
function written(value: unknown, options: {minItems?: number; chunkChars?: number}) {
  const chunks: string[] = []
  writeJson(value, (c) => chunks.push(c), options)
  return {text: chunks.join(''), chunks: chunks.length}
}

/** A deterministic pseudo-random generator, so a failure can be replayed. */
function random(seed: number) {
  let s = seed
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648
    return s / 2_147_483_648
  }
}

function value(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 2 ? 7 : 10))
  switch (pick) {
    case 0: {
      return null
    }

    case 1: {
      return Math.floor(next() * 1000) - 500
    }

    case 2: {
      return ['plain', 'two\nlines', 'quote " and \\ backslash', 'unicode é ✓ \u0001', ''][Math.floor(next() * 5)]
    }

    case 3: {
      return next() > 0.5
    }

    case 4: {
      return undefined
    }

    case 5: {
      return new Date(Math.floor(next() * 2e12))
    }

    case 6: {
      return () => 0
    }

    case 7:
    case 8: {
      return Array.from({length: Math.floor(next() * 6)}, () => value(next, depth + 1))
    }

    default: {
      const object: Record<string, unknown> = {}
      for (let i = Math.floor(next() * 5); i > 0; i--) object[`k${Math.floor(next() * 100)}`] = value(next, depth + 1)
      return object
    }
  }
}

describe('writeJson: JSON.stringify(value, null, 2) written in pieces', () => {
  it('writes the same bytes as JSON.stringify for 2,000 random documents, streamed or not', () => {
    const next = random(42)
    for (let i = 0; i < 2000; i++) {
      const doc = next() > 0.3 ? {summary: value(next, 1), devices: Array.from({length: Math.floor(next() * 8)}, () => value(next, 1)), skipped: value(next, 1)} : value(next, 0)
      const expected = `${JSON.stringify(doc, null, 2)}\n`
      for (const minItems of [1, 2, 1000]) expect({i, minItems, text: written(doc, {minItems, chunkChars: 16}).text}).toEqual({i, minItems, text: expected})
    }
  })

  it('hands a large list over in many pieces instead of one string', () => {
    const devices = Array.from({length: 5000}, (_, i) => ({name: `host-${i}`, collections: ['Fleet'], onboarding: {onboarded: i % 2 === 0, reason: null}}))
    const {text, chunks} = written({devices}, {})
    expect(text).toBe(`${JSON.stringify({devices}, null, 2)}\n`)
    expect(chunks).toBeGreaterThan(10)
    expect(written({devices: devices.slice(0, 10)}, {}).chunks).toBe(1)
  })
})

/** A list that arrives as pages do: an AsyncIterable, handing its items over one at a time. */
async function* arriving<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield await Promise.resolve(item)
}

async function writtenAsync(value: unknown, chunkChars?: number) {
  const chunks: string[] = []
  for await (const chunk of jsonChunksAsync(value, {chunkChars})) chunks.push(chunk)
  return {text: chunks.join(''), chunks: chunks.length}
}

describe('jsonChunksAsync: lists written as their pages arrive (issue 11 item 6)', () => {
  it('writes the bytes of JSON.stringify of the collected document, for 1,000 random documents', async () => {
    const next = random(7)
    for (let i = 0; i < 1000; i++) {
      const devices = Array.from({length: Math.floor(next() * 8)}, () => value(next, 1))
      const head = value(next, 1)
      const tail = value(next, 1)
      const doc = {head, devices: arriving(devices), tail}
      expect(hasAsyncList(doc)).toBe(true)
      expect({i, text: (await writtenAsync(doc, 16)).text}).toEqual({i, text: `${JSON.stringify({head, devices, tail}, null, 2)}\n`})
    }

    expect((await writtenAsync(arriving([1, {a: [2]}]))).text).toBe(`${JSON.stringify([1, {a: [2]}], null, 2)}\n`)
    expect((await writtenAsync({devices: arriving([])})).text).toBe('{\n  "devices": []\n}\n')
  })

  it('hands pieces over while the list is still arriving, not once at the end', async () => {
    let produced = 0
    const chunksBefore: number[] = []
    async function* devices() {
      for (let i = 0; i < 5000; i++) {
        produced++
        yield {name: `host-${i}`, collections: ['Fleet']}
      }
    }

    for await (const _chunk of jsonChunksAsync({devices: devices()})) chunksBefore.push(produced)
    expect(chunksBefore.length).toBeGreaterThan(5)
    expect(chunksBefore[0]).toBeLessThan(5000)
    expect(hasAsyncList({devices: [1]})).toBe(false)
  })
})
