import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import {openLocalBackend} from '../../src/backends/local/index.js'
import {openRemoteBackend} from '../../src/backends/remote/index.js'
import {type RunningServer, startServer} from '../../src/server/run.js'
import {tempHome} from '../helpers/cli.js'
import {expectAtpError} from '../backends/contract/expect.js'
import {requireTool} from '../helpers/tools.js'

const withOpenssl = requireTool('openssl')

withOpenssl.describe('remote backend transport: TLS verification and unreachable servers (issue 7)', () => {
  const {home, cleanup} = tempHome('atpctl-tls-')
  const cert = join(home, 'server.crt')
  const key = join(home, 'server.key')
  let server: RunningServer
  let apiKey: string
  beforeAll(async () => {
    // A self-signed certificate for 127.0.0.1, made by openssl as an admin would.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {stdio: 'ignore'})
    const dbPath = join(home, 'tenant.db')
    const seed = await openLocalBackend(dbPath, {profile: 'tls', actor: 'test'})
    apiKey = (await seed.apiKeys.create({name: 'owner', role: 'owner'})).secret!
    await seed.tenant.create({location: 'uk', datacenter: 'WestUk'})
    await seed.close()
    server = await startServer({databasePath: dbPath, profile: 'tls', host: '127.0.0.1', port: 0, rateLimit: 0, tlsCertFile: cert, tlsKeyFile: key})
  })
  afterAll(async () => {
    await server?.close()
    cleanup()
  })

  it('serves HTTPS and the remote backend trusts a self-signed server only through --ca-file', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const trusted = openRemoteBackend({url: server.url, apiKey, caFile: cert})
    try {
      expect((await trusted.tenant.get())?.location).toBe('uk')
    } finally {
      await trusted.close()
    }

    const untrusted = openRemoteBackend({url: server.url, apiKey})
    try {
      await expectAtpError(untrusted.tenant.get(), {code: 'UNREACHABLE', exitCode: 6, message: /TLS certificate .*https:\/\/127\.0\.0\.1/})
    } finally {
      await untrusted.close()
    }
  })

  it('fails with exit 6 naming the URL when nothing listens, and exit 2 for a bad URL or CA file', async () => {
    const dead = openRemoteBackend({url: 'http://127.0.0.1:9', apiKey, timeoutMs: 2000})
    try {
      await expectAtpError(dead.tokens.list(), {code: 'UNREACHABLE', exitCode: 6, message: /http:\/\/127\.0\.0\.1:9.*ECONNREFUSED/})
    } finally {
      await dead.close()
    }

    expect(() => openRemoteBackend({url: 'ftp://example.net', apiKey})).toThrow(/https:\/\//)
    expect(() => openRemoteBackend({url: 'https://user:pw@example.net', apiKey})).toThrow(/credentials/)
    expect(() => openRemoteBackend({url: server.url, apiKey, caFile: join(home, 'missing.pem')})).toThrow(/CA file/)
  })
})
