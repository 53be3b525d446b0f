/**
 * Writes `JSON.stringify(value, null, 2) + '\n'` in pieces, so that a document holding a large
 * list (100,000 devices) never exists as one string, nor as one buffer on its way out. Lists
 * with at least `minItems` items, at the top or inside the top-level object, are written an
 * item at a time; everything else is stringified as a whole. The output is byte for byte the
 * same as JSON.stringify's.
 */
export interface JsonWriterOptions {
  /** Lists at least this long are written item by item. */
  minItems?: number
  /** Pieces are handed to `write` once they reach about this many characters. */
  chunkChars?: number
}

export function writeJson(value: unknown, write: (chunk: string) => void, options: JsonWriterOptions = {}): void {
  for (const chunk of jsonChunks(value, options)) write(chunk)
}

/**
 * The same pieces, one at a time, so a caller can wait between them: a pipe to a slow reader
 * must drain before more is written (writing all at once queues the whole document in memory
 * and fails with ENOBUFS once the queue holds more pieces than one writev takes).
 */
export function* jsonChunks(value: unknown, options: JsonWriterOptions = {}): Generator<string> {
  const minItems = options.minItems ?? 1000
  const chunkChars = options.chunkChars ?? 1 << 16
  let pending: string[] = []
  let size = 0
  const ready: string[] = []
  const push = (text: string) => {
    pending.push(text)
    size += text.length
    if (size >= chunkChars) flush()
  }

  const flush = () => {
    if (pending.length === 0) return
    ready.push(pending.join(''))
    pending = []
    size = 0
  }

  const streamable = (v: unknown): v is unknown[] => Array.isArray(v) && v.length > 0 && v.length >= minItems
  // Values JSON.stringify leaves out of an object (and writes as null in a list).
  const omitted = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol'
  const whole = (v: unknown, indent: string) => (JSON.stringify(v, null, 2) ?? 'null').replaceAll('\n', `\n${indent}`)

  // Hands out what is ready, so no more than about one chunk is held at a time.
  function* take(): Generator<string> {
    while (ready.length > 0) yield ready.shift()!
  }

  function* list(items: unknown[], indent: string): Generator<string> {
    const inner = `${indent}  `
    push('[\n')
    for (let i = 0; i < items.length; i++) {
      const item = items[i]
      push(`${inner}${omitted(item) ? 'null' : whole(item, inner)}${i < items.length - 1 ? ',\n' : '\n'}`)
      if (ready.length > 0) yield* take()
    }

    push(`${indent}]`)
  }

  const isPlainObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as {toJSON?: unknown}).toJSON !== 'function'

  if (streamable(value)) {
    yield* list(value, '')
  } else if (isPlainObject(value) && Object.values(value).some((v) => streamable(v))) {
    const keys = Object.keys(value).filter((k) => !omitted(value[k]))
    push('{\n')
    for (const [i, key] of keys.entries()) {
      push(`  ${JSON.stringify(key)}: `)
      const v = value[key]
      if (streamable(v)) yield* list(v, '  ')
      else push(whole(v, '  '))
      push(i < keys.length - 1 ? ',\n' : '\n')
    }

    push('}')
  } else {
    push(JSON.stringify(value, null, 2) ?? 'undefined')
  }

  push('\n')
  flush()
  yield* take()
}

const isAsyncIterable = (v: unknown): v is AsyncIterable<unknown> =>
  typeof v === 'object' && v !== null && typeof (v as {[Symbol.asyncIterator]?: unknown})[Symbol.asyncIterator] === 'function'

/** Does the document hold a list that arrives page by page (an AsyncIterable), at the top or in the top-level object? */
export function hasAsyncList(value: unknown): boolean {
  if (isAsyncIterable(value)) return true
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).some((v) => isAsyncIterable(v))
}

/**
 * The same pieces for a document whose lists may be AsyncIterables (the pages of a backend
 * list, issue 11 item 6), at the top or in the top-level object: each such list is written
 * item by item as its pages arrive, so only one page and about one chunk are held at a time.
 * The text is JSON.stringify's of the document with every such list collected into an array.
 */
export async function* jsonChunksAsync(value: unknown, options: JsonWriterOptions = {}): AsyncGenerator<string> {
  if (!hasAsyncList(value)) {
    yield* jsonChunks(value, options)
    return
  }

  const chunkChars = options.chunkChars ?? 1 << 16
  let pending: string[] = []
  let size = 0
  const push = (text: string) => {
    pending.push(text)
    size += text.length
  }

  const take = (): string => {
    const out = pending.join('')
    pending = []
    size = 0
    return out
  }

  const omitted = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol'
  const whole = (v: unknown, indent: string) => (JSON.stringify(v, null, 2) ?? 'null').replaceAll('\n', `\n${indent}`)

  async function* list(items: AsyncIterable<unknown>, indent: string): AsyncGenerator<string> {
    const inner = `${indent}  `
    let first = true
    for await (const item of items) {
      push(`${first ? '[\n' : ',\n'}${inner}${omitted(item) ? 'null' : whole(item, inner)}`)
      first = false
      if (size >= chunkChars) yield take()
    }

    push(first ? '[]' : `\n${indent}]`)
  }

  if (isAsyncIterable(value)) {
    yield* list(value, '')
  } else {
    const object = value as Record<string, unknown>
    const keys = Object.keys(object).filter((k) => !omitted(object[k]))
    push('{\n')
    for (const [i, key] of keys.entries()) {
      push(`  ${JSON.stringify(key)}: `)
      const v = object[key]
      if (isAsyncIterable(v)) yield* list(v, '  ')
      else push(whole(v, '  '))
      push(i < keys.length - 1 ? ',\n' : '\n')
    }

    push('}')
  }

  push('\n')
  yield take()
}
