import {parseSince} from '../../src/core/alert/service.js'
import {parseDuration} from '../../src/core/duration.js'

describe('a duration needs its unit', () => {
  it.each(['30', '7', '1.5', ' 45 '])('refuses the bare number %j (exit 2) and asks which unit was meant', (text) => {
    let error: (Error & {exitCode?: number; suggestions?: string[]}) | undefined
    try {
      parseDuration(text, '--ttl')
    } catch (error_) {
      error = error_ as typeof error
    }

    const n = text.trim()
    expect(error?.message).toBe(`The duration '${text}' for --ttl has no unit.`)
    expect(error?.exitCode).toBe(2)
    expect(error?.suggestions?.[0]).toContain(`Did you mean ${n}m, ${n}h or ${n}d?`)
  })

  it('accepts the units, as before', () => {
    expect(parseDuration('30s', '--ttl')).toBe(30_000)
    expect(parseDuration('30m', '--ttl')).toBe(1_800_000)
    expect(parseDuration('7d', '--fail-if-expires-within')).toBe(604_800_000)
  })

  it('alert list --since uses the same rule: a bare number is refused, not read as a year', () => {
    const now = new Date('2026-11-01T00:00:00Z')
    expect(() => parseSince('30', now)).toThrow(/no unit/)
    expect(parseSince('24h', now)).toBe('2026-10-31T00:00:00.000Z')
    expect(parseSince('2026-10-01', now)).toBe('2026-10-01T00:00:00.000Z')
  })
})
