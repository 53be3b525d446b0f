import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {openLocalBackend} from '../../src/backends/local/index.js'
import {type RunningServer, startServer} from '../../src/server/run.js'
import {runCli, tempHome} from '../helpers/cli.js'

// A CI job configures atpctl from its environment alone: no init, no stored profile.
describe('ATPCTL_* settings from the environment', () => {
  const {home: serverHome, cleanup: cleanServer} = tempHome('atpctl-env-server-')
  const {home, cleanup} = tempHome('atpctl-env-client-')
  let server: RunningServer
  const keyFile = join(home, 'ci.key')
  beforeAll(async () => {
    const dbPath = join(serverHome, 'tenant.db')
    const seed = await openLocalBackend(dbPath, {profile: 'env', actor: 'test'})
    writeFileSync(keyFile, (await seed.apiKeys.create({name: 'ci', role: 'security-reader'})).secret + '\n', {mode: 0o600})
    await seed.tenant.create({location: 'eu', datacenter: 'WestEurope'})
    await seed.close()
    server = await startServer({databasePath: dbPath, profile: 'env', host: '127.0.0.1', port: 0, rateLimit: 0})
  })
  afterAll(async () => {
    await server?.close()
    cleanServer()
    cleanup()
  })

  it('ATPCTL_URL and ATPCTL_API_KEY_FILE reach a server with no profile written, and config list says where values come from', async () => {
    const env = {ATPCTL_URL: server.url, ATPCTL_API_KEY_FILE: keyFile}
    const status = await runCli(['status', '--json'], {home, env})
    expect(status.code).toBe(0)
    expect(status.json().backend).toEqual({kind: 'remote', location: server.url})
    const settings = (await runCli(['config', 'list', '--json'], {home, env})).json().settings as {key: string; value: string; source: string; env: string}[]
    expect(settings.find((s) => s.key === 'url')).toMatchObject({value: server.url, source: 'env', env: 'ATPCTL_URL'})
    expect(settings.find((s) => s.key === 'backend')).toMatchObject({value: 'remote', source: 'env'})
    // Without the variables the same home is the embedded backend, untouched.
    expect((await runCli(['config', 'get', 'backend', '--json'], {home})).json()).toMatchObject({value: 'local', source: 'default'})
  })

  it('a bad value is a usage error naming the variable', async () => {
    const bad = await runCli(['status', '--json'], {home, env: {ATPCTL_URL: 'not a url'}})
    expect(bad.code).toBe(2)
    expect(bad.json().error.message).toMatch(/^ATPCTL_URL: /)
  })
})
