/** Facts about the terminal, computed once per command (STYLE §4.3, §4.6). */
export interface IoContext {
  json: boolean
  stdinTty: boolean
  stdoutTty: boolean
  stderrTty: boolean
  /** --no-input, CI, or ATPCTL_NO_INPUT: never prompt even on a terminal. */
  noInput: boolean
  /** gh's rule plus JSON and CI: stdin and stdout are terminals and prompting is allowed. */
  canPrompt: boolean
  colour: boolean
}

export function computeIo(options: {json: boolean; noInputFlag: boolean; env: NodeJS.ProcessEnv; colour: boolean}): IoContext {
  const stdinTty = Boolean(process.stdin.isTTY)
  const stdoutTty = Boolean(process.stdout.isTTY)
  const stderrTty = Boolean(process.stderr.isTTY)
  const ciValue = options.env.CI
  const ci = ciValue !== undefined && ciValue !== '' && ciValue !== '0' && ciValue.toLowerCase() !== 'false'
  const noInput = options.noInputFlag || ci || Boolean(options.env.ATPCTL_NO_INPUT)
  return {
    json: options.json,
    stdinTty,
    stdoutTty,
    stderrTty,
    noInput,
    canPrompt: stdinTty && stdoutTty && !noInput && !options.json,
    colour: options.colour,
  }
}

/** Pieces of output larger than this are cut before they are written. */
const PIECE_CHARS = 1 << 16

/**
 * Writes pieces of output to a stream, waiting for 'drain' whenever the stream says it is full,
 * so a pipe to a slow reader (`| less`, `| wc -c`, a CI log collector) gets everything, in order,
 * without queueing the whole output in memory (which ends in ENOBUFS for a large document). A
 * long string is cut into 64 KiB pieces. A reader that goes away (EPIPE: `| head`) ends the
 * writing quietly.
 */
export function writeOut(stream: NodeJS.WritableStream, pieces: Iterable<string>): Promise<void> | undefined {
  watchForClose(stream)
  const closed = () => readerGone.has(stream)
  const iterator = pieces[Symbol.iterator]()
  // Synchronous while the stream takes it, so stdout and stderr lines keep their order on a
  // terminal; from the first "full" on, the rest waits for 'drain'.
  for (let next = iterator.next(); !next.done; next = iterator.next()) {
    const piece = next.value
    for (let at = 0; at < piece.length && !closed(); at += PIECE_CHARS) {
      const part = piece.length <= PIECE_CHARS ? piece : piece.slice(at, at + PIECE_CHARS)
      if (!stream.write(part)) return finish(stream, iterator, piece, at + PIECE_CHARS, closed)
    }

    if (closed()) return undefined
  }

  return undefined
}

async function finish(stream: NodeJS.WritableStream, iterator: Iterator<string>, piece: string, from: number, closed: () => boolean): Promise<void> {
  await drained(stream, closed)
  for (let at = from; at < piece.length && !closed(); at += PIECE_CHARS) {
    if (!stream.write(piece.slice(at, at + PIECE_CHARS))) await drained(stream, closed)
  }

  for (let next = iterator.next(); !next.done && !closed(); next = iterator.next()) {
    const rest = next.value
    for (let at = 0; at < rest.length && !closed(); at += PIECE_CHARS) {
      const part = rest.length <= PIECE_CHARS ? rest : rest.slice(at, at + PIECE_CHARS)
      if (!stream.write(part)) await drained(stream, closed)
    }
  }
}

/**
 * The same for pieces that arrive asynchronously (a --json list written as its pages come from
 * the backend): each piece is written once the stream takes it, so at most a page and a piece
 * are held at a time. A reader that goes away stops the iteration (no more pages are fetched).
 */
export async function writeOutAsync(stream: NodeJS.WritableStream, pieces: AsyncIterable<string>): Promise<void> {
  watchForClose(stream)
  const closed = () => readerGone.has(stream)
  for await (const piece of pieces) {
    for (let at = 0; at < piece.length && !closed(); at += PIECE_CHARS) {
      const part = piece.length <= PIECE_CHARS ? piece : piece.slice(at, at + PIECE_CHARS)
      if (!stream.write(part)) await drained(stream, closed)
    }

    if (closed()) return
  }
}

/** Streams whose reader went away (EPIPE); nothing more is written to them. */
const readerGone = new WeakSet<NodeJS.WritableStream>()
const watched = new WeakSet<NodeJS.WritableStream>()

/**
 * One lasting listener per stream: an EPIPE can arrive after the write that caused it has
 * returned, and an 'error' nobody listens to would end the process with a stack trace.
 */
function watchForClose(stream: NodeJS.WritableStream): void {
  if (watched.has(stream)) return
  watched.add(stream)
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      readerGone.add(stream)
      return
    }

    // Any other failure of the output (a full disk, EIO) is not a bug of atpctl: said once,
    // plainly, with exit 6 (the destination cannot be reached), never a stack trace.
    if (stream.listenerCount('error') === 1) {
      process.stderr.write(`Error: cannot write the output (${error.code ?? error.message}).\n`)
      process.exitCode = 6
    }
  })
}

function drained(stream: NodeJS.WritableStream, isClosed: () => boolean): Promise<void> {
  if (isClosed()) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done)
      stream.off('close', done)
      stream.off('error', done)
      resolve()
    }

    stream.on('drain', done)
    stream.on('close', done)
    stream.on('error', done)
  })
}
