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
export async function writeOut(stream: NodeJS.WritableStream, pieces: Iterable<string>): Promise<void> {
  let closed = false
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') closed = true
  }

  stream.on('error', onError)
  try {
    for (const piece of pieces) {
      for (let at = 0; at < piece.length && !closed; at += PIECE_CHARS) {
        const part = piece.length <= PIECE_CHARS ? piece : piece.slice(at, at + PIECE_CHARS)
        if (!stream.write(part)) await drained(stream, () => closed)
      }

      if (closed) return
    }
  } finally {
    stream.off('error', onError)
  }
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
