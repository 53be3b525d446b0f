import {escapeName, NAME_RULES, nameKey, nameProblem, requireName} from '../../src/core/names.js'

// Issue 15 items 3/4 and issue 16: the one rule for every stored name.
describe('name rule', () => {
  it.each([
    ['ESC (terminal escape sequence)', 'pc-\u001b[31mred', '\\x1b'],
    ['BEL', 'pc\u0007', '\\x07'],
    ['a line break', 'pc\n01', '\\x0a'],
    ['DEL', 'pc\u007f', '\\x7f'],
    ['a C1 control (CSI)', 'pc\u009b2J', '\\x9b'],
    ['a right-to-left override', 'invoice\u202Egpj.exe', '\\u202e'],
    ['a left-to-right embedding', 'a\u202Ab', '\\u202a'],
    ['a first-strong isolate', 'a\u2068b', '\\u2068'],
    ['a pop directional isolate', 'a\u2069b', '\\u2069'],
    ['the Arabic letter mark', 'a\u061Cb', '\\u061c'],
    ['a line separator', 'a\u2028b', '\\u2028'],
  ])('refuses %s and shows it escaped, never raw', (_what, name, escaped) => {
    const problem = nameProblem(name, NAME_RULES.device)
    expect(problem).toContain(escaped)
    expect(problem).toMatch(/control or bidirectional formatting characters/)
    // The raw character never reaches the message.
    expect(problem).not.toMatch(/[\u0000-\u001F\u007F-\u009F\u061C\u2028\u202A-\u202E\u2066-\u2069]/)
  })

  it('accepts ordinary names in any script', () => {
    for (const name of ['PC-01', 'ÄLPHA-01', 'сервер-1', '東京-web', 'web 01 (lab)', 'a'.repeat(255)]) expect(nameProblem(name, NAME_RULES.device)).toBeNull()
  })

  it('refuses an over-long name and says the limit', () => {
    expect(nameProblem('a'.repeat(256), NAME_RULES.device)).toMatch(/256 characters long; the limit is 255/)
    expect(nameProblem('c'.repeat(129), NAME_RULES.collection)).toMatch(/the limit is 128/)
  })

  it('refuses list separators where names live in lists, and empty names', () => {
    expect(nameProblem('a;b', NAME_RULES.device)).toMatch(/';' or '\|'/)
    expect(nameProblem('a|b', NAME_RULES.collection)).toMatch(/';' or '\|'/)
    expect(nameProblem('a;b', NAME_RULES.policy)).toBeNull()
    expect(nameProblem('   ', NAME_RULES.group)).toMatch(/group name is empty/)
  })

  it("refuses the reserved group name 'all' in any case", () => {
    expect(nameProblem('ALL', NAME_RULES.group)).toMatch(/'all' is reserved/)
    expect(nameProblem('all', NAME_RULES.collection)).toBeNull()
  })

  it('requireName trims, and throws a usage error (exit 2) with a hint', () => {
    expect(requireName('  Pilot  ', NAME_RULES.collection)).toBe('Pilot')
    expect(() => requireName('x\u001b]0;pwned\u0007', NAME_RULES.group)).toThrow(expect.objectContaining({exitCode: 2, message: expect.stringContaining('\\x1b')}))
    try {
      requireName('a\u202Eb', NAME_RULES.collection)
    } catch (error) {
      expect((error as {suggestions: string[]}).suggestions[0]).toBe("Use 1 to 128 characters without control characters or ';' or '|'.")
    }

    expect.assertions(3)
  })

  it('escapeName leaves printable text alone', () => {
    expect(escapeName('ÄLPHA-01 ok')).toBe('ÄLPHA-01 ok')
    expect(escapeName('\u001b[0m\u202E')).toBe('\\x1b[0m\\u202e')
  })

  it('nameKey folds case for every script and unifies Unicode normal forms', () => {
    expect(nameKey('ÄLPHA-01')).toBe(nameKey('älpha-01'))
    expect(nameKey('A\u0308LPHA-01')).toBe(nameKey('älpha-01')) // decomposed Ä (NFD) vs composed ä
    expect(nameKey('СЕРВЕР')).toBe(nameKey('сервер'))
    expect(nameKey('PC-1')).not.toBe(nameKey('PC-2'))
  })
})
