import {type ChildProcessWithoutNullStreams, spawn} from 'node:child_process'
import {mkdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {eicarBytes} from '../../src/core/detect/eicar.js'
import {ROLES, ROLE_PERMISSIONS, type OperationKind, type Role} from '../../src/core/rbac/roles.js'
import {PROJECT_ROOT, type CliResult, runCli, tempHome} from '../helpers/cli.js'

const BIN = join(PROJECT_ROOT, 'bin', 'run.js')

/** A long-running atpctl process (serve, sensor run) whose stderr we can wait on; always stopped in afterAll. */
class Proc {
  stderr = ''
  stdout = ''
  readonly exited: Promise<number>
  private readonly child: ChildProcessWithoutNullStreams
  constructor(args: string[], home: string) {
    this.child = spawn(process.execPath, [BIN, ...args], {
      cwd: home,
      env: {PATH: process.env.PATH, HOME: home, ATPCTL_HOME: home, NO_COLOR: '1', CI: '1'},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    this.child.stderr.on('data', (d) => (this.stderr += d))
    this.child.stdout.on('data', (d) => (this.stdout += d))
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code ?? -1)))
  }

  /** Waits (bounded) until stderr matches, returning the match. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000, from = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const match = this.stderr.slice(from).match(pattern)
      if (match) return match
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; stderr so far:\n${this.stderr}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  async stop(): Promise<number> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000)
    const code = await this.exited
    clearTimeout(timer)
    return code
  }
}

let probeAlertId = ''

/** One CLI command per kind of operation, and the exit code when the role may do it (DC6). */
const PROBES: Record<OperationKind, {args: (role: Role) => string[]; allowedExit: number}> = {
  read: {args: () => ['status'], allowedExit: 0},
  'alerts.read': {args: () => ['alert', 'list'], allowedExit: 0},
  'alerts.write': {args: () => ['alert', 'resolve', probeAlertId, '--comment', 'probe'], allowedExit: 0},
  'integrations.write': {args: () => ['integration', 'enable', 'third-party', '--provider', 'bitdefender'], allowedExit: 0},
  'endpoints.write': {args: (role) => ['collection', 'create', `servers-${role}`], allowedExit: 0},
  'secrets.read': {args: () => ['workspace', 'show', '--reveal'], allowedExit: 0},
  'tenant.admin': {args: () => ['init', '--location', 'us'], allowedExit: 0},
  'keys.admin': {args: () => ['apikey', 'list'], allowedExit: 0},
}

describe('atpctl serve end to end over loopback (issue 7; DC6, TP2–TP5)', () => {
  const {home, cleanup} = tempHome('atpctl-e2e-server-')
  let server: Proc
  let url: string
  const secrets: string[] = []
  const outputs: CliResult[] = []
  const cli = async (args: string[], profile?: string, input?: string) => {
    const result = await runCli([...args, ...(profile ? ['--profile', profile] : [])], {home, input})
    outputs.push(result)
    return result
  }

  beforeAll(async () => {
    expect((await cli(['init', '--location', 'us'])).code).toBe(0)
    for (const role of ROLES) {
      const created = await cli(['apikey', 'create', '--name', role, '--role', role, '--out', join(home, `${role}.key`), '--json'])
      expect(created.code).toBe(0)
      expect(created.json().key.secret).toBeUndefined()
      secrets.push(readFileSync(join(home, `${role}.key`), 'utf8').trim())
    }

    server = new Proc(['serve', '--port', '0'], home)
    url = (await server.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]
    for (const role of ROLES) {
      const init = await cli(['init', '--remote', url, '--api-key-file', join(home, `${role}.key`)], role)
      expect({role, code: init.code, stderr: init.stderr}).toEqual({role, code: 0, stderr: expect.stringContaining(`role ${role}`)})
    }
  }, 120_000)

  afterAll(async () => {
    await server?.stop()
    cleanup()
  })

  it('stores the API key owner-only and never prints it', () => {
    for (const role of ROLES) {
      const mode = statSync(join(home, 'profiles', role, 'api-key')).mode & 0o777
      expect(mode).toBe(0o600)
    }

    expect(readFileSync(join(home, 'config.json'), 'utf8')).not.toMatch(/atpk_/)
  })

  // First, while the tenant is fresh: the walk-through picks "the first onboarded device" itself.
  it('runs the whole quickstart against the server with quickstart --remote', async () => {
    const unconfirmed = await cli(['quickstart', '--remote', url, '--api-key-file', join(home, 'owner.key'), '--json'], 'walkthrough')
    expect(unconfirmed.code).toBe(2)
    expect(JSON.parse(unconfirmed.stdout).error.suggestions.join(' ')).toMatch(/--yes/)
    const qs = await cli(['quickstart', '--remote', url, '--api-key-file', join(home, 'owner.key'), '--yes', '--json'], 'walkthrough')
    expect({code: qs.code, stderr: qs.stderr}).toEqual({code: 0, stderr: expect.any(String)})
    expect(qs.json().steps.length).toBeGreaterThanOrEqual(4)
    const again = await cli(['status', '--json'], 'walkthrough')
    expect(again.json().backend).toEqual({kind: 'remote', location: url})
  }, 120_000)

  it('applies the role matrix to every kind of operation from the CLI: refused means exit 5 (DC6)', async () => {
    // An alert to resolve, raised the way a sensor does it.
    expect((await cli(['integration', 'enable', 'third-party', '--provider', 'ziften'], 'owner')).code).toBe(0)
    const token = (await cli(['token', 'mint', '--provider', 'ziften', '--json'], 'owner')).json().token.secret
    secrets.push(token)
    const post = (path: string, body: unknown) =>
      fetch(url + path, {method: 'POST', headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json'}, body: JSON.stringify(body)})
    expect((await post('/v1/sensor/register', {name: 'probe-host', os: 'Linux'})).status).toBe(200)
    expect((await post('/v1/sensor/files', {device: 'probe-host', fileName: 'e.com', path: '/tmp/e.com', contentBase64: eicarBytes().toString('base64')})).status).toBe(202)
    for (let i = 0; i < 50 && !probeAlertId; i++) {
      const listed = await cli(['alert', 'list', '--device', 'probe-host', '--json'], 'owner')
      probeAlertId = listed.json().alerts[0]?.id ?? ''
      if (!probeAlertId) await new Promise((r) => setTimeout(r, 100))
    }

    expect(probeAlertId).toEqual(expect.any(String))
    expect(probeAlertId).not.toBe('')
    const seen: string[] = []
    for (const role of ROLES) {
      const kinds = Object.keys(PROBES) as OperationKind[]
      const results = await Promise.all(kinds.map((kind) => cli([...PROBES[kind].args(role), '--json'], role)))
      for (const [i, kind] of kinds.entries()) {
        const allowed = ROLE_PERMISSIONS[role].includes(kind)
        const expected = allowed ? PROBES[kind].allowedExit : 5
        seen.push(`${role} ${kind} ${results[i].code}`)
        expect({role, kind, code: results[i].code}).toEqual({role, kind, code: expected})
        if (!allowed) expect(results[i].json().error.code).toBe('FORBIDDEN')
      }
    }

    expect(seen).toHaveLength(ROLES.length * 8)
  }, 180_000)

  it('gives the same output and exit codes on the embedded and the remote backend', async () => {
    // An inventory is streamed into the embedded backend and sent whole to the server: a bad row
    // is refused the same way by both, before anything is imported.
    writeFileSync(join(home, 'bad-inventory.csv'), 'name,os,managedBy\nok-1,Windows 11 Pro,configmgr\nbad-1,BeOS 5,configmgr\nOK-1,Ubuntu 22.04,\n')
    for (const args of [
      ['device', 'import', join(home, 'bad-inventory.csv'), '--json'],
      ['token', 'mint', '--provider', 'nope', '--json'],
      ['token', 'mint', '--provider', 'lookout', '--json'],
      ['token', 'revoke', 'tok_000000000000', '--yes', '--json'],
      ['integration', 'disable', 'defender-for-cloud', '--subscription', 'sub-x', '--linux', '--yes', '--json'],
      ['device', 'show', 'no-such-host', '--json'],
    ]) {
      const [local, remote] = [await cli(args), await cli(args, 'owner')]
      expect({args, code: remote.code, out: remote.stdout}).toEqual({args, code: local.code, out: local.stdout})
      expect(local.code).toBeGreaterThan(1)
    }
  }, 60_000)

  it('runs the sensor story of seed 000: onboard, EICAR alert, disable, refused, re-enable, still refused, new token, accepted', async () => {
    const owner = 'owner'
    const watch = join(home, 'watch')
    mkdirSync(watch)
    expect((await cli(['integration', 'enable', 'third-party', '--provider', 'sentinelone'], owner)).code).toBe(0)
    const minted = await cli(['token', 'mint', '--provider', 'sentinelone', '--ttl', '1h', '--json'], owner)
    const tokenFile = join(home, 'sentinelone.token')
    writeFileSync(tokenFile, minted.json().token.secret + '\n', {mode: 0o600})
    secrets.push(minted.json().token.secret)
    const pkg = join(home, 'onboarding.zip')
    expect((await cli(['package', 'generate', 'onboarding', '--os', 'linux', '--method', 'local-script', '--out', pkg], owner)).code).toBe(0)

    // A package of another tenant is refused before anything is sent (exit 7).
    expect((await cli(['init', '--location', 'eu'], 'elsewhere')).code).toBe(0)
    const foreign = join(home, 'foreign.zip')
    expect((await cli(['package', 'generate', 'onboarding', '--os', 'linux', '--method', 'local-script', '--out', foreign], 'elsewhere')).code).toBe(0)
    const refused = new Proc(['sensor', 'run', '--server', url, '--token-file', tokenFile, '--package', foreign, '--name', 'lnx-foreign', '--json'], home)
    try {
      expect(await Promise.race([refused.exited, new Promise((r) => setTimeout(() => r('still running'), 30_000))])).toBe(7)
      expect(JSON.parse(refused.stdout).error.code).toBe('PACKAGE_OTHER_TENANT')
    } finally {
      await refused.stop()
    }

    const sensor = new Proc(
      ['sensor', 'run', '--server', url, '--token-file', tokenFile, '--package', pkg, '--name', 'lnx-e2e', '--watch', watch, '--heartbeat', '0.3s', '--scan-interval', '0.2s', '--max-backoff', '0.5s', '--json'],
      home,
    )
    try {
      await sensor.waitFor(/Onboarding package verified/)
      await sensor.waitFor(/Watching /)

      // TP5: `detect eicar` drops the file where the live sensor watches and sees the alert it raises.
      const detect = await cli(['detect', 'eicar', '--device', 'lnx-e2e', '--path', watch, '--timeout', '30s', '--json'], 'security-admin')
      expect({code: detect.code, stderr: detect.stderr}).toEqual({code: 0, stderr: expect.any(String)})
      await sensor.waitFor(/Reported EICAR test file /)

      // TP3: off blocks the data; the sensor says so and keeps retrying.
      const mark = sensor.stderr.length
      expect((await cli(['integration', 'disable', 'third-party', '--provider', 'sentinelone', '--yes'], owner)).code).toBe(0)
      await sensor.waitFor(/refuses this provider's data/, 20_000, mark)
      await sensor.waitFor(/Next attempt in/, 20_000, mark)

      // TP4: on again, the old token stays refused.
      const mark2 = sensor.stderr.length
      expect((await cli(['integration', 'enable', 'third-party', '--provider', 'sentinelone'], owner)).code).toBe(0)
      await sensor.waitFor(/refused the token: .*integration disabled/, 20_000, mark2)

      // A new token file is picked up and data flows again.
      const fresh = (await cli(['token', 'mint', '--provider', 'sentinelone', '--json'], 'security-admin')).json().token.secret
      secrets.push(fresh)
      writeFileSync(tokenFile + '.tmp', fresh + '\n', {mode: 0o600})
      renameSync(tokenFile + '.tmp', tokenFile)
      const mark3 = sensor.stderr.length
      await sensor.waitFor(/Read a new token/, 20_000, mark3)
      await sensor.waitFor(/Accepted again/, 20_000, mark3)
      writeFileSync(join(watch, 'second-eicar.com'), eicarBytes())
      await sensor.waitFor(/Reported EICAR test file .*second-eicar\.com/, 20_000, mark3)
      // The server raises the alert from its spool; a reader sees it (bounded wait).
      let names: string[] = []
      for (let i = 0; i < 50 && !names.includes('second-eicar.com'); i++) {
        const alerts = await cli(['alert', 'list', '--device', 'lnx-e2e', '--json'], 'reader')
        expect(alerts.code).toBe(0)
        names = alerts.json().alerts.flatMap((a: {evidence: {fileName: string | null}[]}) => a.evidence.map((e) => e.fileName))
      }

      expect(names).toContain('second-eicar.com')
    } finally {
      expect(await sensor.stop()).toBe(0)
    }

    const summary = JSON.parse(sensor.stdout)
    expect(summary).toMatchObject({name: 'lnx-e2e', registered: true, stoppedBy: 'SIGTERM'})
    expect(summary.filesReported.length).toBeGreaterThanOrEqual(2)
    expect(summary.refusals).toBeGreaterThan(0)
  }, 180_000)

  it('never shows an API key or token secret in any output, nor in the access log', () => {
    const everything = outputs.map((o) => o.stdout + o.stderr).join('\n') + server.stderr
    for (const secret of secrets) {
      const shownOnce = outputs.filter((o) => o.stdout.includes(secret)).length
      // Token secrets appear once, in the `token mint --json` result that created them; API keys never.
      expect(secret.startsWith('atpk_') ? shownOnce : Math.min(shownOnce, 1)).toBe(secret.startsWith('atpk_') ? 0 : 1)
    }

    expect(server.stderr).not.toMatch(/atpk_|atpt_/)
    expect(everything).not.toMatch(/atpk_/)
  })

  it('exits 6 naming the URL when the server is unreachable', async () => {
    expect(await server.stop()).toBe(0)
    expect(server.stderr).toContain('stopped')
    const down = await cli(['status', '--json'], 'reader')
    expect(down.code).toBe(6)
    expect(down.json().error).toMatchObject({code: 'UNREACHABLE', exitCode: 6})
    expect(down.json().error.message).toContain(url)
    const fresh = await cli(['init', '--remote', 'http://127.0.0.1:9', '--api-key-file', join(home, 'owner.key')], 'nowhere')
    expect(fresh.code).toBe(6)
    expect(fresh.stderr).toContain('http://127.0.0.1:9')
  }, 60_000)
})
