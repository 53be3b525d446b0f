import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {CsvReader, type CsvRecord, CsvSyntaxError} from '../../../src/core/device/csv.js'
import {tempHome} from '../../helpers/cli.js'
import {requireTool} from '../../helpers/tools.js'

/** Feeds the text in chunks of `size` characters and collects every record. */
function read(text: string, size = text.length): CsvRecord[] {
  const reader = new CsvReader()
  const out: CsvRecord[] = []
  for (let i = 0; i < text.length; i += size) out.push(...reader.push(text.slice(i, i + size)))
  out.push(...reader.end())
  return out
}

const TRICKY = [
  'name,os,groups',
  'PC-1,Windows 10,"Finance, VIP"',
  '"PC-2","Windows ""10"" Pro",',
  'PC-3,"multi',
  'line",Sales',
  '',
  'PC-4,Ubuntu 22.04,"a|b"',
  '"",,',
].join('\r\n')

const withPython = requireTool('python3')

describe('CSV reader (RFC 4180)', () => {
  it('reads quoted commas, doubled quotes, line breaks in fields, CRLF, blank lines, with line numbers', () => {
    const records = read(TRICKY)
    expect(records.map((r) => r.fields)).toEqual([
      ['name', 'os', 'groups'],
      ['PC-1', 'Windows 10', 'Finance, VIP'],
      ['PC-2', 'Windows "10" Pro', ''],
      ['PC-3', 'multi\r\nline', 'Sales'],
      ['PC-4', 'Ubuntu 22.04', 'a|b'],
      ['', '', ''],
    ])
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 4, 7, 8])
  })

  it.each([1, 2, 3, 5, 7, 64])('gives the same records whatever the chunk size (%i)', (size) => {
    expect(read(TRICKY, size)).toEqual(read(TRICKY))
  })

  withPython.it('agrees with python3 csv on the same file', () => {
    const {home, cleanup} = tempHome()
    try {
      const file = join(home, 'tricky.csv')
      writeFileSync(file, '\uFEFF' + TRICKY + '\n')
      const py = execFileSync('python3', ['-c', 'import csv,json,sys; print(json.dumps([r for r in csv.reader(open(sys.argv[1], newline="", encoding="utf-8-sig")) if r]))', file], {
        encoding: 'utf8',
      })
      expect(read('\uFEFF' + TRICKY + '\n', 4).map((r) => r.fields)).toEqual(JSON.parse(py))
    } finally {
      cleanup()
    }
  })

  it('reads a last record without a newline and LF-only files', () => {
    expect(read('a,b\n1,2').map((r) => r.fields)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ])
  })

  it('rejects an unclosed quote and text after a closing quote, with the line', () => {
    expect(() => read('a,b\n1,"open\n')).toThrow(CsvSyntaxError)
    try {
      read('a,b\nx,y\n1,"q"x\n')
    } catch (error) {
      expect(error).toBeInstanceOf(CsvSyntaxError)
      expect((error as CsvSyntaxError).line).toBe(3)
    }

    expect.assertions(3)
  })
})
