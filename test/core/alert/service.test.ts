import {parseSince} from '../../../src/core/alert/service.js'

describe('alert list --since', () => {
  const now = new Date('2026-11-23T12:00:00.000Z')

  it('takes a duration back from now', () => {
    expect(parseSince('24h', now)).toBe('2026-11-22T12:00:00.000Z')
    expect(parseSince('7d', now)).toBe('2026-11-16T12:00:00.000Z')
    expect(parseSince('90s', now)).toBe('2026-11-23T11:58:30.000Z')
  })

  it('takes an ISO date or date-time, normalised to UTC', () => {
    expect(parseSince('2026-11-01', now)).toBe('2026-11-01T00:00:00.000Z')
    expect(parseSince('2026-11-01T08:00:00+01:00', now)).toBe('2026-11-01T07:00:00.000Z')
  })

  it('refuses anything else with exit 2 and an example', () => {
    expect(() => parseSince('last week', now)).toThrow(expect.objectContaining({exitCode: 2, suggestions: [expect.stringContaining('24h')]}))
  })
})
