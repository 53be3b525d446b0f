/**
 * The endpoint side of seed 000, as a third-party sensor does it: check the onboarding package
 * (signature, tenant), register the machine with the provider's token, send heartbeats, and
 * report the files of a watched directory that the EICAR standard matches (TP5). Refusals are
 * explained and retried with back-off: the provider turned off (TP3), the token refused (TP4,
 * the token file is re-read on every attempt so a new token is picked up), the server down.
 * A file counts as reported only once the server acknowledged it, so nothing is lost.
 */
import {readdir, readFile, stat} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import {type AtpError, InvalidInputError, isAtpError, UsageError} from '../../core/errors.js'
import {judgeEicar, EICAR_MAX_FILE_BYTES} from '../../core/detect/eicar.js'
import {createHttpClient, type HttpClient} from '../../lib/http-client.js'
import {readSecretFile} from '../../lib/secret-input.js'
import {SENSOR_PATHS} from './sensor-api.js'

export interface SensorOptions {
  server: string
  tokenFile: string
  packageFile: string
  name: string
  os?: string
  watchDir?: string
  caFile?: string
  heartbeatMs: number
  scanMs: number
  /** Back-off starts at 1 s (or less when scanMs is smaller) and doubles up to this. */
  maxBackoffMs: number
  /** Human progress lines. */
  say(line: string): void
  /** Resolves when the sensor should stop (SIGTERM). */
  stopSignal: Promise<unknown>
}

export interface SensorSummary {
  name: string
  server: string
  orgId: string | null
  registered: boolean
  heartbeats: number
  /** Files the server acknowledged (committed to its event spool; it raises the alert). */
  filesReported: {path: string; eventId: number}[]
  refusals: number
  stoppedBy: string
}

type Outcome = {ok: true; body: any} | {ok: false; error: AtpError; retry: boolean}

export async function runSensor(options: SensorOptions): Promise<SensorSummary> {
  const {say} = options
  const summary: SensorSummary = {name: options.name, server: options.server, orgId: null, registered: false, heartbeats: 0, filesReported: [], refusals: 0, stoppedBy: 'SIGTERM'}
  let stopped = false
  let wake: (() => void) | undefined
  options.stopSignal.then(() => {
    stopped = true
    wake?.()
  })
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      if (stopped) return r()
      const timer = setTimeout(r, ms)
      wake = () => {
        clearTimeout(timer)
        r()
      }
    })

  let token = readToken(options.tokenFile)
  if (options.watchDir) {
    const info = await stat(options.watchDir).catch(() => undefined)
    if (!info?.isDirectory()) throw new UsageError(`--watch ${options.watchDir} is not a directory.`, {suggestions: ['Create it first, or pass the directory the files arrive in.']})
  }

  const client: HttpClient = createHttpClient({baseUrl: options.server, caFile: options.caFile, timeoutMs: 15_000, rateLimitRetries: 0})
  const minBackoff = Math.min(1000, Math.max(options.scanMs, 100))
  let backoff = minBackoff
  let lastProblem = ''

  /** One call with the current token; classifies failures into retry or give up. */
  async function call(method: string, path: string, body?: unknown): Promise<Outcome> {
    try {
      const answer = await client.call({method, path, body, authorization: `Bearer ${token}`})
      if (lastProblem !== '') say('Accepted again by the server.')
      lastProblem = ''
      backoff = minBackoff
      return {ok: true, body: answer}
    } catch (error) {
      if (!isAtpError(error)) throw error
      const e = error as AtpError
      const retry = e.code === 'REFUSED_TP3' || e.exitCode === 5 || e.exitCode === 6 || e.exitCode === 8
      if (retry) {
        summary.refusals++
        // The file may be mid-replacement; keep the current token until a readable new one appears.
        let fresh = token
        try {
          fresh = readToken(options.tokenFile)
        } catch {
          // keep the current token
        }

        const tokenChanged = fresh !== token
        const problem =
          e.code === 'REFUSED_TP3'
            ? `The server refuses this provider's data: ${e.message} Retrying with back-off; the provider's data push should be off too.`
            : e.exitCode === 5
              ? `The server refused the token: ${e.message} Put a new token in ${options.tokenFile}; it is re-read on every retry.`
              : `${e.message} Retrying with back-off.`
        if (problem !== lastProblem || tokenChanged) say(problem)
        lastProblem = problem
        if (tokenChanged) {
          token = fresh
          say(`Read a new token from ${options.tokenFile}.`)
          backoff = minBackoff
        } else {
          say(`Next attempt in ${Math.round(backoff / 100) / 10}s.`)
          await sleep(backoff)
          backoff = Math.min(backoff * 2, options.maxBackoffMs)
        }
      }

      return {ok: false, error: e, retry}
    }
  }

  try {
    // 1. The onboarding package: signed, not tampered, and for the server's tenant.
    let tenant: {orgId: string; certificateSha256: string} | undefined
    while (!stopped && !tenant) {
      const r = await call('GET', SENSOR_PATHS.tenant)
      if (r.ok) tenant = r.body
      else if (!r.retry) throw r.error
    }

    if (!tenant) return finish('SIGTERM')
    const {inspectPackage, assertUsable} = await import('../../core/package/inspect.js')
    const inspection = assertUsable(await inspectPackage(options.packageFile, {tenant}), {kind: 'onboarding', requireTenant: true, requireKnownSigner: true})
    summary.orgId = inspection.orgId
    say(`Onboarding package verified: signed by the ${inspection.signer.kind === 'tenant' ? 'tenant' : 'Microsoft'} identity, org ${inspection.orgId}.`)
    const machine = {name: options.name, os: options.os ?? defaultOs(inspection.os), version: null}

    // 2. Register, then heartbeats and the watched directory until stopped.
    while (!stopped && !summary.registered) {
      const r = await call('POST', SENSOR_PATHS.register, machine)
      if (r.ok) {
        summary.registered = true
        say(`Registered ${options.name} with ${client.baseUrl} (onboarded: ${r.body.device.onboarded}).`)
      } else if (!r.retry) throw r.error
    }

    const watchDir = options.watchDir ? resolve(options.watchDir) : undefined
    if (watchDir) say(`Watching ${watchDir} for EICAR test files.`)
    const seen = new Map<string, string>()
    let nextHeartbeat = Date.now() + options.heartbeatMs
    while (!stopped) {
      if (Date.now() >= nextHeartbeat) {
        const r = await call('POST', SENSOR_PATHS.heartbeat, machine)
        if (r.ok) summary.heartbeats++
        else if (!r.retry) say(`Heartbeat refused: ${r.error.message}`)
        if (r.ok || !r.retry) nextHeartbeat = Date.now() + options.heartbeatMs
        continue
      }

      if (watchDir) {
        for (const file of await scan(watchDir, seen)) {
          if (stopped) break
          const r = await call('POST', SENSOR_PATHS.files, {device: options.name, fileName: file.name, path: file.path, contentBase64: file.content.toString('base64')})
          if (r.ok) {
            seen.set(file.path, file.stamp)
            summary.filesReported.push({path: file.path, eventId: r.body.eventId})
            say(`Reported EICAR test file ${file.path} (event ${r.body.eventId}).`)
          } else if (!r.retry) {
            seen.set(file.path, file.stamp)
            say(`Could not report ${file.path}: ${r.error.message}`)
          } else break
        }
      }

      await sleep(Math.min(options.scanMs, Math.max(0, nextHeartbeat - Date.now())))
    }

    return finish('SIGTERM')
  } finally {
    client.close()
  }

  function finish(by: string): SensorSummary {
    summary.stoppedBy = by
    return summary
  }
}

function readToken(path: string): string {
  let token: string
  try {
    token = readSecretFile(path)
  } catch (error) {
    throw new UsageError(`Cannot read the token file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, {
      suggestions: ['Pass --token-file with a file holding the token from `atpctl token mint`.'],
    })
  }

  if (!/^atpt_\S+$/.test(token)) {
    throw new InvalidInputError(`${path} does not hold a provider access token (atpt_…).`, {
      suggestions: ['Mint one: atpctl token mint --provider <id> --json, and save token.secret into the file.'],
    })
  }

  return token
}

function defaultOs(family: string | null): string {
  return family === 'macos' ? 'macOS' : family === 'windows' ? 'Windows 10' : 'Linux'
}

/** New or changed regular files of the directory that match the EICAR standard. */
async function scan(dir: string, seen: Map<string, string>): Promise<{name: string; path: string; stamp: string; content: Buffer}[]> {
  const found: {name: string; path: string; stamp: string; content: Buffer}[] = []
  let names: string[]
  try {
    names = (await readdir(dir)).sort()
  } catch {
    return found
  }

  for (const name of names) {
    const path = join(dir, name)
    try {
      const info = await stat(path)
      if (!info.isFile()) continue
      const stamp = `${info.size}:${info.mtimeMs}`
      if (seen.get(path) === stamp) continue
      // An EICAR file is at most 128 bytes: anything bigger is not one, and is never read.
      if (info.size > EICAR_MAX_FILE_BYTES) {
        seen.set(path, stamp)
        continue
      }

      const content = await readFile(path)
      if (judgeEicar(content).match) found.push({name, path, stamp, content})
      else seen.set(path, stamp)
    } catch {
      // Vanished or unreadable between listing and reading: next scan.
    }
  }

  return found
}
