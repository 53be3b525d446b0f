import {terminalSafe} from '../../src/ui/terminal-text.js'

describe('terminalSafe: hostile text is shown, not obeyed', () => {
  it('escapes ESC sequences (clear screen, title, hyperlink), C1 controls and bidi overrides', () => {
    expect(terminalSafe('evil\u001B[2Jname')).toBe('evil\\x1b[2Jname')
    expect(terminalSafe('\u001B]0;pwned\u0007')).toBe('\\x1b]0;pwned\\x07')
    expect(terminalSafe('a\u009Bb')).toBe('a\\x9bb')
    expect(terminalSafe('invoice\u202Etxt.exe')).toBe('invoice\\u202etxt.exe')
    expect(terminalSafe('\u2066x\u2069 \u200F')).toBe('\\u2066x\\u2069 \\u200f')
    expect(terminalSafe('cr\rover')).toBe('cr\\x0dover')
  })

  it('keeps lines, tabs and ordinary Unicode', () => {
    expect(terminalSafe('one\ntwo\tthree — Zürich ✓ 東京')).toBe('one\ntwo\tthree — Zürich ✓ 東京')
  })

  it('with colour on, keeps the theme colours only; any other sequence is escaped', () => {
    expect(terminalSafe('\u001B[32mok\u001B[39m', {colour: true})).toBe('\u001B[32mok\u001B[39m')
    expect(terminalSafe('\u001B[2J\u001B[8mhidden\u001B[32m', {colour: true})).toBe('\\x1b[2J\\x1b[8mhidden\u001B[32m')
    expect(terminalSafe('\u001B[32mok\u001B[39m')).toBe('\\x1b[32mok\\x1b[39m')
  })
})
