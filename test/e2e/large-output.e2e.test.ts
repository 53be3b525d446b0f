import {spawn} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {PROJECT_ROOT, runCli, tempHome} from '../helpers/cli.js'

const DEVICES = 130_000

/** Runs `atpctl ARGS | slow reader` and returns both exit codes and what the reader got. */
function pipeToSlowReader(args: string[], home: string): Promise<{code: number; stderr: string; bytes: number; tail: string}> {
  return new Promise((resolve, reject) => {
    const cli = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'run.js'), ...args], {
      cwd: home,
      env: {PATH: process.env.PATH, HOME: home, ATPCTL_HOME: home, NO_COLOR: '1', CI: '1'},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    // The reader takes one piece, then pauses: the pipe fills up and stays full.
    const readerSource = `let n = 0, tail = ''
      process.stdin.on('data', (d) => { n += d.length; tail = (tail + d.toString('latin1')).slice(-256); process.stdin.pause(); setTimeout(() => process.stdin.resume(), 2) })
      process.stdin.on('end', () => process.stdout.write(JSON.stringify({n, tail})))`
    const reader = spawn(process.execPath, ['-e', readerSource], {stdio: ['pipe', 'pipe', 'inherit']})
    cli.stdout.pipe(reader.stdin)
    let stderr = ''
    let out = ''
    cli.stderr.on('data', (d) => (stderr += d))
    reader.stdout.on('data', (d) => (out += d))
    let code = -1
    cli.on('error', reject)
    cli.on('close', (c) => (code = c ?? -1))
    reader.on('close', () => {
      const {n, tail} = JSON.parse(out) as {n: number; tail: string}
      resolve({code, stderr, bytes: n, tail})
    })
  })
}

describe('large listings to a slow pipe', () => {
  const {home, cleanup} = tempHome('atpctl-large-e2e-')
  beforeAll(async () => {
    const lines = ['name,os,version,managedBy']
    for (let i = 0; i < DEVICES; i++) lines.push(`host-${String(i).padStart(6, '0')},Windows 10 Enterprise,10.0.19045,configmgr`)
    writeFileSync(join(home, 'inventory.csv'), lines.join('\n') + '\n')
    expect((await runCli(['init', '--location', 'us'], {home})).code).toBe(0)
    expect((await runCli(['device', 'import', 'inventory.csv'], {home})).code).toBe(0)
  }, 120_000)
  afterAll(cleanup)

  it('device list --json waits for the reader (no ENOBUFS after the first 64 KB): every device arrives, exit 0', async () => {
    const result = await pipeToSlowReader(['device', 'list', '--json'], home)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.tail.endsWith('  ]\n}\n')).toBe(true)
    // Each device is one JSON object of several hundred bytes.
    expect(result.bytes).toBeGreaterThan(DEVICES * 300)
  }, 180_000)

  it(`device list with more than 125,000 devices prints the table (no call-stack overflow), exit 0`, async () => {
    const result = await pipeToSlowReader(['device', 'list', '--limit', String(DEVICES)], home)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.tail).toMatch(/host-129999 +Windows 10 22H2 +up-level +configmgr +no +not-onboarded\n$/)
  }, 180_000)
})
