import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runSensor, type SensorOptions} from '../../src/backends/remote/sensor-agent.js'
import {tempHome} from '../helpers/cli.js'
import {expectAtpError} from '../backends/contract/expect.js'

describe('sensor run: bad set-up fails fast with the right exit code', () => {
  const {home, cleanup} = tempHome('atpctl-sensor-')
  afterAll(cleanup)
  const base = (over: Partial<SensorOptions>): SensorOptions => ({
    server: 'http://127.0.0.1:9',
    tokenFile: join(home, 'token.txt'),
    packageFile: join(home, 'pkg.zip'),
    name: 'h1',
    heartbeatMs: 1000,
    scanMs: 100,
    maxBackoffMs: 200,
    say: () => {},
    stopSignal: new Promise(() => {}),
    ...over,
  })

  it('exit 2 for a missing token file or watch directory, exit 7 for a file that holds no token', async () => {
    await expectAtpError(runSensor(base({})), {code: 'USAGE', exitCode: 2, message: /token file/})
    writeFileSync(join(home, 'token.txt'), 'hello\n')
    await expectAtpError(runSensor(base({})), {exitCode: 7, message: /does not hold a provider access token/})
    writeFileSync(join(home, 'token.txt'), 'atpt_abc\n')
    await expectAtpError(runSensor(base({watchDir: join(home, 'missing')})), {code: 'USAGE', exitCode: 2, message: /not a directory/})
  })

  it('keeps retrying an unreachable server with back-off, saying so, until stopped', async () => {
    mkdirSync(join(home, 'w'), {recursive: true})
    const lines: string[] = []
    let stop!: () => void
    const stopSignal = new Promise<void>((resolve) => (stop = resolve))
    const running = runSensor(base({watchDir: join(home, 'w'), say: (l) => lines.push(l), stopSignal}))
    const deadline = Date.now() + 5000
    while (lines.filter((l) => l.startsWith('Next attempt')).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    stop()
    const summary = await running
    expect(summary).toMatchObject({registered: false, orgId: null, stoppedBy: 'SIGTERM'})
    expect(summary.refusals).toBeGreaterThanOrEqual(3)
    expect(lines[0]).toMatch(/Cannot reach the atpctl server at http:\/\/127\.0\.0\.1:9/)
    // The message is said once, not once per attempt.
    expect(lines.filter((l) => l.startsWith('Cannot reach')).length).toBe(1)
  })
})
