import {AuthError, InvalidInputError, isAtpError, NotFoundError, RuleError, UnreachableError, UsageError} from '../../src/core/errors.js'
import {exitForStatus, fromEnvelope, statusForExit, toEnvelope} from '../../src/lib/http-errors.js'

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
    expect([400, 401, 403, 404, 409, 413, 422, 429, 502, 503, 500].map(exitForStatus)).toEqual([2, 5, 5, 3, 4, 2, 7, 6, 6, 6, 1])
    const e = fromEnvelope(502, '<html>Bad gateway</html>', 'https://atp.example.net')
    expect({exitCode: e.exitCode, message: e.message}).toEqual({exitCode: 6, message: 'The server at https://atp.example.net answered HTTP 502.'})
    expect(statusForExit(13)).toBe(409)
    expect(statusForExit(1)).toBe(500)
  })
})
