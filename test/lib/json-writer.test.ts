import {writeJson} from '../../src/lib/json-writer.js'

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
