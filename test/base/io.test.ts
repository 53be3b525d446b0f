import {spawn} from 'node:child_process'
import {writeOut} from '../../src/base/io.js'

/** A child that reads its stdin slowly (a piece, a pause) and reports how many bytes it got. */
function slowReader() {
  const source = `let n = 0
    process.stdin.on('data', (d) => { n += d.length; process.stdin.pause(); setTimeout(() => process.stdin.resume(), 1) })
    process.stdin.on('end', () => process.stdout.write(String(n)))`
  const child = spawn(process.execPath, ['-e', source], {stdio: ['pipe', 'pipe', 'inherit']})
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  const received = new Promise<number>((resolve) => child.on('close', () => resolve(Number(out))))
  return {stdin: child.stdin, received}
}

describe('writeOut: output to a pipe waits for the reader', () => {
  const PIECE = 'x'.repeat(64 * 1024)

  it('pulls the next piece only once the pipe has taken the last: what waits in memory stays bounded', async () => {
    const {stdin, received} = slowReader()
    let queuedMax = 0
    function* pieces() {
      for (let i = 0; i < 300; i++) {
        queuedMax = Math.max(queuedMax, stdin.writableLength)
        yield PIECE
      }
    }

    await writeOut(stdin, pieces())
    stdin.end()
    expect(await received).toBe(300 * PIECE.length)
    // Writing without waiting would queue all 300 pieces (19 MiB) here.
    expect(queuedMax).toBeLessThanOrEqual(2 * PIECE.length)
  })

  it('cuts one long string into pieces and waits between them', async () => {
    const {stdin, received} = slowReader()
    const huge = PIECE.repeat(200)
    let maxQueued = 0
    const spy = stdin.write.bind(stdin)
    stdin.write = ((chunk: string) => {
      maxQueued = Math.max(maxQueued, stdin.writableLength)
      return spy(chunk)
    }) as typeof stdin.write
    await writeOut(stdin, [huge])
    stdin.end()
    expect(await received).toBe(huge.length)
    expect(maxQueued).toBeLessThanOrEqual(2 * PIECE.length)
  })

  it('writes at once while the stream takes it (stdout and stderr lines stay in order on a terminal)', () => {
    const written: string[] = []
    const stream = {write: (chunk: string) => written.push(chunk) > 0, on: () => stream, off: () => stream} as unknown as NodeJS.WritableStream
    expect(writeOut(stream, ['a\n', 'b\n'])).toBeUndefined()
    expect(written).toEqual(['a\n', 'b\n'])
  })

  it('stops quietly when the reader goes away (EPIPE, as `| head` does)', async () => {
    const child = spawn(process.execPath, ['-e', 'process.stdin.once("data", () => process.exit(0))'], {stdio: ['pipe', 'ignore', 'inherit']})
    const closed = new Promise((resolve) => child.on('close', resolve))
    let pulled = 0
    function* endless() {
      for (;;) {
        pulled++
        yield PIECE
      }
    }

    await expect(Promise.resolve(writeOut(child.stdin, endless()))).resolves.toBeUndefined()
    await closed
    expect(pulled).toBeGreaterThan(0)
  })
})
