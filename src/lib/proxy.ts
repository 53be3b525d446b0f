/**
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY for the remote backend and the sensor, the way curl and
 * most CLIs read them: https targets go through a CONNECT tunnel (TLS is still verified end to
 * end against the atpctl server), plain http targets are sent to the proxy in absolute form.
 * Node's own http/https modules ignore these variables, hence this small adapter.
 */
import http from 'node:http'
import https from 'node:https'
import type {Duplex} from 'node:stream'
import tls from 'node:tls'
import {UsageError} from '../core/errors.js'

export type ProxyEnv = Record<string, string | undefined>

/** The proxy URL for a target, or null when none applies (unset, or NO_PROXY matches). */
export function proxyFor(target: URL, env: ProxyEnv): URL | null {
  const pick = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v.trim() !== '')
  const value = target.protocol === 'https:' ? pick('HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy') : pick('HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy')
  if (!value) return null
  if (bypassed(target, pick('NO_PROXY', 'no_proxy') ?? '')) return null
  let proxy: URL
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`)
  } catch {
    throw new UsageError(`The proxy setting '${redact(value)}' is not a URL.`, {suggestions: ['Set HTTPS_PROXY like http://proxy.example.net:3128, or unset it.']})
  }

  if (proxy.protocol !== 'http:') {
    throw new UsageError(`Proxy '${redact(value)}' uses ${proxy.protocol.replace(':', '')}; atpctl speaks to proxies over http:// only.`, {
      suggestions: ['Set HTTPS_PROXY to the proxy\'s http:// address (the tunnel to the server stays TLS).'],
    })
  }

  return proxy
}

/** NO_PROXY: `*`, host names (a leading dot or none matches subdomains too), optional :port. */
export function bypassed(target: URL, noProxy: string): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const port = target.port || (target.protocol === 'https:' ? '443' : '80')
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase()
    if (entry === '') continue
    if (entry === '*') return true
    // A bare IPv6 address has several colons and no port; otherwise host[:port] or [v6][:port].
    const match = entry.split(':').length > 2 && !entry.startsWith('[') ? null : /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry)
    const [hostPart, portPart] = match ? [match[1], match[2]] : [entry, undefined]
    const name = hostPart.replace(/^\[|\]$/g, '').replace(/^\*?\./, '')
    if (portPart && portPart !== port) continue
    if (host === name || host.endsWith(`.${name}`)) return true
  }

  return false
}

/** The Proxy-Authorization header for a proxy URL that carries user:password, if any. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username) return undefined
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`
  return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`
}

/** A proxy URL fit for a message: no credentials. */
export function redact(value: string): string {
  return value.replace(/\/\/[^@/]*@/, '//***@')
}

/**
 * An https.Agent whose connections are CONNECT tunnels through `proxy`; TLS (with `ca`, SNI and
 * hostname checks) runs inside the tunnel, so the proxy never sees the traffic.
 */
export function tunnelingAgent(proxy: URL, options: https.AgentOptions): https.Agent {
  const agent = new https.Agent(options)
  const authorization = proxyAuthorization(proxy)
  type Callback = (error: Error | null, socket?: Duplex) => void
  ;(agent as unknown as {createConnection: (o: tls.ConnectionOptions & {host: string; port: number}, cb: Callback) => undefined}).createConnection = (o, callback) => {
    const connect = http.request({
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.port || 80,
      method: 'CONNECT',
      path: `${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`,
      headers: {host: `${o.host}:${o.port}`, ...(authorization ? {'proxy-authorization': authorization} : {})},
      agent: false,
    })
    connect.once('connect', (response, socket) => {
      if (response.statusCode !== 200) {
        socket.destroy()
        callback(Object.assign(new Error(`the proxy ${redact(proxy.href)} refused the tunnel (HTTP ${response.statusCode})`), {code: 'EPROXY'}))
        return
      }

      const secure = tls.connect({...o, socket, servername: o.servername ?? (isIp(o.host) ? undefined : o.host)})
      secure.once('secureConnect', () => callback(null, secure))
      secure.once('error', (error) => callback(error))
    })
    connect.once('error', (error) => callback(Object.assign(new Error(`cannot reach the proxy ${redact(proxy.href)}: ${(error as NodeJS.ErrnoException).code ?? error.message}`), {code: (error as NodeJS.ErrnoException).code})))
    connect.end()
    return undefined
  }

  return agent
}

const isIp = (host: string) => /^[\d.]+$/.test(host) || host.includes(':')
