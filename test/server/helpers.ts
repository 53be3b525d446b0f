import {join} from 'node:path'
import {openLocalBackend} from '../../src/backends/local/index.js'
import type {Backend} from '../../src/core/port/types.js'
import {ROLES, type Role} from '../../src/core/rbac/roles.js'
import type {AccessLogEntry} from '../../src/server/access-log.js'
import {type RunningServer, startServer} from '../../src/server/run.js'
import {tempHome} from '../helpers/cli.js'

export interface TestServer {
  url: string
  dbPath: string
  server: RunningServer
  /** One API key per role, named after the role. */
  keys: Record<Role, string>
  log: AccessLogEntry[]
  /** What the server reported as unexpected (should stay empty). */
  errors: string[]
  /** Opens the database directly (for arranging state and checking it is unchanged). */
  direct<T>(fn: (backend: Backend) => Promise<T>): Promise<T>
  request(method: string, path: string, options?: {auth?: string; body?: unknown; raw?: string; headers?: Record<string, string>}): Promise<{status: number; body: any; headers: Headers}>
  cleanup(): Promise<void>
}

/** A real server on a loopback port 0 over a fresh tenant with one key per role. */
export async function startTestServer(
  options: {rateLimit?: number; sensorRateLimit?: number; bodyLimit?: number; sensorBodyLimit?: number; authFailureLimit?: number; importLimit?: number; uploadIdleMs?: number} = {},
): Promise<TestServer> {
  const {home, cleanup} = tempHome('atpctl-server-')
  const dbPath = join(home, 'tenant.db')
  const direct = async <T>(fn: (backend: Backend) => Promise<T>) => {
    const backend = await openLocalBackend(dbPath, {profile: 'server', actor: 'test:direct'})
    try {
      return await fn(backend)
    } finally {
      await backend.close()
    }
  }

  const keys = {} as Record<Role, string>
  await direct(async (backend) => {
    await backend.tenant.create({location: 'us', datacenter: 'EastUs3'})
    for (const role of ROLES) keys[role] = (await backend.apiKeys.create({name: role, role})).secret!
  })
  const log: AccessLogEntry[] = []
  const errors: string[] = []
  const server = await startServer({
    databasePath: dbPath,
    profile: 'server',
    host: '127.0.0.1',
    port: 0,
    rateLimit: options.rateLimit ?? 0,
    sensorRateLimit: options.sensorRateLimit ?? 0,
    authFailureLimit: options.authFailureLimit ?? 0,
    bodyLimit: options.bodyLimit,
    importLimit: options.importLimit,
    uploadIdleMs: options.uploadIdleMs,
    sensorBodyLimit: options.sensorBodyLimit,
    accessLog: (entry) => log.push(entry),
    errorLog: (message) => errors.push(message),
  })
  return {
    url: server.url,
    dbPath,
    server,
    keys,
    log,
    errors,
    direct,
    async request(method, path, {auth, body, raw, headers = {}} = {}) {
      const h: Record<string, string> = {...headers}
      if (auth) h.authorization = `Bearer ${auth}`
      let payload: string | undefined = raw
      if (body !== undefined) payload = JSON.stringify(body)
      if (payload !== undefined && !h['content-type']) h['content-type'] = 'application/json'
      const response = await fetch(server.url + path, {method, headers: h, body: payload})
      const text = await response.text()
      let parsed: unknown
      try {
        parsed = text === '' ? undefined : JSON.parse(text)
      } catch {
        parsed = text
      }

      return {status: response.status, body: parsed, headers: response.headers}
    },
    async cleanup() {
      await server.close()
      cleanup()
    },
  }
}
