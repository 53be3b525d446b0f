import {readFileSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {createHttpClient} from '../../src/lib/http-client.js'
import {bypassed, proxyFor} from '../../src/lib/proxy.js'
import {PROJECT_ROOT} from '../helpers/cli.js'

const tlsDir = join(PROJECT_ROOT, 'fixtures', 'tls')
const caFile = join(tlsDir, 'localhost.crt')

describe('proxy settings', () => {
  it('picks HTTPS_PROXY for https and HTTP_PROXY for http, lower case too, and nothing when unset', () => {
    const env = {HTTPS_PROXY: 'http://p.example:3128', http_proxy: 'p2.example:8080'}
    expect(proxyFor(new URL('https://atp.example.net'), env)?.href).toBe('http://p.example:3128/')
    expect(proxyFor(new URL('http://atp.example.net'), env)?.href).toBe('http://p2.example:8080/')
    expect(proxyFor(new URL('https://atp.example.net'), {})).toBeNull()
  })

  it('NO_PROXY matches hosts, subdomains, ports and *', () => {
    const u = new URL('https://atp.corp.example:8443')
    expect(bypassed(u, 'corp.example')).toBe(true)
    expect(bypassed(u, '.corp.example')).toBe(true)
    expect(bypassed(u, 'atp.corp.example:8443')).toBe(true)
    expect(bypassed(u, 'atp.corp.example:443')).toBe(false)
    expect(bypassed(u, 'example.org, other')).toBe(false)
    expect(bypassed(u, '*')).toBe(true)
    expect(bypassed(new URL('http://[::1]:80'), '::1')).toBe(true)
  })

  it('refuses a proxy that is not http:// with a usage error that does not show its password', () => {
    expect(() => proxyFor(new URL('https://x'), {HTTPS_PROXY: 'socks5://u:secret@p:1080'})).toThrow(/socks5/)
    expect(() => proxyFor(new URL('https://x'), {HTTPS_PROXY: 'socks5://u:secret@p:1080'})).not.toThrow(/secret/)
  })
})

describe('the HTTP client through a proxy (remote backend and sensor)', () => {
  const seen: string[] = []
  let proxy: http.Server
  let proxyUrl: string
  let target: https.Server
  let plain: http.Server
  beforeAll(async () => {
    const answer = (req: http.IncomingMessage, res: http.ServerResponse) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({result: {path: req.url, host: req.headers.host, auth: req.headers.authorization ?? null}}))
    }

    target = https.createServer({cert: readFileSync(caFile), key: readFileSync(join(tlsDir, 'localhost.key'))}, answer)
    plain = http.createServer(answer)
    // A forwarding proxy as Squid does it: CONNECT tunnels, and absolute-form requests.
    proxy = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url} proxy-auth=${req.headers['proxy-authorization'] ?? ''}`)
      const url = new URL(req.url!)
      const upstream = http.request({host: url.hostname, port: url.port, path: url.pathname + url.search, method: req.method, headers: req.headers}, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers)
        r.pipe(res)
      })
      req.pipe(upstream)
    })
    proxy.on('connect', (req, socket: net.Socket, head) => {
      seen.push(`CONNECT ${req.url}`)
      const [host, port] = req.url!.split(':')
      const upstream = net.connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection established\r\n\r\n')
        upstream.write(head)
        upstream.pipe(socket)
        socket.pipe(upstream)
      })
      upstream.on('error', () => socket.destroy())
    })
    await Promise.all([target, plain, proxy].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))))
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await Promise.all([target, plain, proxy].map((s) => new Promise((r) => s.close(r))))
  })
  beforeEach(() => (seen.length = 0))

  const port = (s: net.Server) => (s.address() as AddressInfo).port

  it('tunnels https through HTTPS_PROXY with CONNECT, still verifying the server certificate end to end', async () => {
    const client = createHttpClient({baseUrl: `https://localhost:${port(target)}`, caFile, authorization: 'Bearer atpk_x', env: {HTTPS_PROXY: proxyUrl}})
    try {
      expect(await client.call({method: 'GET', path: '/v1/tenant'})).toEqual({result: {path: '/v1/tenant', host: `localhost:${port(target)}`, auth: 'Bearer atpk_x'}})
      expect(seen).toEqual([`CONNECT localhost:${port(target)}`])
    } finally {
      client.close()
    }

    // Without the CA the tunnel opens but the certificate is refused: TLS is not the proxy's.
    const untrusted = createHttpClient({baseUrl: `https://localhost:${port(target)}`, env: {HTTPS_PROXY: proxyUrl}})
    try {
      await expect(untrusted.call({method: 'GET', path: '/v1/tenant'})).rejects.toMatchObject({exitCode: 6, message: expect.stringMatching(/TLS certificate/)})
    } finally {
      untrusted.close()
    }
  })

  it('sends plain http to HTTP_PROXY in absolute form, with Proxy-Authorization from the proxy URL', async () => {
    const withUser = proxyUrl.replace('http://', 'http://ops:s3cret@')
    const client = createHttpClient({baseUrl: `http://127.0.0.1:${port(plain)}`, env: {HTTP_PROXY: withUser}})
    try {
      const body = (await client.call({method: 'GET', path: '/v1/tenant', query: {a: '1'}})) as {result: {path: string; host: string}}
      expect(body.result).toMatchObject({path: '/v1/tenant?a=1', host: `127.0.0.1:${port(plain)}`})
      expect(seen).toEqual([`GET http://127.0.0.1:${port(plain)}/v1/tenant?a=1 proxy-auth=Basic ${Buffer.from('ops:s3cret').toString('base64')}`])
    } finally {
      client.close()
    }
  })

  it('goes direct for NO_PROXY hosts, and names the proxy (without its password) when it is down', async () => {
    const direct = createHttpClient({baseUrl: `https://localhost:${port(target)}`, caFile, env: {HTTPS_PROXY: proxyUrl, NO_PROXY: 'localhost'}})
    try {
      await direct.call({method: 'GET', path: '/v1/tenant'})
      expect(seen).toEqual([])
    } finally {
      direct.close()
    }

    const dead = createHttpClient({baseUrl: `https://localhost:${port(target)}`, caFile, env: {HTTPS_PROXY: 'http://u:pw@127.0.0.1:9'}})
    try {
      const error = (await dead.call({method: 'GET', path: '/v1/tenant'}).then(
        () => undefined,
        (e: unknown) => e,
      )) as Error & {exitCode: number; suggestions: string[]}
      expect(error).toMatchObject({exitCode: 6, message: expect.stringMatching(/through the proxy.*ECONNREFUSED/)})
      expect(JSON.stringify({m: error.message, s: error.suggestions})).not.toContain('pw')
    } finally {
      dead.close()
    }
  })
})
