import {execFileSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {CsvReader, type CsvOptions, type CsvRecord, CsvSyntaxError, sniffDelimiter} from '../../../src/core/device/csv.js'
import {InventoryDecoder, sniffEncoding} from '../../../src/core/device/text.js'
import {tempHome} from '../../helpers/cli.js'
import {requireTool} from '../../helpers/tools.js'


/** Feeds the text in chunks of `size` characters and collects every record. */
function read(text: string, size = text.length || 1, options: CsvOptions = {}): CsvRecord[] {
  const reader = new CsvReader(options)
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
      // The bytes of the file, BOM and all, through the decoder the import uses.
      const bytes = readFileSync(file)
      const {encoding, bom} = sniffEncoding(bytes)
      const text = new InventoryDecoder(encoding, bom).write(bytes)
      expect(read(text, 4).map((r) => r.fields)).toEqual(JSON.parse(py))
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

describe('CSV reader: line breaks, dialects and preamble lines (15.16, 16)', () => {
  it('takes a lone CR as a line break (Excel for Mac), also inside quotes and across chunks', () => {
    const text = 'name,os\rPC-1,"Windows\r10"\rPC-2,Ubuntu\r\rPC-3,macOS\r'
    const expected = [
      {line: 1, fields: ['name', 'os']},
      {line: 2, fields: ['PC-1', 'Windows\r10']},
      {line: 4, fields: ['PC-2', 'Ubuntu']},
      {line: 6, fields: ['PC-3', 'macOS']},
    ]
    for (const size of [1, 2, 3, 5, 64]) expect(read(text, size)).toEqual(expected)
  })

  it('reads a CRLF cut between its CR and LF as one line break', () => {
    const reader = new CsvReader()
    expect(reader.push('a,b\r')).toEqual([{line: 1, fields: ['a', 'b']}])
    expect(reader.push('\n1,2\r')).toEqual([{line: 2, fields: ['1', '2']}])
    expect(reader.push('\n')).toEqual([])
    expect(reader.end()).toEqual([])
    expect(reader.line).toBe(3)
  })

  it.each([
    ['name;os;groups', ';'],
    ['name\tos\tgroups', '\t'],
    ['name,os,groups', ','],
    ['"a,b";c;d', ';'],
    ['name', ','],
    ['name,os;groups', ','],
  ])('sniffs the delimiter of %j as %j', (header, delimiter) => {
    expect(sniffDelimiter(header)).toBe(delimiter)
  })

  it('sniffs ; and tab from the header and splits every line with it, quotes included', () => {
    const semi = 'Name;Operating System;Groups\r\nPC-1;Windows 10;"Finance;VIP"\r\nPC-2;Windows 11, Pro;IT\r\n'
    for (const size of [1, 7, 100]) {
      expect(read(semi, size, {delimiter: 'sniff'}).map((r) => r.fields)).toEqual([
        ['Name', 'Operating System', 'Groups'],
        ['PC-1', 'Windows 10', 'Finance;VIP'],
        ['PC-2', 'Windows 11, Pro', 'IT'],
      ])
    }

    expect(read('name\tos\nPC-1\tWindows 10, Pro\n', 3, {delimiter: 'sniff'}).map((r) => r.fields)).toEqual([
      ['name', 'os'],
      ['PC-1', 'Windows 10, Pro'],
    ])
  })

  it('skips a PowerShell #TYPE line and an Excel sep= line, keeping the line numbers', () => {
    const ps = '#TYPE System.Management.Automation.PSCustomObject\r\n"Name","OS"\r\n"PC-1","Windows 10"\r\n'
    for (const size of [1, 4, 200]) {
      expect(read(ps, size, {delimiter: 'sniff'})).toEqual([
        {line: 2, fields: ['Name', 'OS']},
        {line: 3, fields: ['PC-1', 'Windows 10']},
      ])
    }

    // sep= wins over what the header would suggest.
    expect(read('sep=;\nname;os,x\nPC-1;Windows 10,y\n', 2, {delimiter: 'sniff'})).toEqual([
      {line: 2, fields: ['name', 'os,x']},
      {line: 3, fields: ['PC-1', 'Windows 10,y']},
    ])
    // Blank lines before the header are skipped, and a #TYPE line later is data.
    expect(read('\n\nname;os\n#TYPE x;y\n', 1, {delimiter: 'sniff'})).toEqual([
      {line: 3, fields: ['name', 'os']},
      {line: 4, fields: ['#TYPE x', 'y']},
    ])
    // Without sniffing, nothing is skipped.
    expect(read('#TYPE x\nname,os\n')[0]).toEqual({line: 1, fields: ['#TYPE x']})
    // A header alone, without a line break.
    expect(read('name;os', 3, {delimiter: 'sniff'})).toEqual([{line: 1, fields: ['name', 'os']}])
  })

  withPython.it('agrees with python3 csv on random files of every dialect and chunking, line numbers included', () => {
    let seed = 42
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
      return seed % n
    }

    const pieces = ['a', 'PC-1', 'é', 'ü', '😀', ' ', 'x y', '', '"', ',', ';', '\t', '\n', '\r\n', '\r']
    const docs: {text: string; delimiter: string}[] = []
    for (let d = 0; d < 150; d++) {
      const delimiter = [',', ';', '\t'][random(3)]
      const eol = ['\n', '\r\n', '\r'][random(3)]
      const columns = 1 + random(4)
      const lines: string[] = []
      for (let r = 0, rows = 1 + random(6); r < rows; r++) {
        const fields: string[] = []
        for (let c = 0; c < columns; c++) {
          let value = ''
          for (let k = 0, parts = random(4); k < parts; k++) value += pieces[random(pieces.length)]
          const special = /["\r\n,;\t]/.test(value)
          fields.push(special || random(4) === 0 ? `"${value.replaceAll('"', '""')}"` : value)
        }

        lines.push(fields.join(delimiter))
        if (random(8) === 0) lines.push('')
      }

      docs.push({text: lines.join(eol) + (random(2) ? eol : ''), delimiter})
    }

    const {home, cleanup} = tempHome()
    try {
      const file = join(home, 'docs.json')
      writeFileSync(file, JSON.stringify(docs))
      const script = [
        'import csv, io, json, sys',
        'out = []',
        'for doc in json.load(open(sys.argv[1])):',
        '    reader = csv.reader(io.StringIO(doc["text"], newline=""), delimiter=doc["delimiter"], strict=True)',
        '    rows, start = [], 1',
        '    for row in reader:',
        '        if row: rows.append({"line": start, "fields": row})',
        '        start = reader.line_num + 1',
        '    out.append(rows)',
        'print(json.dumps(out))',
      ].join('\n')
      const expected = JSON.parse(execFileSync('python3', ['-c', script, file], {encoding: 'utf8'}))
      for (const [i, doc] of docs.entries()) {
        const options = {delimiter: doc.delimiter as ',' | ';' | '\t'}
        for (const size of [1, 3, 1000]) expect({doc: i, records: read(doc.text, size, options)}).toEqual({doc: i, records: expected[i]})
      }
    } finally {
      cleanup()
    }
  })
})

describe('CSV reader: linear work and size limits (15.8)', () => {
  const MiB = 1 << 20
  /** Reads the text in chunks of `chunk` characters with limits that let it through; returns the work done. */
  function work(text: string, chunk: number): {records: number; scanned: number} {
    const reader = new CsvReader({maxFieldChars: 64 * MiB, maxRecordChars: 64 * MiB})
    let records = 0
    for (let i = 0; i < text.length; i += chunk) records += reader.push(text.slice(i, i + chunk)).length
    records += reader.end().length
    return {records, scanned: reader.scanned}
  }

  // Records that a reader rescanning its buffer on every chunk takes quadratic time on.
  const SHAPES: [string, (size: number) => string][] = [
    ['a quoted field, then a long unquoted one', (size) => `name,os\n"PC-1",${'x'.repeat(size)}\n`],
    ['one long unquoted line', (size) => `name,os\nPC-1,${'x'.repeat(size)}\n`],
    ['a long quoted field with line breaks', (size) => `name,os\n"PC-1","${'x\n'.repeat(size / 2)}"\n`],
    ['many short quoted fields on one line', (size) => `name,os\n${'"a",'.repeat(size / 4)}"b"\n`],
    ['a long field of doubled quotes', (size) => `name,os\n"${'""'.repeat(size / 2)}",x\n`],
  ]

  it.each(SHAPES)('does work linear in the input for %s, however it is chunked', (_name, make) => {
    const small = make(MiB / 4)
    const big = make(2 * MiB)
    for (const chunk of [4096, 65_536]) {
      const a = work(small, chunk)
      const b = work(big, chunk)
      expect(a.records).toBe(2)
      expect(b.records).toBe(2)
      // Each character is looked at a few times at most: 8x the input is about 8x the work.
      expect(a.scanned).toBeLessThanOrEqual(4 * small.length)
      expect(b.scanned).toBeLessThanOrEqual(4 * big.length)
      expect(b.scanned / a.scanned).toBeLessThan(9)
    }
  })

  it('gives the same records whether the text comes in one chunk or many', () => {
    const text = `name,os\n"PC-1",${'x'.repeat(200_000)}\nPC-2,"a""b"\n`
    expect(read(text, 4096)).toEqual(read(text))
  })

  it('refuses a field over the limit with its line, without echoing it', () => {
    const field = 'S3CRET'.repeat(100)
    for (const text of [`name,os\nPC-1,ok\nPC-2,${field}\n`, `name,os\nPC-1,ok\nPC-2,"${field}"\n`, `name,os\nPC-1,ok\nPC-2,"${field}`]) {
      for (const size of [7, 10_000]) {
        let error: unknown
        try {
          read(text, size, {maxFieldChars: 500})
        } catch (error_) {
          error = error_
        }

        expect(error).toBeInstanceOf(CsvSyntaxError)
        expect((error as CsvSyntaxError).line).toBe(3)
        expect((error as CsvSyntaxError).tooLong).toBe(true)
        expect((error as CsvSyntaxError).message).toMatch(/longer than 500 characters/)
        expect((error as CsvSyntaxError).message).not.toContain('S3CRET')
      }
    }
  })

  it('says a quoted field over the limit may lack its closing quote, on the line it opened', () => {
    expect(() => read('name,os\nPC-1,"Windows 10\nPC-2,Windows 11\n'.padEnd(2000, 'x'), 16, {maxFieldChars: 1000})).toThrow(
      /a quoted field is longer than 1,000 characters, the limit \(is its closing quote missing\?\)/,
    )
  })

  it('refuses a record over the limit even when each field is short', () => {
    const text = `name,os\n${'a,'.repeat(600)}b\n`
    for (const size of [5, 100_000]) {
      expect(() => read(text, size, {maxRecordChars: 1000})).toThrow(/line 2|a record is longer than 1,000 characters/)
      try {
        read(text, size, {maxRecordChars: 1000})
      } catch (error) {
        expect((error as CsvSyntaxError).line).toBe(2)
      }
    }

    // A header line with no line break is limited while the dialect is sniffed.
    expect(() => read('name,'.repeat(300), 100, {delimiter: 'sniff', maxRecordChars: 1000})).toThrow(/a record is longer than 1,000 characters/)
  })
})
