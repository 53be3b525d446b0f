// Shared helpers for benchmark cases: timing of spawned commands, medians, temp homes.
import {spawnSync} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const BIN = join(ROOT, 'bin', 'run.js')

export function tempHome(prefix = 'atpctl-bench-') {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Runs a command `runs` times (after one warm-up) and returns the median wall time in ms. */
export function timeCommand(cmd, args, {runs = 10, env = {}, input} = {}) {
  const times = []
  for (let i = 0; i <= runs; i++) {
    const start = process.hrtime.bigint()
    const result = spawnSync(cmd, args, {env: {...process.env, ...env}, input, stdio: ['pipe', 'ignore', 'pipe']})
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
    if (i > 0) times.push(ms)
  }

  return median(times)
}

/**
 * Times two commands in alternation (a warm-up of each, then `runs` pairs) and returns the
 * median of each: a machine that speeds up or slows down during the measurement affects both
 * sides alike, instead of whichever block ran in the slow stretch.
 */
export function timePair(a, b, {runs = 9} = {}) {
  const once = ({cmd, args, env = {}, input}) => {
    const start = process.hrtime.bigint()
    const result = spawnSync(cmd, args, {env: {...process.env, ...env}, input, stdio: ['pipe', 'ignore', 'pipe']})
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
    return ms
  }

  once(a)
  once(b)
  const times = {a: [], b: []}
  for (let i = 0; i < runs; i++) {
    times.a.push(once(a))
    times.b.push(once(b))
  }

  return {a: median(times.a), b: median(times.b)}
}

/** The CLI under test with an isolated home. */
export function atpctl(home, args, options = {}) {
  return timeCommand(process.execPath, [BIN, ...args], {...options, env: {ATPCTL_HOME: home, NO_COLOR: '1', CI: '1', ...options.env}})
}

export function run(home, args) {
  const result = spawnSync(process.execPath, [BIN, ...args], {env: {...process.env, ATPCTL_HOME: home, NO_COLOR: '1', CI: '1'}, encoding: 'utf8'})
  if (result.status !== 0) throw new Error(`atpctl ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
  return result.stdout
}
