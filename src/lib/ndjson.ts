/**
 * NDJSON (one JSON value per line) as the streamed device import travels: the remote backend
 * encodes records into text chunks as it reads them, and the database thread of the server
 * splits the received body back into lines (src/server/upload.ts).
 */
import {StringDecoder} from 'node:string_decoder'

export const NDJSON_MEDIA_TYPE = 'application/x-ndjson'

/** Text chunks of about `chunkChars` characters, one compact JSON value per line. */
export function* ndjsonChunks(items: Iterable<unknown>, chunkChars = 1 << 16): Generator<string> {
  let chunk = ''
  for (const item of items) {
    chunk += JSON.stringify(item) + '\n'
    if (chunk.length >= chunkChars) {
      yield chunk
      chunk = ''
    }
  }

  if (chunk !== '') yield chunk
}

/** `ndjsonChunks` of an async iterable: a chunk is ready once enough items have come in. */
export async function* ndjsonChunksAsync(items: AsyncIterable<unknown>, chunkChars = 1 << 16): AsyncGenerator<string> {
  let chunk = ''
  for await (const item of items) {
    chunk += JSON.stringify(item) + '\n'
    if (chunk.length >= chunkChars) {
      yield chunk
      chunk = ''
    }
  }

  if (chunk !== '') yield chunk
}

/** Raised when one line is longer than the splitter accepts. */
export class LineTooLongError extends Error {
  constructor(
    readonly line: number,
    readonly maxChars: number,
  ) {
    super(`line ${line} is longer than ${maxChars} characters`)
  }
}

/**
 * Splits UTF-8 bytes, given in arbitrary chunks, into lines (without the line break; a
 * trailing '\r' is left for JSON.parse to treat as white space). Line numbers count from 1.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8')
  private rest = ''
  private lineNumber = 0

  constructor(private readonly maxChars = Number.POSITIVE_INFINITY) {}

  /** The number of the last line returned. */
  get line(): number {
    return this.lineNumber
  }

  /** The complete lines of this chunk (with what was left from the previous one). */
  push(bytes: Buffer): string[] {
    const lines = (this.rest + this.decoder.write(bytes)).split('\n')
    this.rest = lines.pop()!
    if (this.rest.length > this.maxChars) throw new LineTooLongError(this.lineNumber + lines.length + 1, this.maxChars)
    for (const l of lines) {
      this.lineNumber++
      if (l.length > this.maxChars) throw new LineTooLongError(this.lineNumber, this.maxChars)
    }

    return lines
  }

  /** The last line, when the text does not end with a line break. */
  end(): string[] {
    const last = this.rest + this.decoder.end()
    this.rest = ''
    if (last === '') return []
    this.lineNumber++
    return [last]
  }
}
