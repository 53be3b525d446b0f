import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli, tempHome} from '../helpers/cli.js'
import {startServe} from '../helpers/serve.js'

// Issue 15, item 12: a client whose address failed too often gets 429 from the server and,
// after its bounded retries, exits 8 (throttled) like for any 429, with the server's reason and when to retry (issue 11 item 4).
describe('atpctl serve: failed authentications per address', () => {
  const {home, cleanup} = tempHome('atpctl-e2e-authfail-')
  const client = tempHome('atpctl-e2e-authfail-client-')
  afterAll(() => {
    cleanup()
    client.cleanup()
  })

  it('two bad keys are refused (exit 5), the next attempt is throttled (exit 8)', async () => {
    expect((await runCli(['init', '--location', 'us'], {home})).code).toBe(0)
    const serve = await startServe(home, ['--auth-failure-limit', '2'])
    try {
      const bad = join(client.home, 'bad.key')
      writeFileSync(bad, 'atpk_' + 'x'.repeat(43) + '\n', {mode: 0o600})
      const attempt = () => runCli(['init', '--remote', serve.url, '--api-key-file', bad, '--profile', 'team'], {home: client.home})
      expect((await attempt()).code).toBe(5)
      expect((await attempt()).code).toBe(5)
      const throttled = await attempt()
      expect(throttled.code).toBe(8)
      expect(throttled.stderr).toMatch(/Too many failed authentications from this address; retry in \d+ s\./)
      expect(throttled.stderr).not.toMatch(/\n\s+at /)
    } finally {
      serve.child.kill('SIGTERM')
      await serve.exited
    }
  }, 120_000)
})
