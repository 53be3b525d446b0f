import {spawn} from 'node:child_process'
import {join} from 'node:path'
import {PROJECT_ROOT, runCli, tempHome} from '../helpers/cli.js'

// A server reachable from other machines without TLS sends API keys and tokens in cleartext: it
// says so when it starts, and stays quiet on loopback.
describe('atpctl serve: cleartext warning', () => {
  const {home, cleanup} = tempHome('atpctl-e2e-cleartext-')
  afterAll(cleanup)

  async function startupLines(host: string): Promise<string> {
    const server = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'run.js'), 'serve', '--host', host, '--port', '0'], {
      env: {PATH: process.env.PATH, HOME: home, ATPCTL_HOME: home, NO_COLOR: '1', CI: '1'},
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    server.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number>((resolve) => server.on('close', (code) => resolve(code ?? -1)))
    try {
      const deadline = Date.now() + 20_000
      while (!/listening on http/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      // The warning is written right after the listening line, in the same turn.
      await new Promise((r) => setTimeout(r, 100))
      server.kill('SIGTERM')
      expect(await exited).toBe(0)
      return stderr
    } finally {
      if (server.exitCode === null) server.kill('SIGKILL')
    }
  }

  it('warns when listening beyond loopback without TLS, and not on 127.0.0.1', async () => {
    expect((await runCli(['init', '--location', 'us'], {home})).code).toBe(0)
    const open = await startupLines('0.0.0.0')
    expect(open).toMatch(/listening on http:\/\//)
    expect(open).toMatch(/warning: listening on 0\.0\.0\.0 without TLS.*cleartext/)
    expect(open).toContain('--tls-cert')
    const loopback = await startupLines('127.0.0.1')
    expect(loopback).toMatch(/listening on http:\/\//)
    expect(loopback).not.toMatch(/cleartext/)
  }, 60_000)
})
