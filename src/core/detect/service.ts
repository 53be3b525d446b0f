import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import type {Backend} from '../port/types.js'
import type {Alert} from '../alert/types.js'
import {isAtpError, UsageError} from '../errors.js'
import {requireTenant} from '../tenant/service.js'
import {EICAR_ALERT_TITLE, eicarBytes, judgeEicar} from './eicar.js'
import {TEST_ALERTS, type TestAlertOs, type TestAlertProcedure} from './test-alerts.js'
import {type CheckKind, type DetectTarget, type Outcome, type PreflightCheck, preflight, type Verdict, verdictOf} from './verdict.js'
import {type BackoffOptions, waitFor} from './waiter.js'

/** The default wait: the portal's "alert might take a few minutes", with margin (10 min). */
export const DEFAULT_TIMEOUT_MS = 10 * 60_000

/** Time and progress, injected so tests run without real waiting. */
export interface DetectDeps {
  /** Monotonic milliseconds. */
  now: () => number
  date: () => Date
  sleep: (ms: number) => Promise<void>
  backoff?: BackoffOptions
  /** Waiting starts (a spinner starts showing elapsed time) and ends. */
  onWaitStart?: (info: {device: string; title: string}) => void
  onWaitEnd?: () => void
  /** The test file exists now; `cleanup` is what to remove if the process is interrupted. */
  onFileWritten?: (info: {path: string; cleanup: string}) => void
}

export const realDeps: DetectDeps = {
  now: () => performance.now(),
  date: () => new Date(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
}

/**
 * Who hands the evidence to the backend (issue 5 ↔ 7 rule): a device that reports through a
 * live `atpctl sensor run` process sees the file itself in its watched directory, so atpctl only
 * writes it there and waits; for any other device (inventory, embedded model) atpctl submits
 * what it wrote, exactly as the device's sensor would.
 */
export function reporterFor(target: DetectTarget): 'live-sensor' | 'atpctl' {
  return target.liveSensor ? 'live-sensor' : 'atpctl'
}

export interface EicarCheckOptions {
  profile: string
  device?: string
  /** Directory to write into; a fresh temp directory when absent. */
  dir?: string
  timeoutMs: number
  keep: boolean
}

interface Base {
  check: CheckKind
  os: string | null
  expectedTitle: string
  timeoutMs: number
  startedAt: Date
  startMono: number
}

function finish(deps: DetectDeps, base: Base, outcome: Outcome, fields: Partial<Verdict> & {message: string; suggestions: string[]}, since: number): Verdict {
  return verdictOf(outcome, {
    check: base.check,
    os: base.os,
    device: null,
    machineId: null,
    computerDnsName: null,
    expectedTitle: base.expectedTitle,
    alert: null,
    file: null,
    reportedBy: null,
    preflight: [],
    startedAt: base.startedAt.toISOString(),
    finishedAt: deps.date().toISOString(),
    seconds: round((deps.now() - since) / 1000),
    timeoutSeconds: base.timeoutMs / 1000,
    polls: 0,
    ...fields,
  })
}

const round = (s: number) => Math.round(s * 1000) / 1000

/** Finds the device and runs the preflight; returns the target or the failing verdict. */
async function resolveTarget(
  backend: Backend,
  deps: DetectDeps,
  base: Base,
  query: {device?: string; os?: TestAlertOs},
): Promise<{target: DetectTarget; checks: PreflightCheck[]} | {verdict: Verdict}> {
  let target: DetectTarget
  try {
    target = await backend.detection.target(query)
  } catch (error) {
    if (isAtpError(error) && error.exitCode === 3) {
      return {
        verdict: finish(deps, base, 'not-onboarded', {
          device: query.device ?? null,
          message: query.device ? `Device '${query.device}' is unknown to this tenant.` : error.message,
          suggestions: query.device
            ? ['List devices: atpctl device list', 'Import the inventory (atpctl device import FILE) or start its sensor, then onboard it.']
            : error.suggestions,
          preflight: [{name: 'device', ok: false, detail: query.device ? 'unknown' : 'no candidate'}],
        }, base.startMono),
      }
    }

    throw error
  }

  const {checks, failure} = preflight(target)
  if (failure) {
    return {verdict: finish(deps, base, failure.outcome, {...ids(target), message: failure.message, suggestions: failure.suggestions, preflight: checks}, base.startMono)}
  }

  return {target, checks}
}

const ids = (t: DetectTarget) => ({device: t.name, machineId: t.machineId, computerDnsName: t.computerDnsName})

/** Maps a refused submission to its verdict: TP3 → blocked (13), other refusals → not onboarded (11). */
function refusedVerdict(error: unknown, deps: DetectDeps, base: Base, target: DetectTarget, checks: PreflightCheck[], since: number, extra: Partial<Verdict>): Verdict | null {
  if (!isAtpError(error) || error.exitCode !== 4) return null
  const outcome: Outcome = error.code === 'REFUSED_TP3' ? 'blocked' : 'not-onboarded'
  return finish(deps, base, outcome, {...ids(target), ...extra, message: error.message, suggestions: error.suggestions, preflight: checks}, since)
}

async function waitForAlert(
  backend: Backend,
  deps: DetectDeps,
  base: Base,
  target: DetectTarget,
  query: {since: string; evidenceFileName?: string},
): Promise<{alert: Alert | null; polls: number}> {
  deps.onWaitStart?.({device: target.name, title: base.expectedTitle})
  try {
    const remaining = Math.max(0, base.timeoutMs - (deps.now() - base.startMono))
    const result = await waitFor({
      poll: () => backend.alerts.find({machineId: target.machineId, title: base.expectedTitle, ...query}),
      timeoutMs: remaining,
      now: deps.now,
      sleep: deps.sleep,
      backoff: deps.backoff,
    })
    return {alert: result.found ? result.value : null, polls: result.polls}
  } finally {
    deps.onWaitEnd?.()
  }
}

function timeoutText(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`
}

/**
 * DT1: preflight, write a real EICAR file, hand it to the backend as seen on the device (or let
 * its live sensor see it), wait for the matching alert. The file is removed unless `keep`.
 */
export async function runEicarCheck(backend: Backend, options: EicarCheckOptions, deps: DetectDeps = realDeps): Promise<Verdict> {
  if (!(options.timeoutMs > 0)) throw new UsageError('--timeout must be more than 0.', {suggestions: ['For example --timeout 10m or --timeout 90s.']})
  await requireTenant(backend, options.profile)
  const base: Base = {check: 'eicar', os: null, expectedTitle: EICAR_ALERT_TITLE, timeoutMs: options.timeoutMs, startedAt: deps.date(), startMono: deps.now()}
  const resolved = await resolveTarget(backend, deps, base, {device: options.device})
  if ('verdict' in resolved) return resolved.verdict
  const {target, checks} = resolved
  const reportedBy = reporterFor(target)
  if (reportedBy === 'live-sensor' && !options.dir && !target.liveSensor?.watchDir && !target.liveSensor?.anyFolder) {
    if (target.liveSensor?.anyFolder === false) {
      throw new UsageError(`Device '${target.name}' is not the machine atpctl runs on; its sensor cannot see a file written here.`, {
        suggestions: [`Pass --path DIR, a folder ${target.name} sees (a share it scans, or a folder mounted from it), or run the check on ${target.name} itself.`],
      })
    }

    throw new UsageError(`Device '${target.name}' reports through a live sensor; atpctl must write the file where that sensor watches.`, {
      suggestions: [`Pass --path WATCHDIR, the directory given to \`atpctl sensor run --watch\` on ${target.name}.`],
    })
  }

  const ownDir = !options.dir && !target.liveSensor?.watchDir
  const dir = options.dir ? resolve(options.dir) : target.liveSensor?.watchDir ?? mkdtempSync(join(tmpdir(), 'atpctl-eicar-'))
  if (!ownDir) ensureDirectory(dir)
  const fileName = `atpctl-eicar-${randomBytes(4).toString('hex')}.com`
  const filePath = join(dir, fileName)
  const bytes = eicarBytes()
  // Exclusive create in one write: the file never exists half-written.
  writeFileSync(filePath, bytes, {flag: 'wx', mode: 0o644})
  deps.onFileWritten?.({path: filePath, cleanup: ownDir ? dir : filePath})
  const written = deps.now()
  const sinceIso = new Date(deps.date().getTime() - 5 * 60_000).toISOString()
  const file = {path: filePath, sha256: judgeEicar(bytes).sha256, size: bytes.length, kept: Boolean(options.keep)}
  const extra: Partial<Verdict> = {file, reportedBy}
  try {
    if (reportedBy === 'atpctl') {
      // What is on disk is what the device's sensor would see.
      const content = readFileSync(filePath)
      try {
        await backend.detection.submitFile({device: target.name, fileName, path: filePath, contentBase64: content.toString('base64')})
      } catch (error) {
        const refused = refusedVerdict(error, deps, base, target, checks, written, extra)
        if (refused) return refused
        throw error
      }
    }

    const {alert, polls} = await waitForAlert(backend, deps, base, target, {since: sinceIso, evidenceFileName: fileName})
    if (alert) {
      return finish(deps, base, 'alert-seen', {...ids(target), ...extra, alert, polls, preflight: checks, message: `Alert ${alert.id} "${alert.title}" seen on ${target.name}.`, suggestions: []}, written)
    }

    return finish(
      deps,
      base,
      'timeout',
      {
        ...ids(target),
        ...extra,
        polls,
        preflight: checks,
        message: `No "${EICAR_ALERT_TITLE}" alert for ${target.name} within ${timeoutText(options.timeoutMs)}.`,
        suggestions:
          reportedBy === 'live-sensor'
            ? [`Check that the sensor of ${target.name} is running and watches ${dir}.`, 'Run again with a longer --timeout.']
            : ['Check real-time protection on the device, then run again with a longer --timeout.'],
      },
      written,
    )
  } finally {
    if (!file.kept) rmSync(ownDir ? dir : filePath, {recursive: ownDir, force: true})
  }
}

function ensureDirectory(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, {recursive: true})
  else if (!statSync(dir).isDirectory()) throw new UsageError(`--path ${dir} is not a directory.`, {suggestions: ['Pass a directory to write the test file into.']})
}

export interface TestAlertCheckOptions {
  profile: string
  os: TestAlertOs
  device?: string
  /** Perform the procedure against the backend (as the device would report it). */
  run: boolean
  /** Wait for the alert (implied by run). */
  wait: boolean
  timeoutMs: number
}

export interface TestAlertCheckResult {
  procedure: TestAlertProcedure
  verdict: Verdict | null
}

/** DT2: the procedure of DC8 for an OS; with `run`, performed against the backend and awaited. */
export async function runTestAlertCheck(backend: Backend, options: TestAlertCheckOptions, deps: DetectDeps = realDeps): Promise<TestAlertCheckResult> {
  const procedure = TEST_ALERTS[options.os]
  if (!options.run && !options.wait) return {procedure, verdict: null}
  if (!(options.timeoutMs > 0)) throw new UsageError('--timeout must be more than 0.', {suggestions: ['For example --timeout 10m or --timeout 90s.']})
  await requireTenant(backend, options.profile)
  const base: Base = {check: 'test-alert', os: options.os, expectedTitle: procedure.title, timeoutMs: options.timeoutMs, startedAt: deps.date(), startMono: deps.now()}
  const resolved = await resolveTarget(backend, deps, base, {device: options.device, os: options.device ? undefined : options.os})
  if ('verdict' in resolved) return {procedure, verdict: resolved.verdict}
  const {target, checks} = resolved
  if (target.osFamily !== options.os) {
    throw new UsageError(`Device '${target.name}' runs ${target.osFamily}; the ${options.os} test alert cannot run there.`, {
      suggestions: [`Use --os ${target.osFamily}, or pick a ${options.os} device.`],
    })
  }

  const performed = deps.now()
  let since = new Date(deps.date().getTime() - 5000).toISOString()
  const reportedBy = options.run ? 'atpctl' : 'manual'
  if (options.run) {
    try {
      const result = await backend.detection.submitActivity({device: target.name, os: options.os, activity: procedure.activity})
      if (result.alert) since = result.alert.alertCreationTime
    } catch (error) {
      const refused = refusedVerdict(error, deps, base, target, checks, performed, {reportedBy})
      if (refused) return {procedure, verdict: refused}
      throw error
    }
  }

  const {alert, polls} = await waitForAlert(backend, deps, base, target, {since})
  const common = {...ids(target), reportedBy, polls, preflight: checks} as const
  const verdict = alert
    ? finish(deps, base, 'alert-seen', {...common, alert, message: `Alert ${alert.id} "${alert.title}" (${alert.severity}) seen on ${target.name}.`, suggestions: []}, performed)
    : finish(
        deps,
        base,
        'timeout',
        {
          ...common,
          message: `No "${procedure.title}" alert for ${target.name} within ${timeoutText(options.timeoutMs)}.`,
          suggestions: options.run
            ? ['Run again with a longer --timeout.']
            : ['Perform the procedure above on the device while atpctl waits, or pass --run to perform it against the backend.'],
        },
        performed,
      )
  return {procedure, verdict}
}
