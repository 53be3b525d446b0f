/**
 * A small JSON-over-HTTP(S) client for the remote backend and the sensor: keep-alive, a CA file
 * for self-signed servers (TLS verification stays on), timeouts, bounded retries on 429, and
 * every connection failure turned into UnreachableError (exit 6) naming the URL. Secrets go
 * only in the Authorization header and never appear in errors.
 */
import {readFileSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import {UnreachableError, UsageError} from '../core/errors.js'
import {fromEnvelope, retryAfterMs} from './http-errors.js'

/** The longest Retry-After a call waits out itself before it reports the throttling. */
const MAX_RETRY_WAIT_MS = 5000
import {proxyAuthorization, proxyFor, type ProxyEnv, redact, tunnelingAgent} from './proxy.js'

export interface HttpClientOptions {
  baseUrl: string
  /** PEM file of the CA (or self-signed certificate) the server's certificate must chain to. */
  caFile?: string
  /** Full header value, e.g. `Bearer atpk_…`. */
  authorization?: string
  timeoutMs?: number
  headers?: Record<string, string>
  /** How many times a 429 is retried (after Retry-After, capped) before giving up. */
  rateLimitRetries?: number
  /** Where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read (default: the process environment). */
  env?: ProxyEnv
}

export interface HttpRequest {
  method: string
  path: string
  query?: Record<string, string>
  body?: unknown
  /** Overrides the client's Authorization header for this call. */
  authorization?: string
}

export interface HttpResponse {
  status: number
  body: unknown
  /** The Retry-After header, when the answer had one (429, 503). */
  retryAfter?: string
}

export interface HttpClient {
  readonly baseUrl: string
  /** Sends a request; a non-2xx answer is thrown as the core error it carries. */
  call(request: HttpRequest): Promise<unknown>
  /** Sends a request and returns whatever came back (status and parsed body). */
  raw(request: HttpRequest): Promise<HttpResponse>
  /**
   * Sends a streamed body (chunked transfer encoding) while `chunks` produces it, writing no
   * faster than the connection takes it. An answer that comes before the body is sent (a
   * refusal) stops the sending and is what this reports, never the broken pipe. When `chunks`
   * throws, the request is abandoned (the server sees an incomplete body) and that error is
   * thrown. Not retried on 429: a stream is read once. `chunks` may be async (a file being
   * read): each chunk is sent as it comes.
   */
  upload(request: Omit<HttpRequest, 'body'> & {contentType: string}, chunks: Iterable<string | Buffer> | AsyncIterable<string | Buffer>): Promise<unknown>
  close(): void
}

/** Parses and checks a server URL: http(s) only, no credentials, no query. */
export function parseServerUrl(text: string): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`'${text}' is not a URL.`, {suggestions: ['Pass the server URL like https://atp.example.net:8443']})
  }

  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`Server URL '${text}' must start with https:// or http://.`, {suggestions: ['Pass the server URL like https://atp.example.net:8443']})
  }

  if (url.username || url.password || url.search || url.hash) {
    throw new UsageError('The server URL must not carry credentials, a query or a fragment.', {
      suggestions: ['Give the key with --api-key-file (it travels in the Authorization header only).'],
    })
  }

  return url
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const base = parseServerUrl(options.baseUrl)
  const prefix = base.pathname.replace(/\/+$/, '')
  const origin = base.origin + prefix
  const isHttps = base.protocol === 'https:'
  let ca: Buffer | undefined
  if (options.caFile) {
    try {
      ca = readFileSync(options.caFile)
    } catch (error) {
      throw new UsageError(`Cannot read the CA file ${options.caFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, {
        suggestions: ['Pass --ca-file with the PEM certificate of the server (or of its CA).'],
      })
    }
  }

  const proxy = proxyFor(base, options.env ?? process.env)
  const agent = isHttps
    ? proxy
      ? tunnelingAgent(proxy, {keepAlive: true, ca, maxSockets: 16})
      : new https.Agent({keepAlive: true, ca, maxSockets: 16})
    : new http.Agent({keepAlive: true, maxSockets: 16})
  // Plain http through a proxy: the request goes to the proxy with the absolute URL as its path.
  const httpProxy = !isHttps && proxy ? proxy : null
  const httpProxyAuthorization = httpProxy ? proxyAuthorization(httpProxy) : undefined
  const timeoutMs = options.timeoutMs ?? 30_000

  function once(request: HttpRequest): Promise<HttpResponse> {
    const query = request.query && Object.keys(request.query).length > 0 ? '?' + new URLSearchParams(request.query).toString() : ''
    const payload = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body), 'utf8')
    const headers: Record<string, string> = {accept: 'application/json', ...options.headers}
    const authorization = request.authorization ?? options.authorization
    if (authorization) headers.authorization = authorization
    if (httpProxy) headers.host = base.host
    if (httpProxyAuthorization) headers['proxy-authorization'] = httpProxyAuthorization
    if (payload) {
      headers['content-type'] = 'application/json'
      headers['content-length'] = String(payload.length)
    }

    return new Promise((resolve, reject) => {
      const req = (isHttps ? https : http).request(
        {
          protocol: base.protocol,
          hostname: (httpProxy ?? base).hostname.replace(/^\[|\]$/g, ''),
          port: httpProxy ? httpProxy.port || 80 : base.port || (isHttps ? 443 : 80),
          path: (httpProxy ? origin : prefix) + request.path + query,
          method: request.method,
          headers,
          agent,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', (error) => reject(unreachable(origin, error)))
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            let body: unknown
            if (text !== '') {
              try {
                body = JSON.parse(text)
              } catch {
                body = undefined
              }
            }

            resolve({status: res.statusCode ?? 0, body, retryAfter: res.headers['retry-after']})
          })
        },
      )
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), {code: 'ETIMEDOUT'})))
      req.on('error', (error) => reject(unreachable(origin, error, proxy)))
      req.end(payload)
    })
  }

  async function raw(request: HttpRequest): Promise<HttpResponse> {
    const retries = options.rateLimitRetries ?? 3
    for (let attempt = 0; ; attempt++) {
      const response = await once(request)
      if (response.status !== 429 || attempt >= retries) return response
      // A short wait is waited out here; a longer one is the caller's to decide (exit 8 says when).
      const asked = retryAfterMs(response.retryAfter)
      if (asked !== undefined && asked > MAX_RETRY_WAIT_MS) return response
      await new Promise((r) => setTimeout(r, asked ?? Math.min(250 * 2 ** attempt, MAX_RETRY_WAIT_MS)))
    }
  }

  /** Time to wait for the answer once a streamed body is sent: the server applies it all first. */
  const uploadTimeoutMs = Math.max(timeoutMs, 15 * 60_000)

  function upload(request: Omit<HttpRequest, 'body'> & {contentType: string}, chunks: Iterable<string | Buffer> | AsyncIterable<string | Buffer>): Promise<unknown> {
    const query = request.query && Object.keys(request.query).length > 0 ? '?' + new URLSearchParams(request.query).toString() : ''
    const headers: Record<string, string> = {accept: 'application/json', ...options.headers, 'content-type': request.contentType, 'transfer-encoding': 'chunked'}
    const authorization = request.authorization ?? options.authorization
    if (authorization) headers.authorization = authorization
    // A connection of its own, kept alive: a server that refuses early then reads and drops the
    // rest of the body instead of closing on it (`Connection: close` would make the unsent rest
    // fail as EPIPE before the answer is read); it is closed once the answer is in.
    const agent = isHttps ? new https.Agent({keepAlive: true, ca, maxSockets: 1}) : new http.Agent({keepAlive: true, maxSockets: 1})
    return new Promise((resolve, reject) => {
      const iterator: Iterator<string | Buffer> | AsyncIterator<string | Buffer> = Symbol.iterator in chunks ? chunks[Symbol.iterator]() : chunks[Symbol.asyncIterator]()
      let answered = false
      let sentAll = false
      let settled = false
      const settle = (fn: () => void) => {
        if (settled) return
        settled = true
        fn()
        agent.destroy()
      }

      const stopReading = () => {
        try {
          // An async iterator's return() is a promise: its failure is no news either.
          Promise.resolve(iterator.return?.()).catch(() => {})
        } catch {}
      }

      const req = (isHttps ? https : http).request(
        {
          protocol: base.protocol,
          hostname: base.hostname.replace(/^\[|\]$/g, ''),
          port: base.port || (isHttps ? 443 : 80),
          path: prefix + request.path + query,
          method: request.method,
          headers,
          agent,
          timeout: uploadTimeoutMs,
        },
        (res) => {
          answered = true
          const body: Buffer[] = []
          res.on('data', (c: Buffer) => body.push(c))
          res.on('error', (error) => settle(() => reject(unreachable(origin, error))))
          res.on('end', () => {
            const finished = sentAll
            if (!finished) stopReading()
            let parsed: unknown
            try {
              parsed = body.length > 0 ? JSON.parse(Buffer.concat(body).toString('utf8')) : undefined
            } catch {}

            const status = res.statusCode ?? 0
            settle(() => (status >= 200 && status < 300 && finished ? resolve(parsed) : reject(fromEnvelope(status, parsed, origin, res.headers['retry-after']))))
            // The rest of an early-refused body is not sent.
            if (!finished) req.destroy()
          })
        },
      )
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${uploadTimeoutMs} ms`), {code: 'ETIMEDOUT'})))
      // After an answer, a failed write (the server stopped reading) is no news.
      req.on('error', (error) => {
        if (!answered) settle(() => reject(unreachable(origin, error)))
      })
      const pump = async () => {
        try {
          for (;;) {
            if (answered || settled || req.destroyed) return
            // A synchronous iterator's next() is taken as it is: no await per chunk.
            const step = iterator.next()
            const next = step instanceof Promise ? await step : step
            if (answered || settled || req.destroyed) return
            if (next.done) {
              sentAll = true
              req.end()
              return
            }

            if (!req.write(next.value)) {
              req.once('drain', () => void pump())
              return
            }
          }
        } catch (error) {
          // The producer failed (e.g. an invalid inventory): abandon the body so nothing is applied.
          settle(() => reject(error))
          req.destroy()
        }
      }

      void pump()
    })
  }

  return {
    baseUrl: origin,
    raw,
    upload,
    async call(request) {
      const response = await raw(request)
      if (response.status >= 200 && response.status < 300) return response.body
      throw fromEnvelope(response.status, response.body, origin, response.retryAfter)
    },
    close() {
      agent.destroy()
    },
  }
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
])

function unreachable(url: string, error: Error, proxy: URL | null = null): UnreachableError {
  const code = (error as NodeJS.ErrnoException).code ?? ''
  if (proxy && (code === 'EPROXY' || /proxy/.test(error.message))) {
    return new UnreachableError(`Cannot reach the atpctl server at ${url} through the proxy: ${error.message}.`, {
      suggestions: [`Check the proxy ${redact(proxy.href)} (HTTPS_PROXY / HTTP_PROXY), or add the server's host to NO_PROXY to go direct.`],
    })
  }

  if (TLS_CODES.has(code)) {
    return new UnreachableError(`Cannot verify the TLS certificate of the atpctl server at ${url} (${code}).`, {
      suggestions: [
        'If the server uses a self-signed certificate, pass its certificate with --ca-file (TLS verification stays on).',
        'Check that the URL host name matches the certificate.',
      ],
    })
  }

  return new UnreachableError(`Cannot reach the atpctl server at ${url}: ${code || error.message}.`, {
    suggestions: ['Check that `atpctl serve` is running there and that the URL and port are right.', 'Check the network path (VPN, firewall, proxy).'],
  })
}
