// Helpers for e2e tests of the built `atpctl serve` process.
import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {PROJECT_ROOT} from './cli.js'

/** A running `atpctl serve` (the built one: database worker thread, event spool). */
export interface ServeProcess {
  child: ChildProcess
  url: string
  stderr(): string
  exited: Promise<number | null>
}

export async function startServe(home: string, args: string[] = []): Promise<ServeProcess> {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'run.js'), 'serve', '--port', '0', '--rate-limit', '0', ...args], {
    env: {PATH: process.env.PATH, HOME: home, ATPCTL_HOME: home, NO_COLOR: '1', CI: '1'},
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  const deadline = Date.now() + 20_000
  while (!/listening on http/.test(stderr) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50))
  const match = /listening on (http:\/\/\S+)/.exec(stderr)
  if (!match) {
    child.kill('SIGKILL')
    throw new Error(`serve did not start:\n${stderr}`)
  }

  return {child, url: match[1], stderr: () => stderr, exited}
}

/**
 * The sqlite3 tool holding the tenant database's write lock, as a long backup or a second writer
 * would: the server keeps accepting (its request thread never touches that database) while its
 * worker cannot turn events into alerts, so they stay in the spool.
 */
export async function holdWriteLock(dbPath: string): Promise<{release(): Promise<void>}> {
  const cli = spawn('sqlite3', [dbPath], {stdio: ['pipe', 'pipe', 'pipe']})
  let out = ''
  cli.stdout.on('data', (d) => (out += d))
  cli.stdin.write("BEGIN IMMEDIATE;\nSELECT 'locked';\n")
  const deadline = Date.now() + 10_000
  while (!out.includes('locked') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  if (!out.includes('locked')) throw new Error('sqlite3 did not take the lock')
  return {
    async release() {
      const closed = new Promise((r) => cli.on('close', r))
      cli.stdin.end('ROLLBACK;\n')
      await closed
    },
  }
}

export async function postJson(url: string, token: string, path: string, body: unknown): Promise<number> {
  try {
    const r = await fetch(url + path, {method: 'POST', headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json'}, body: JSON.stringify(body)})
    await r.arrayBuffer()
    return r.status
  } catch {
    return 0
  }
}

/** The evidence file names of every alert on a device, once per alert. */
export function alertFileNames(home: string, device: string): string[] {
  const db = join(home, 'profiles', 'default', 'tenant.db')
  const r = spawnSync('sqlite3', ['-readonly', db, `SELECT json_extract(evidence, '$[0].fileName') FROM alert WHERE device_name = '${device}' ORDER BY 1`], {encoding: 'utf8'})
  return r.stdout.split('\n').filter((l) => l !== '')
}

