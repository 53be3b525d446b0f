/**
 * Inventory bytes → text. The encoding comes from the byte order mark: UTF-8 (with or without
 * one), UTF-16 LE or BE (PowerShell 5.1's `Out-File` and `Export-Csv -Encoding Unicode`). Text
 * that is not valid in its encoding, or holds a NUL, is refused where it happens instead of
 * being replaced silently (15.16); a binary file (an archive, an Excel workbook, an image) is
 * recognised from its first bytes and named without showing them (16). Pure: no file access.
 */
import {isUtf8} from 'node:buffer'

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be'

export class TextDecodeError extends Error {
  constructor(
    readonly reason: 'invalid' | 'nul',
    message: string,
  ) {
    super(message)
  }
}

/** The encoding given by the byte order mark at the start, and the mark's length (0 without one). */
export function sniffEncoding(head: Uint8Array): {encoding: TextEncoding; bom: number} {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return {encoding: 'utf-8', bom: 3}
  if (head[0] === 0xff && head[1] === 0xfe) return {encoding: 'utf-16le', bom: 2}
  if (head[0] === 0xfe && head[1] === 0xff) return {encoding: 'utf-16be', bom: 2}
  return {encoding: 'utf-8', bom: 0}
}

const startsWith = (head: Uint8Array, bytes: number[], at = 0) => bytes.every((b, i) => head[at + i] === b)
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0))

/** File signatures, first match wins; `head` is the start of the file (a few KB). */
const SIGNATURES: {test: (head: Uint8Array) => boolean; what: string}[] = [
  {test: (h) => startsWith(h, [0x50, 0x4b, 0x03, 0x04]) && includesAscii(h, 'xl/'), what: 'an Excel workbook (.xlsx)'},
  {test: (h) => startsWith(h, [0x50, 0x4b, 0x03, 0x04]) && includesAscii(h, '[Content_Types].xml'), what: 'an Office document (.docx, .xlsx or .pptx)'},
  {test: (h) => startsWith(h, [0x50, 0x4b]) && [0x03, 0x05, 0x07].includes(h[2]), what: 'a ZIP archive'},
  {test: (h) => startsWith(h, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), what: 'an Office 97-2003 document (an Excel .xls workbook?)'},
  {test: (h) => startsWith(h, [0x89, ...ascii('PNG')]), what: 'a PNG image'},
  {test: (h) => startsWith(h, [0xff, 0xd8, 0xff]), what: 'a JPEG image'},
  {test: (h) => startsWith(h, ascii('GIF87a')) || startsWith(h, ascii('GIF89a')), what: 'a GIF image'},
  {test: (h) => startsWith(h, ascii('RIFF')) && startsWith(h, ascii('WEBP'), 8), what: 'a WebP image'},
  {test: (h) => startsWith(h, ascii('%PDF-')), what: 'a PDF document'},
  {test: (h) => startsWith(h, [0x1f, 0x8b]), what: 'a gzip archive'},
  {test: (h) => startsWith(h, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]), what: 'a 7-Zip archive'},
  {test: (h) => startsWith(h, [...ascii('Rar!'), 0x1a, 0x07]), what: 'a RAR archive'},
  {test: (h) => startsWith(h, ascii('SQLite format 3\0')), what: 'an SQLite database'},
  {test: (h) => startsWith(h, [0x7f, ...ascii('ELF')]), what: 'a Linux program (ELF)'},
  {test: (h) => startsWith(h, ascii('MZ')) && h.subarray(0, 64).includes(0), what: 'a Windows program (.exe or .dll)'},
  {test: (h) => startsWith(h, [0xcf, 0xfa, 0xed, 0xfe]) || startsWith(h, [0xca, 0xfe, 0xba, 0xbe]), what: 'a macOS program'},
]

function includesAscii(head: Uint8Array, s: string): boolean {
  return Buffer.from(head.buffer, head.byteOffset, head.byteLength).includes(s, 0, 'latin1')
}

/**
 * What a file that is not text looks like, from its first bytes (after any byte order mark is
 * ruled out): a known file type, UTF-16 without a byte order mark, or binary data (a NUL
 * byte); null for text.
 */
export function describeBinary(head: Uint8Array): string | null {
  if (sniffEncoding(head).encoding !== 'utf-8') return null
  for (const s of SIGNATURES) if (s.test(head)) return s.what
  const nul = head.indexOf(0)
  if (nul === -1) return null
  // ASCII text in UTF-16 without a byte order mark has a NUL in every other byte.
  const pairs = Math.min(64, head.length >> 1)
  let le = 0
  let be = 0
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] !== 0 && head[2 * i + 1] === 0) le++
    if (head[2 * i] === 0 && head[2 * i + 1] !== 0) be++
  }

  if (pairs >= 2 && le === pairs) return 'UTF-16 LE text without a byte order mark'
  if (pairs >= 2 && be === pairs) return 'UTF-16 BE text without a byte order mark'
  return 'binary data (it has NUL bytes)'
}

/**
 * Decodes a stream of byte chunks. `write` returns the text of the complete characters so far
 * (a character split across chunks is kept for the next one); when the bytes are not valid
 * text it returns the valid text before the bad bytes and sets `failure`: the caller takes
 * that text (to know the line) and stops. `bom` bytes (the byte order mark) are skipped first.
 */
export class InventoryDecoder {
  failure: TextDecodeError | null = null
  private carry: Buffer = Buffer.alloc(0)
  private skip: number

  constructor(
    readonly encoding: TextEncoding,
    bom = 0,
  ) {
    this.skip = bom
  }

  write(bytes: Uint8Array): string {
    if (this.failure) return ''
    let buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    if (this.skip > 0) {
      const skipped = Math.min(this.skip, buf.length)
      buf = buf.subarray(skipped)
      this.skip -= skipped
    }

    if (this.carry.length > 0) buf = Buffer.concat([this.carry, buf])
    return this.encoding === 'utf-8' ? this.utf8(buf) : this.utf16(buf)
  }

  /** The end of the input: a character cut off there is invalid. */
  end(): string {
    if (!this.failure && this.carry.length > 0) {
      this.fail('invalid', this.encoding === 'utf-8' ? 'the file ends inside a UTF-8 character' : 'the file ends inside a UTF-16 character')
    }

    return ''
  }

  private utf8(buf: Buffer): string {
    const end = completeUtf8(buf)
    this.carry = Buffer.from(buf.subarray(end))
    const body = buf.subarray(0, end)
    let stop = end
    if (!isUtf8(body)) {
      stop = firstInvalidUtf8(body)
      this.fail('invalid', `byte 0x${body[stop].toString(16).toUpperCase().padStart(2, '0')} is not UTF-8`)
    }

    const nul = body.subarray(0, stop).indexOf(0)
    if (nul !== -1) {
      stop = nul
      this.fail('nul', 'a NUL byte')
    }

    return body.toString('utf8', 0, stop)
  }

  private utf16(buf: Buffer): string {
    let end = buf.length & ~1
    let units = buf.subarray(0, end)
    if (this.encoding === 'utf-16be') units = Buffer.from(units).swap16()
    let text = units.toString('utf16le')
    const last = text.charCodeAt(text.length - 1)
    if (last >= 0xd800 && last <= 0xdbff) {
      // A surrogate pair cut by the chunk: keep its first half for the next one.
      text = text.slice(0, -1)
      end -= 2
    }

    this.carry = Buffer.from(buf.subarray(end))
    const bad = loneSurrogate(text)
    const nul = text.indexOf('\0')
    if (nul !== -1 && (bad === -1 || nul < bad)) {
      this.fail('nul', 'a NUL character')
      return text.slice(0, nul)
    }

    if (bad !== -1) {
      this.fail('invalid', 'a broken UTF-16 character (a lone surrogate)')
      return text.slice(0, bad)
    }

    return text
  }

  private fail(reason: 'invalid' | 'nul', message: string): void {
    this.failure = new TextDecodeError(reason, message)
    this.carry = Buffer.alloc(0)
  }
}

/** Where the last UTF-8 character of `buf` is cut off by its end (buf.length when none is). */
function completeUtf8(buf: Uint8Array): number {
  const n = buf.length
  for (let k = 1; k <= 3 && k <= n; k++) {
    const b = buf[n - k]
    if ((b & 0xc0) === 0x80) continue
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1
    return need > k ? n - k : n
  }

  return n
}

/** The offset of the first byte that does not start a valid UTF-8 sequence (buf is known invalid). */
export function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0
  const n = buf.length
  while (i < n) {
    const b = buf[i]
    if (b < 0x80) {
      i++
      continue
    }

    let need: number
    let min: number
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1
      min = 0x80
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2
      min = 0x800
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3
      min = 0x10000
    } else {
      return i
    }

    if (i + need >= n) return i
    let cp = b & (0x3f >> need)
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k]
      if ((c & 0xc0) !== 0x80) return i
      cp = (cp << 6) | (c & 0x3f)
    }

    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i
    i += need + 1
  }

  return n
}

/** The index of the first unpaired surrogate in `text`, or -1. */
function loneSurrogate(text: string): number {
  if ((text as unknown as {isWellFormed(): boolean}).isWellFormed()) return -1
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++
        continue
      }

      return i
    }

    if (c >= 0xdc00 && c <= 0xdfff) return i
  }

  return -1
}

/** The number of line breaks (LF, CRLF or a lone CR) in `text`: the line of its end is this + 1. */
export function countLineBreaks(text: string): number {
  let lines = 0
  for (let p = text.indexOf('\n'); p !== -1; p = text.indexOf('\n', p + 1)) lines++
  for (let p = text.indexOf('\r'); p !== -1; p = text.indexOf('\r', p + 1)) if (text.charCodeAt(p + 1) !== 10) lines++
  return lines
}
