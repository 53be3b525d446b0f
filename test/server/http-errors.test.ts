import {AuthError, ConflictError, InvalidInputError, isAtpError, NotFoundError, RuleError, ThrottledError, UnreachableError, UsageError} from '../../src/core/errors.js'
import {exitForStatus, fromEnvelope, retryAfterMs, statusForExit, toEnvelope} from '../../src/lib/http-errors.js'

describe('errors across HTTP (issue 7: same exit codes on every backend)', () => {
  const cases = [
    {error: new UsageError('bad flag', {suggestions: ['pass --x']}), status: 400},
    {error: new NotFoundError('no such token'), status: 404},
    {error: new RuleError('TP2', 'provider off'), status: 409},
    {error: new RuleError('', 'refused'), status: 409},
    {error: new AuthError('who are you', {code: 'API_KEY_INVALID'}), status: 401},
    {error: new AuthError('not allowed', {code: 'FORBIDDEN'}), status: 403},
    {error: new UnreachableError('db locked'), status: 503},
    {error: new InvalidInputError('tampered', {code: 'PACKAGE_TAMPERED', details: {problems: [{code: 'PACKAGE_TAMPERED'}]}}), status: 422},
    // Issue 11 item 4: a conflict is exit 4 CONFLICT everywhere; throttled is exit 8 with when to retry.
    {error: new ConflictError('exists with other rules', {details: {differences: [{field: 'rules', existing: 'a', requested: 'b'}]}}), status: 409},
    {error: new ThrottledError('Too many requests for this key; retry in 30 s.', {retryAfterMs: 30_000, suggestions: ['Slow down.']}), status: 429},
  ]

  it.each(cases)('maps $error.code (exit $error.exitCode) to HTTP $status and back to the same core error', ({error, status}) => {
    const {status: got, body} = toEnvelope(error)
    expect(got).toBe(status)
    const rebuilt = fromEnvelope(got, JSON.parse(JSON.stringify(body)), 'http://127.0.0.1:1')
    expect(isAtpError(rebuilt)).toBe(true)
    expect({code: rebuilt.code, exitCode: rebuilt.exitCode, message: rebuilt.message, suggestions: rebuilt.suggestions, details: rebuilt.details, name: rebuilt.constructor.name}).toEqual({
      details: error.details,
      code: error.code,
      exitCode: error.exitCode,
      message: error.message,
      suggestions: error.suggestions,
      name: error.constructor.name,
    })
  })

  it('hides unexpected errors behind a generic 500 (exit 1) without their message', () => {
    const {status, body} = toEnvelope(new Error('SQLITE_CORRUPT at /secret/path'))
    expect(status).toBe(500)
    expect(body.error).toMatchObject({code: 'INTERNAL', exitCode: 1})
    expect(JSON.stringify(body)).not.toContain('/secret/path')
  })

  it('derives the exit code from a bare status when a proxy answers without our envelope', () => {
    expect([400, 401, 403, 404, 408, 409, 413, 422, 429, 502, 503, 500].map(exitForStatus)).toEqual([2, 5, 5, 3, 6, 4, 2, 7, 8, 6, 6, 1])
    const e = fromEnvelope(502, '<html>Bad gateway</html>', 'https://atp.example.net')
    expect({exitCode: e.exitCode, message: e.message}).toEqual({exitCode: 6, message: 'The server at https://atp.example.net answered HTTP 502.'})
    expect(statusForExit(13)).toBe(409)
    expect(statusForExit(1)).toBe(500)
  })

  it('turns 429, and 503 with Retry-After, into throttled (exit 8) saying when to retry, whatever an older server put in the body', () => {
    const bare = fromEnvelope(429, undefined, 'https://atp.example.net', '30')
    expect(bare).toMatchObject({code: 'THROTTLED', exitCode: 8, retryAfterMs: 30_000})
    expect(bare.message).toBe('The server at https://atp.example.net refuses requests for now (HTTP 429). Retry in 30 s.')
    const old = fromEnvelope(429, {error: {code: 'RATE_LIMITED', exitCode: 6, message: 'Too many requests for this key.', suggestions: []}}, 'https://x', '120')
    expect(old).toMatchObject({code: 'THROTTLED', exitCode: 8, message: 'Too many requests for this key. Retry in 2 min.'})
    expect(fromEnvelope(503, undefined, 'https://x', '5')).toMatchObject({exitCode: 8, retryAfterMs: 5000})
    expect(fromEnvelope(503, undefined, 'https://x')).toMatchObject({exitCode: 6, code: 'UNREACHABLE'})
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:30 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(30_000)
    expect(retryAfterMs('soon')).toBeUndefined()
    expect(statusForExit(8)).toBe(429)
  })
})
