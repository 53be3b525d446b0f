import {type ChildProcessWithoutNullStreams, spawn} from 'node:child_process'
import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {normaliseRow} from '../../src/core/device/inventory.js'
import {PROJECT_ROOT, type CliResult, runCli, tempHome} from '../helpers/cli.js'

const BIN = join(PROJECT_ROOT, 'bin', 'run.js')

/** A long-running atpctl process whose stderr we can wait on; always stopped in afterAll. */
class Proc {
  stderr = ''
  readonly exited: Promise<number | string>
  private readonly child: ChildProcessWithoutNullStreams
  constructor(args: string[], home: string) {
    this.child = spawn(process.execPath, [BIN, ...args], {
      cwd: home,
      env: {PATH: process.env.PATH, HOME: home, ATPCTL_HOME: home, NO_COLOR: '1', CI: '1'},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    this.child.stderr.on('data', (d) => (this.stderr += d))
    this.child.stdout.resume()
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => resolve(code ?? signal ?? -1)))
  }

  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const match = this.stderr.match(pattern)
      if (match) return match
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; stderr so far:\n${this.stderr}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal)
  }

  async stop(): Promise<number | string> {
    this.kill('SIGTERM')
    const timer = setTimeout(() => this.kill('SIGKILL'), 10_000)
    const code = await this.exited
    clearTimeout(timer)
    return code
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const HEADER = 'name,os,version,managedBy,environment,collections,user,groups,lastSeen,sensorService\n'
/** `rows` CSV lines; about 400 bytes each once sent as JSON records. */
function inventory(prefix: string, rows: number, from = 0): string {
  let text = ''
  for (let i = from; i < from + rows; i++) {
    text += `${prefix}-${i},Windows 10 Enterprise,10.0.19045,configmgr,on-premises,Fleet;Site-${i % 4},user${i % 50}@contoso.com,Dept-${i % 12},2026-01-0${1 + (i % 9)}T00:00:00.000Z,running\n`
  }

  return text
}

describe('device import through atpctl serve with default settings (issue 15)', () => {
  const {home, cleanup} = tempHome('atpctl-e2e-remote-import-')
  const embedded = tempHome('atpctl-e2e-embedded-import-')
  let server: Proc
  let url = ''
  const uploads = join(home, 'profiles', 'default', 'uploads')
  const cli = (args: string[], profile?: string): Promise<CliResult> => runCli([...args, ...(profile ? ['--profile', profile] : [])], {home})
  const local = (args: string[]): Promise<CliResult> => runCli(args, {home: embedded.home})

  beforeAll(async () => {
    expect((await cli(['init', '--location', 'us'])).code).toBe(0)
    expect((await local(['init', '--location', 'us'])).code).toBe(0)
    for (const role of ['owner', 'reader']) {
      expect((await cli(['apikey', 'create', '--name', role, '--role', role, '--out', join(home, `${role}.key`)])).code).toBe(0)
    }

    // No flags: the default body limit (4 MiB), rate limit and import limit.
    server = new Proc(['serve', '--port', '0'], home)
    url = (await server.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]
    for (const role of ['owner', 'reader']) expect((await cli(['init', '--remote', url, '--api-key-file', join(home, `${role}.key`)], role)).code).toBe(0)
  }, 60_000)

  afterAll(async () => {
    await server?.stop()
    cleanup()
    embedded.cleanup()
  })

  it('imports 20,000 rows (8 MB as JSON, twice the default body limit) with the output of the embedded import', async () => {
    const file = join(home, 'big.csv')
    writeFileSync(file, HEADER + inventory('big', 20_000))
    const [viaServer, direct] = [await cli(['device', 'import', file, '--json'], 'owner'), await local(['device', 'import', file, '--json'])]
    expect({code: viaServer.code, stderr: viaServer.stderr}).toEqual({code: 0, stderr: ''})
    expect(viaServer.stdout).toBe(direct.stdout)
    expect(viaServer.json().summary).toMatchObject({total: 20_000, created: 20_000, collectionsCreated: ['Fleet', 'Site-0', 'Site-1', 'Site-2', 'Site-3']})
    const shown = await cli(['device', 'show', 'big-19999', '--json'], 'owner')
    expect(shown.json().device).toMatchObject({name: 'big-19999', collections: ['Fleet', 'Site-3'], managedBy: ['configmgr']})
  }, 120_000)

  it('refuses a bad last row exactly as the embedded import does (exit 7, its line number) and imports nothing', async () => {
    const file = join(home, 'bad-last.csv')
    writeFileSync(file, HEADER + inventory('late', 30_000) + 'late-x,BeOS 5,,configmgr,,,,,,\n')
    const [viaServer, direct] = [await cli(['device', 'import', file, '--json'], 'owner'), await local(['device', 'import', file, '--json'])]
    expect(viaServer.code).toBe(7)
    expect(viaServer.stdout).toBe(direct.stdout)
    expect(viaServer.json().error.message).toMatch(/line 30002/)
    expect((await cli(['device', 'show', 'late-0', '--json'], 'owner')).code).toBe(3)
    expect(readdirSync(uploads)).toEqual([])
  }, 120_000)

  it('checks each streamed line in the database thread with the JSON route schema (400 naming the line)', async () => {
    // Whole records, as `device import` sends them (the JSON route's shape).
    const good = JSON.stringify(normaliseRow({name: 'raw-1', os: 'Ubuntu 22.04'}, 2))
    const bad = JSON.stringify({...normaliseRow({name: 'raw-2', os: 'Ubuntu 22.04'}, 3), build: 'x'})
    const response = await fetch(`${url}/v1/devices/import`, {
      method: 'POST',
      headers: {authorization: `Bearer ${readFileSync(join(home, 'owner.key'), 'utf8').trim()}`, 'content-type': 'application/x-ndjson'},
      body: `${good}\n\n${bad}\n`,
    })
    expect(response.status).toBe(400)
    expect(((await response.json()) as {error: unknown}).error).toMatchObject({code: 'INVALID_REQUEST', exitCode: 2, message: expect.stringContaining("line 3 of the body: device 'raw-2': /build must be integer")})
    expect((await cli(['device', 'show', 'raw-1', '--json'], 'owner')).code).toBe(3)
  })

  it('refuses a reader (exit 5) with the server answer, never a broken pipe', async () => {
    const file = join(home, 'big.csv')
    const refused = await cli(['device', 'import', file], 'reader')
    expect(refused.code).toBe(5)
    expect(refused.stderr).toMatch(/^Error: /m)
    expect(refused.stderr).not.toMatch(/EPIPE|ECONNRESET|at .*\.js:\d+/)
  }, 60_000)

  it('imports nothing when the client is killed mid-upload, and keeps serving', async () => {
    const file = join(home, 'killed.csv')
    writeFileSync(file, HEADER + inventory('killed', 200_000))
    const client = new Proc(['device', 'import', file, '--profile', 'owner'], home)
    try {
      // Kill it once the server has received part of the body (its upload file has grown).
      await until(() => readdirSync(uploads).some((f) => statSync(join(uploads, f)).size > 1 << 20), 'part of the upload to arrive')
      client.kill('SIGKILL')
      expect(await client.exited).toBe('SIGKILL')
    } finally {
      client.kill('SIGKILL')
    }

    await until(() => readdirSync(uploads).length === 0, 'the server to drop the upload')
    expect((await cli(['device', 'show', 'killed-0', '--json'], 'owner')).code).toBe(3)
    expect((await cli(['device', 'show', 'big-0', '--json'], 'owner')).code).toBe(0)
    // Nothing unexpected on the server side: only the access log and its own lines.
    const unexpected = server.stderr.split('\n').filter((l) => l.startsWith('atpctl serve:') && !/listening on/.test(l))
    expect(unexpected).toEqual([])
    expect(readFileSync(join(home, 'owner.key'), 'utf8').trim()).not.toBe('')
    expect(server.stderr).not.toContain(readFileSync(join(home, 'owner.key'), 'utf8').trim())
  }, 120_000)
})
