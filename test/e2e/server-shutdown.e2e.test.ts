import {spawn} from 'node:child_process'
import {connect} from 'node:net'
import {join} from 'node:path'
import {eicarBytes} from '../../src/core/detect/eicar.js'
import {PROJECT_ROOT, runCli, tempHome} from '../helpers/cli.js'
import {startServe} from '../helpers/serve.js'

// The built server (database worker thread, event spool) under SIGTERM mid-load: every sensor
// event it acknowledged becomes an alert, and it exits 0 (issue 7).
describe('atpctl serve: SIGTERM mid-load loses nothing acknowledged', () => {
  const {home, cleanup} = tempHome('atpctl-e2e-shutdown-')
  afterAll(cleanup)

  it('drains the spool before exiting', async () => {
    const run = (args: string[]) => runCli(args, {home})
    expect((await run(['init', '--location', 'us'])).code).toBe(0)
    expect((await run(['integration', 'enable', 'third-party', '--provider', 'sentinelone'])).code).toBe(0)
    const token = (await run(['token', 'mint', '--provider', 'sentinelone', '--json'])).json().token.secret
    const server = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'run.js'), 'serve', '--port', '0', '--rate-limit', '0'], {
      env: {PATH: process.env.PATH, HOME: home, ATPCTL_HOME: home, NO_COLOR: '1', CI: '1'},
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    server.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number>((resolve) => server.on('close', (code) => resolve(code ?? -1)))
    try {
      const deadline = Date.now() + 20_000
      while (!/listening on http/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      const url = /listening on (http:\/\/\S+)/.exec(stderr)![1]
      const post = async (path: string, body: unknown) => {
        try {
          const r = await fetch(url + path, {method: 'POST', headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json'}, body: JSON.stringify(body)})
          return r.status
        } catch {
          return 0
        }
      }

      expect(await post('/v1/sensor/register', {name: 'busy-01', os: 'Linux'})).toBe(200)
      const acknowledged: string[] = []
      let sent = 0
      const content = eicarBytes().toString('base64')
      await Promise.all(
        Array.from({length: 40}, async () => {
          for (let i = 0; i < 100; i++) {
            const name = `f-${sent++}.com`
            const status = await post('/v1/sensor/files', {device: 'busy-01', fileName: name, path: `/w/${name}`, contentBase64: content})
            if (status === 202) acknowledged.push(name)
            if (acknowledged.length === 200) server.kill('SIGTERM')
            // After SIGTERM: 503 while closing, then connection refused (0). Stop this loop.
            if (status !== 202) return
          }
        }),
      )
      expect(await exited).toBe(0)
      expect(acknowledged.length).toBeGreaterThanOrEqual(200)
      const alerts = (await runCli(['alert', 'list', '--device', 'busy-01', '--json'], {home})).json().alerts as {evidence: {fileName: string}[]}[]
      const stored = new Set(alerts.flatMap((a) => a.evidence.map((e) => e.fileName)))
      expect(acknowledged.filter((name) => !stored.has(name))).toEqual([])
      expect(stderr).toContain('stopped')
    } finally {
      if (server.exitCode === null) server.kill('SIGKILL')
    }
  }, 120_000)
})

// Issue 15, item 11: a client trickling its request headers kept a stopping server alive for
// minutes. SIGTERM now ends within --shutdown-grace, whoever is still connected.
describe('atpctl serve: SIGTERM ends within the grace period', () => {
  const {home, cleanup} = tempHome('atpctl-e2e-trickle-')
  afterAll(cleanup)

  it('cuts a client that trickles its headers and exits 0', async () => {
    expect((await runCli(['init', '--location', 'us'], {home})).code).toBe(0)
    const serve = await startServe(home, ['--shutdown-grace', '2s'])
    const {hostname, port} = new URL(serve.url)
    const socket = connect(Number(port), hostname)
    let closedByServer = false
    socket.on('close', () => (closedByServer = true))
    socket.on('error', () => {})
    await new Promise((r) => socket.once('connect', r))
    socket.write('POST /v1/sensor/files HTTP/1.1\r\nHost: localhost\r\nX-Slow: ')
    // One header byte every 200 ms for at most 45 s: far longer than the grace period.
    let trickledToTheEnd = false
    const trickle = (async () => {
      for (let i = 0; i < 225 && !closedByServer; i++) {
        socket.write('a')
        await new Promise((r) => setTimeout(r, 200))
      }

      trickledToTheEnd = !closedByServer
    })()
    await new Promise((r) => setTimeout(r, 500))
    serve.child.kill('SIGTERM')
    const code = await serve.exited
    // The server was gone while the client still had headers to send.
    expect(trickledToTheEnd).toBe(false)
    expect(closedByServer).toBe(true)
    expect(code).toBe(0)
    socket.destroy()
    await trickle
    expect(serve.stderr()).toContain('stopped')
  }, 120_000)
})
