import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {UsageError} from '../core/errors.js'
import {buildServer, type ServerOptions} from './app.js'
import {openServedBackend} from './served-backend.js'
import {openSpool} from './spool.js'
import {startBackendWorker} from './backend-worker.js'
import {prepareUploadDir} from './upload.js'

export interface StartOptions extends Omit<ServerOptions, 'served' | 'tls' | 'spool' | 'uploadDir'> {
  databasePath: string
  profile: string
  host: string
  port: number
  tlsCertFile?: string
  tlsKeyFile?: string
  now?: () => Date
  /** How long close() may take, ms (default 10 s): see close(). */
  shutdownGraceMs?: number
}

/** `serve --shutdown-grace` default. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000

export interface RunningServer {
  url: string
  port: number
  /**
   * Stops within the grace period: stops accepting, lets requests in flight finish for half of
   * it (then closes every connection left: a request cut there was never acknowledged, so its
   * sender retries it), turns spooled events into alerts until the grace period ends, and
   * closes the databases. Acknowledged events not processed by then stay in the spool for the
   * next start.
   */
  close(): Promise<void>
}

/** Opens the profile's embedded backend and serves it until `close()`. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  let tls: ServerOptions['tls']
  if (options.tlsCertFile || options.tlsKeyFile) {
    if (!options.tlsCertFile || !options.tlsKeyFile) throw new UsageError('TLS needs both --tls-cert and --tls-key.')
    try {
      tls = {cert: readFileSync(options.tlsCertFile), key: readFileSync(options.tlsKeyFile)}
    } catch (error) {
      throw new UsageError(`Cannot read the TLS files: ${(error as Error).message}`, {suggestions: ['Pass PEM files to --tls-cert and --tls-key.']})
    }
  }

  const grace = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS
  let deadline = Number.POSITIVE_INFINITY
  const spoolPath = join(dirname(options.databasePath), 'sensor-spool.db')
  // Streamed imports are received beside the database (owner-only); a crashed server's leftovers go.
  const uploadDir = join(dirname(options.databasePath), 'uploads')
  const spool = await openSpool(spoolPath) // first: an incomplete install fails here with nothing written
  prepareUploadDir(uploadDir)
  let spoolClosed = false
  // Built runs give the database to a worker thread; from sources (tests, or an injected clock) it stays here.
  const worker = options.now
    ? null
    : await startBackendWorker({
        databasePath: options.databasePath,
        spoolPath,
        profile: options.profile,
        onError: (m) => options.errorLog?.(m),
        // After a shutdown that left the worker behind, its last batch may still report: the
        // spool is closed by then, and the next start skips those events (progress recorded).
        onProcessed: (ids) => {
          if (!spoolClosed) spool.remove(ids)
        },
      })
  const served = worker?.served ?? (await openServedBackend(options.databasePath, options.profile, {now: options.now}))
  let app
  try {
    app = await buildServer({...options, served, tls, spool, drainer: worker?.drainer, drainDeadline: () => deadline, uploadDir})
    await app.listen({host: options.host, port: options.port})
  } catch (error) {
    await app?.close().catch(() => {})
    await worker?.close()
    spool.close()
    await served.backend.close()
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new UsageError(`Cannot listen on ${options.host}:${options.port} (${code}).`, {suggestions: ['Pick another --port or --host.']})
    }

    throw error
  }

  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : options.port
  const host = options.host.includes(':') ? `[${options.host}]` : options.host
  let closing: Promise<void> | undefined
  return {
    url: `${tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        deadline = Date.now() + grace
        // Stop accepting, answer what is in flight (trickling and idle clients are cut at half
        // the grace period), drain the spool until the deadline (onClose), then close the files.
        const cut = setTimeout(() => app.server.closeAllConnections(), grace / 2)
        try {
          await app.close()
        } finally {
          clearTimeout(cut)
        }

        await worker?.close(deadline)
        spoolClosed = true
        spool.close()
        await served.backend.close()
      })()
      return closing
    },
  }
}
