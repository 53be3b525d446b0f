import {spawnSync} from 'node:child_process'
import {existsSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {eicarBytes} from '../../src/core/detect/eicar.js'
import {runCli, tempHome} from '../helpers/cli.js'
import {alertFileNames, holdWriteLock, postJson, type ServeProcess, startServe} from '../helpers/serve.js'
import {requireTool} from '../helpers/tools.js'

const withSqlite3 = requireTool('sqlite3')

// Issue 15, item 1: the server opened its spool file outside SQLite, which dropped the
// process's POSIX locks on it; a read by the sqlite3 tool then checkpointed and deleted the live
// WAL, and events acknowledged after that sat in an unlinked file that a crash lost.
describe('atpctl serve: a reader of the spool file does not cost acknowledged events', () => {
  const {home, cleanup} = tempHome('atpctl-e2e-spool-')
  afterAll(cleanup)

  withSqlite3.it('every acknowledged event survives a sqlite3 read of the spool, SIGKILL and a restart', async () => {
    const run = (args: string[]) => runCli(args, {home})
    expect((await run(['init', '--location', 'us'])).code).toBe(0)
    expect((await run(['integration', 'enable', 'third-party', '--provider', 'sentinelone'])).code).toBe(0)
    const token = (await run(['token', 'mint', '--provider', 'sentinelone', '--json'])).json().token.secret
    const profileDir = join(home, 'profiles', 'default')
    const content = eicarBytes().toString('base64')
    const acknowledged: string[] = []
    const send = async (serve: ServeProcess, prefix: string, count: number) => {
      for (let i = 0; i < count; i++) {
        const name = `${prefix}-${i}.com`
        const status = await postJson(serve.url, token, '/v1/sensor/files', {device: 'spool-01', fileName: name, path: `/w/${name}`, contentBase64: content})
        expect(status).toBe(202)
        acknowledged.push(name)
      }
    }

    let serve = await startServe(home)
    let lock: {release(): Promise<void>} | undefined
    try {
      expect(await postJson(serve.url, token, '/v1/sensor/register', {name: 'spool-01', os: 'Linux'})).toBe(200)
      lock = await holdWriteLock(join(profileDir, 'tenant.db'))
      await send(serve, 'before-read', 20)
      // Someone looks into the spool (a backup, an operator): read-only, and gone again.
      const read = spawnSync('sqlite3', [join(profileDir, 'sensor-spool.db'), 'SELECT COUNT(*) FROM event'], {encoding: 'utf8'})
      expect(read.status).toBe(0)
      expect(Number(read.stdout.trim())).toBe(20)
      await send(serve, 'after-read', 20)
      serve.child.kill('SIGKILL')
      await serve.exited
    } finally {
      await lock?.release()
      if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGKILL')
    }

    // The restarted server drains what the killed one acknowledged.
    serve = await startServe(home)
    try {
      const deadline = Date.now() + 30_000
      while (alertFileNames(home, 'spool-01').length < acknowledged.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
      expect(alertFileNames(home, 'spool-01')).toEqual([...acknowledged].sort())
      // Created by SQLite, still owner-only: the database files and their WAL and shared memory.
      for (const file of ['tenant.db', 'sensor-spool.db', 'sensor-spool.db-wal', 'sensor-spool.db-shm', 'tenant.db-wal']) {
        if (existsSync(join(profileDir, file))) expect([file, statSync(join(profileDir, file)).mode & 0o777]).toEqual([file, 0o600])
      }
    } finally {
      serve.child.kill('SIGTERM')
      expect(await serve.exited).toBe(0)
    }
  }, 120_000)
})

// Issue 15, item 11: SIGTERM ends within the grace period even when the worker cannot write
// the tenant database (another process holds its lock), and every acknowledged event stays in
// the spool for the next start.
describe('atpctl serve: SIGTERM while the database is locked', () => {
  const {home, cleanup} = tempHome('atpctl-e2e-locked-')
  afterAll(cleanup)

  withSqlite3.it('exits 0 within the grace period and the next start turns every acknowledged event into its alert', async () => {
    const run = (args: string[]) => runCli(args, {home})
    expect((await run(['init', '--location', 'us'])).code).toBe(0)
    expect((await run(['integration', 'enable', 'third-party', '--provider', 'sentinelone'])).code).toBe(0)
    const token = (await run(['token', 'mint', '--provider', 'sentinelone', '--json'])).json().token.secret
    const profileDir = join(home, 'profiles', 'default')
    const content = eicarBytes().toString('base64')
    let serve = await startServe(home, ['--shutdown-grace', '2s'])
    const acknowledged: string[] = []
    expect(await postJson(serve.url, token, '/v1/sensor/register', {name: 'locked-01', os: 'Linux'})).toBe(200)
    const lock = await holdWriteLock(join(profileDir, 'tenant.db'))
    let exitedWhileLocked = false
    try {
      for (let i = 0; i < 30; i++) {
        const name = `l-${i}.com`
        expect(await postJson(serve.url, token, '/v1/sensor/files', {device: 'locked-01', fileName: name, path: `/w/${name}`, contentBase64: content})).toBe(202)
        acknowledged.push(name)
      }

      serve.child.kill('SIGTERM')
      const code = await serve.exited
      exitedWhileLocked = true
      expect(code).toBe(0)
    } finally {
      await lock.release()
      if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGKILL')
    }

    expect(exitedWhileLocked).toBe(true)
    const kept = spawnSync('sqlite3', [join(profileDir, 'sensor-spool.db'), "SELECT json_extract(body, '$.fileName') FROM event WHERE kind = 'file' ORDER BY 1"], {encoding: 'utf8'})
    expect(kept.stdout.split('\n').filter((l) => l !== '')).toEqual([...acknowledged].sort())
    expect(alertFileNames(home, 'locked-01')).toEqual([])

    serve = await startServe(home)
    try {
      const deadline = Date.now() + 30_000
      while (alertFileNames(home, 'locked-01').length < acknowledged.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
      expect(alertFileNames(home, 'locked-01')).toEqual([...acknowledged].sort())
    } finally {
      serve.child.kill('SIGTERM')
      expect(await serve.exited).toBe(0)
    }
  }, 120_000)
})
