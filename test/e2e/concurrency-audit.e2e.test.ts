import {type ChildProcessWithoutNullStreams, spawn} from 'node:child_process'
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import {databasePath, profileDir} from '../../src/lib/paths.js'
import {type CliResult, PROJECT_ROOT, runCli, tempHome} from '../helpers/cli.js'

/** Another process holding the tenant database's write lock until told to let go. */
async function holdWriteLock(db: string): Promise<{release(): Promise<void>}> {
  const script = `const D = require(${JSON.stringify(join(PROJECT_ROOT, 'node_modules', 'better-sqlite3'))});
    const db = new D(${JSON.stringify(db)}); db.prepare('BEGIN IMMEDIATE').run(); process.stdout.write('locked\\n');
    process.stdin.on('data', () => { db.prepare('ROLLBACK').run(); db.close(); process.exit(0) })`
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['-e', script])
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('locked') && resolve())
    child.on('exit', (code) => reject(new Error(`the lock holder exited ${code}`)))
  })
  return {
    release: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit')
        child.on('exit', () => resolve())
        child.stdin.write('go\n')
      }),
  }
}

describe('parallel writers and the anchored audit chain (e2e, issue 15 items 9 and 10)', () => {
  const {home, cleanup} = tempHome('atpctl-e2e-concurrency-')
  const cli = (args: string[], env?: Record<string, string>): Promise<CliResult> => runCli(args, {home, env})
  const db = () => databasePath(home, 'default')
  const sql = <T>(query: string): T => {
    const d = new BetterSqlite3(db())
    try {
      return d.prepare(query).pluck().all() as T
    } finally {
      d.close()
    }
  }

  /** What someone with write access to the profile does with the sqlite3 tool. */
  const tamper = (statement: string): void => {
    const d = new BetterSqlite3(db())
    try {
      d.exec(statement)
    } finally {
      d.close()
    }
  }

  beforeAll(async () => {
    expect((await cli(['init', '--location', 'us'])).code).toBe(0)
    expect((await cli(['integration', 'enable', 'third-party', '--provider', 'sentinelone'])).code).toBe(0)
  })
  afterAll(() => cleanup())

  it('36 writers at once (token mint, collection create, device import) all exit 0 and all their writes are there', async () => {
    const N = 12
    for (let i = 0; i < N; i++) writeFileSync(join(home, `inv-${i}.csv`), `name,os,version\npar-${i},Windows 10 Enterprise,10.0.19045\n`)
    const before = (await cli(['audit', 'verify', '--json'])).json().records
    const runs = await Promise.all(
      Array.from({length: N}, (_, i) => [
        cli(['token', 'mint', '--provider', 'sentinelone', '--json']),
        cli(['collection', 'create', `par-${i}`, '--json']),
        cli(['device', 'import', `inv-${i}.csv`, '--json']),
      ]).flat(),
    )
    expect(runs.filter((r) => r.code !== 0).map((r) => r.stdout + r.stderr)).toEqual([])
    expect(sql<string[]>('SELECT name FROM device ORDER BY name')).toEqual(Array.from({length: N}, (_, i) => `par-${i}`).sort())
    expect(sql<string[]>("SELECT name FROM collection WHERE name LIKE 'par-%'")).toHaveLength(N)
    expect(sql<string[]>('SELECT id FROM token')).toHaveLength(N)
    // One audit record per change, the chain and its checkpoint intact
    const verified = await cli(['audit', 'verify', '--json'])
    expect(verified.code).toBe(0)
    expect(verified.json()).toMatchObject({ok: true, records: before + 3 * N, checkpoint: {lag: 0}})
  })

  it('a writer still locked out after ATPCTL_BUSY_TIMEOUT exits 6 with what to do, and changes nothing', async () => {
    const lock = await holdWriteLock(db())
    let blocked: CliResult
    try {
      blocked = await cli(['collection', 'create', 'never'], {ATPCTL_BUSY_TIMEOUT: '1s'})
    } finally {
      await lock.release()
    }

    expect(blocked.code).toBe(6)
    expect(blocked.stderr).toMatch(/^Error: The tenant database is busy: another atpctl is writing to it/)
    expect(blocked.stderr).toContain('Try this: Or wait longer: set ATPCTL_BUSY_TIMEOUT')
    expect(blocked.stderr).not.toMatch(/\n\s+at /)
    expect(sql<string[]>("SELECT name FROM collection WHERE name = 'never'")).toEqual([])
    expect((await cli(['collection', 'create', 'x'], {ATPCTL_BUSY_TIMEOUT: 'soon'})).code).toBe(2)
  })

  it('a killed import leaves nothing or everything, never a part, and the chain verifies', async () => {
    const rows = ['name,os,version', ...Array.from({length: 200_000}, (_, i) => `kill-${i},Windows 10 Enterprise,10.0.19045`)]
    writeFileSync(join(home, 'big.csv'), rows.join('\n') + '\n')
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'run.js'), 'device', 'import', 'big.csv'], {
      cwd: home,
      env: {PATH: process.env.PATH, HOME: home, ATPCTL_HOME: home, CI: '1', NO_COLOR: '1'},
    })
    const closed = new Promise((resolve) => child.on('close', resolve))
    // Killed while it is reading or writing, or after it finished: the outcome may differ, the rule may not
    await new Promise((resolve) => setTimeout(resolve, 1500))
    child.kill('SIGKILL')
    await closed
    const imported = sql<number[]>("SELECT COUNT(*) FROM device WHERE name LIKE 'kill-%'")[0]
    expect([0, 200_000]).toContain(imported)
    expect((await cli(['audit', 'verify'])).code).toBe(0)
  })

  it('audit verify --json shows the head; --head checks it later; the key is 0600 and never printed', async () => {
    const first = await cli(['audit', 'verify', '--json'])
    expect(first.code).toBe(0)
    const {head} = first.json()
    expect(head).toMatchObject({records: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/)})
    const listed = await cli(['audit', 'list', '--limit', '1', '--json'])
    expect(listed.json().head).toEqual(head)
    expect((await cli(['collection', 'create', 'after-head'])).code).toBe(0)
    const human = await cli(['audit', 'verify', '--head', head.hash])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain(`The head you gave is record ${head.records}`)
    const keyFile = join(profileDir(home, 'default'), 'audit.key')
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    const key = readFileSync(keyFile, 'utf8').trim()
    for (const out of [first, listed, human]) expect(out.stdout + out.stderr).not.toContain(key)
  })

  it('deleting the newest records exits 7 naming them; a dropped table exits 7, not 1', async () => {
    const last = sql<number[]>('SELECT MAX(seq) FROM audit_log')[0]
    tamper(`DELETE FROM audit_log WHERE seq >= ${last - 1}`)
    const verify = await cli(['audit', 'verify'])
    expect(verify.code).toBe(7)
    expect(verify.stderr).toContain(`Error: The audit log is broken at record ${last - 1}: the newest records ${last - 1} to ${last} were deleted`)
    tamper('DROP TABLE audit_log')
    const dropped = await cli(['audit', 'verify', '--json'])
    expect(dropped.code).toBe(7)
    expect(dropped.json().error).toMatchObject({code: 'AUDIT_UNREADABLE', exitCode: 7})
    expect((await cli(['audit', 'list'])).code).toBe(7)
  })
})
