import {isUtf8} from 'node:buffer'
import {gzipSync} from 'node:zlib'
import {countLineBreaks, describeBinary, firstInvalidUtf8, InventoryDecoder, sniffEncoding, type TextEncoding} from '../../../src/core/device/text.js'
import {buildZip} from '../../../src/lib/zip-writer.js'

/** Decodes `bytes` fed in chunks of `size` bytes: the text and the failure, if any. */
function decode(bytes: Buffer, size: number): {text: string; failure: string | null} {
  const {encoding, bom} = sniffEncoding(bytes)
  const decoder = new InventoryDecoder(encoding, bom)
  let text = ''
  for (let i = 0; i < bytes.length && !decoder.failure; i += size) text += decoder.write(bytes.subarray(i, i + size))
  text += decoder.end()
  return {text, failure: decoder.failure?.message ?? null}
}

const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16()
const SAMPLE = 'name,user\r\nPC-1,jürgen.müller\nPC-2,åsa 😀 Ωmega\n'

describe('inventory text decoding (15.16, 16)', () => {
  it.each([
    ['UTF-8 without a BOM', Buffer.from(SAMPLE, 'utf8'), 'utf-8', 0],
    ['UTF-8 with a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SAMPLE, 'utf8')]), 'utf-8', 3],
    ['UTF-16 LE with a BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SAMPLE, 'utf16le')]), 'utf-16le', 2],
    ['UTF-16 BE with a BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(SAMPLE)]), 'utf-16be', 2],
  ])('decodes %s, whatever the chunks cut (characters and surrogate pairs included)', (_name, bytes, encoding, bom) => {
    expect(sniffEncoding(bytes)).toEqual({encoding, bom})
    expect(describeBinary(bytes)).toBeNull()
    for (const size of [1, 2, 3, 5, 7, 4096]) expect(decode(bytes, size)).toEqual({text: SAMPLE, failure: null})
  })

  it('refuses bytes that are not UTF-8, giving the valid text before them', () => {
    const bytes = Buffer.concat([Buffer.from('name,os\nM', 'utf8'), Buffer.from([0xfc]), Buffer.from('ller,Windows\n', 'utf8')])
    for (const size of [1, 4, 100]) expect(decode(bytes, size)).toEqual({text: 'name,os\nM', failure: 'byte 0xFC is not UTF-8'})
    // Cut off inside a character at the end of the file.
    expect(decode(Buffer.concat([Buffer.from('ok,'), Buffer.from('é', 'utf8').subarray(0, 1)]), 3)).toEqual({text: 'ok,', failure: 'the file ends inside a UTF-8 character'})
    // Overlong forms and encoded surrogates are not UTF-8 either.
    expect(decode(Buffer.from([0x61, 0xc0, 0xaf]), 1).failure).toMatch(/0xC0/)
    expect(decode(Buffer.from([0x61, 0xed, 0xa0, 0x80]), 2).failure).toMatch(/0xED/)
  })

  it('finds the first invalid UTF-8 byte exactly where Node stops accepting the text (random bytes)', () => {
    let seed = 7
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
      return seed % n
    }

    const alphabet = [0x61, 0x0a, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0x80, 0xbf, 0xc0, 0xed, 0xa0, 0xf4, 0x90, 0xff]
    for (let k = 0; k < 2000; k++) {
      const bytes = Buffer.from(Array.from({length: 1 + random(12)}, () => alphabet[random(alphabet.length)]))
      const valid = isUtf8(bytes)
      const decoded = decode(bytes, 1 + random(4))
      if (valid) {
        expect(decoded).toEqual({text: bytes.toString('utf8'), failure: null})
        continue
      }

      // The decoded text is the longest valid prefix that ends on a character boundary.
      const at = firstInvalidUtf8(bytes)
      expect(isUtf8(bytes.subarray(0, at))).toBe(true)
      expect(decoded.failure).not.toBeNull()
      if (decoded.failure!.startsWith('byte')) expect(Buffer.from(decoded.text, 'utf8').length).toBe(at)
      else expect(Buffer.from(decoded.text, 'utf8').length).toBeLessThanOrEqual(at)
      expect(new TextDecoder('utf-8', {fatal: true}).decode(Buffer.from(decoded.text, 'utf8'))).toBe(decoded.text)
    }
  })

  it('refuses a NUL and a lone surrogate, giving the text before them', () => {
    expect(decode(Buffer.from('name,os\nPC-1\0,x\n', 'utf8'), 3)).toEqual({text: 'name,os\nPC-1', failure: 'a NUL byte'})
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\nc', 'utf16le'), Buffer.from([0x00, 0xd8]), Buffer.from('x\n', 'utf16le')])
    expect(decode(le, 3)).toEqual({text: 'a,b\nc', failure: 'a broken UTF-16 character (a lone surrogate)'})
    const nul = Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be('a,b\n\0')])
    expect(decode(nul, 1)).toEqual({text: 'a,b\n', failure: 'a NUL character'})
    expect(decode(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('ab', 'utf16le'), Buffer.from([0x41])]), 2).failure).toBe('the file ends inside a UTF-16 character')
  })

  it.each<[string, Buffer, string]>([
    ['an Excel workbook', buildZip([{name: '[Content_Types].xml', data: Buffer.from('<Types/>')}, {name: 'xl/workbook.xml', data: Buffer.from('<workbook/>')}]), 'an Excel workbook (.xlsx)'],
    ['a Word document', buildZip([{name: '[Content_Types].xml', data: Buffer.from('<Types/>')}, {name: 'word/document.xml', data: Buffer.from('<w/>')}]), 'an Office document (.docx, .xlsx or .pptx)'],
    ['a zip', buildZip([{name: 'inventory.csv', data: Buffer.from('name,os\n')}]), 'a ZIP archive'],
    ['an old Excel file', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'an Office 97-2003 document (an Excel .xls workbook?)'],
    ['a PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), 'a PNG image'],
    ['a JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'a JPEG image'],
    ['a PDF', Buffer.from('%PDF-1.7\n%\u00e2\u00e3\n'), 'a PDF document'],
    ['a gzip', gzipSync('name,os\n'), 'a gzip archive'],
    ['an SQLite database', Buffer.from('SQLite format 3\0\u0010\u0000'), 'an SQLite database'],
    ['UTF-16 LE without a BOM', Buffer.from('name,os\r\n', 'utf16le'), 'UTF-16 LE text without a byte order mark'],
    ['UTF-16 BE without a BOM', utf16be('name,os\r\n'), 'UTF-16 BE text without a byte order mark'],
    ['bytes with a NUL', Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05]), 'binary data (it has NUL bytes)'],
  ])('names %s instead of reading it as text', (_name, bytes, what) => {
    expect(describeBinary(bytes)).toBe(what)
  })

  it('takes text as text, byte order marks included', () => {
    for (const text of ['name,os\n', '{"name": "x"}\n', '', 'MZ-PC-01,Windows 10\n', 'GIF8,os\n', 'Rar!,x\n']) expect(describeBinary(Buffer.from(text))).toBeNull()
    expect(describeBinary(Buffer.from('MZ\u0090\u0000\u0003\u0000'))).toBe('a Windows program (.exe or .dll)')

    for (const encoding of ['utf-16le', 'utf-16be'] as TextEncoding[]) {
      const body = encoding === 'utf-16le' ? Buffer.from('name,os\n', 'utf16le') : utf16be('name,os\n')
      expect(describeBinary(Buffer.concat([Buffer.from(encoding === 'utf-16le' ? [0xff, 0xfe] : [0xfe, 0xff]), body]))).toBeNull()
    }
  })

  it('counts LF, CRLF and lone CR line breaks alike', () => {
    expect(countLineBreaks('')).toBe(0)
    expect(countLineBreaks('a\nb\r\nc\rd')).toBe(3)
    expect(countLineBreaks('\r\r\n\n')).toBe(3)
  })
})
