import {checkTokenTtl, hashTokenSecret, MAX_TOKEN_TTL_MS, newTokenSecret, tokenStatus} from '../../../src/core/token/rules.js'
import {formatDuration, parseDuration} from '../../../src/core/duration.js'

describe('token rules (TP2)', () => {
  it('accepts validity up to 30 days and refuses more, or zero', () => {
    expect(() => checkTokenTtl(MAX_TOKEN_TTL_MS)).not.toThrow()
    expect(() => checkTokenTtl(MAX_TOKEN_TTL_MS + 1)).toThrow(expect.objectContaining({code: 'USAGE', exitCode: 2}))
    expect(() => checkTokenTtl(0)).toThrow(expect.objectContaining({exitCode: 2}))
  })

  it('makes distinct high-entropy secrets and stores only a SHA-256 of them', () => {
    const a = newTokenSecret()
    const b = newTokenSecret()
    expect(a).not.toBe(b)
    expect(a).toMatch(/^atpt_[A-Za-z0-9_-]{43}$/)
    expect(hashTokenSecret(a)).toMatch(/^[0-9a-f]{64}$/)
    expect(hashTokenSecret(a)).not.toContain(a.slice(5))
    expect(hashTokenSecret(`${a}\n`)).toBe(hashTokenSecret(a))
  })

  it('derives status: revoked wins over expired, expired at the exact expiry instant', () => {
    const now = new Date('2026-01-01T00:00:00.000Z')
    expect(tokenStatus({expiresAt: '2026-01-01T00:00:00.001Z', revokedAt: null}, now)).toBe('active')
    expect(tokenStatus({expiresAt: '2026-01-01T00:00:00.000Z', revokedAt: null}, now)).toBe('expired')
    expect(tokenStatus({expiresAt: '2025-01-01T00:00:00.000Z', revokedAt: '2025-06-01T00:00:00Z'}, now)).toBe('revoked')
  })
})

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['24h', 86_400_000],
    ['30d', 2_592_000_000],
    ['1.5h', 5_400_000],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text, '--ttl')).toBe(ms)
  })

  it.each(['', 'abc', '10w', '-1h', '1 day', '45'])('rejects %j with the flag named', (text) => {
    expect(() => parseDuration(text, '--ttl')).toThrow(/--ttl/)
  })

  it('formats back to the largest whole unit', () => {
    expect(formatDuration(86_400_000 * 7)).toBe('7d')
    expect(formatDuration(3_600_000 * 25)).toBe('25h')
    expect(formatDuration(1500)).toBe('2s')
  })
})
