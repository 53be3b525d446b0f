import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import {openLocalBackendWithStore} from '../../../src/backends/local/index.js'
import {normaliseRow} from '../../../src/core/device/inventory.js'
import {InvalidInputError, RuleError} from '../../../src/core/errors.js'
import type {Backend} from '../../../src/core/port/types.js'
import type {LocalStore} from '../../../src/backends/local/store.js'
import {tempHome} from '../../helpers/cli.js'

/** Issue 11 item 7: the store's transactions may await; they commit, roll back and queue as one. */
describe('embedded store: transactions that may await', () => {
  let home: string
  let cleanup: () => void
  let backend: Backend
  let store: LocalStore
  const saved = process.env.ATPCTL_BUSY_TIMEOUT
  const names = () => store.column<string>('SELECT name FROM collection ORDER BY name')
  const operations = async () => (await backend.audit.list()).items.map((r) => `${r.operation} ${r.outcome}`)
  const insert = (name: string) => store.run("INSERT INTO collection (name, name_key, limit_to, rules, created_at) VALUES (?, lower(?), NULL, '[]', 'now')", name, name)
  const tick = () => new Promise((resolve) => setImmediate(resolve))

  beforeEach(async () => {
    ;({home, cleanup} = tempHome('atpctl-store-'))
    process.env.ATPCTL_BUSY_TIMEOUT = '0.3s'
    ;({backend, store} = await openLocalBackendWithStore(join(home, 'tenant.db'), {profile: 'test', actor: 'test:jest'}))
    await backend.tenant.create({location: 'us', datacenter: 'EastUs3'})
  })

  afterEach(async () => {
    await backend.close()
    cleanup()
    if (saved === undefined) delete process.env.ATPCTL_BUSY_TIMEOUT
    else process.env.ATPCTL_BUSY_TIMEOUT = saved
  })

  it('commits a change that awaits, with its one audit record, and returns its result', async () => {
    const result = await store.mutate('test.change', 'A', async (tx) => {
      tx.run("INSERT INTO collection (name, name_key, limit_to, rules, created_at) VALUES ('A', 'a', NULL, '[]', 'now')")
      await tick()
      tx.run("INSERT INTO collection (name, name_key, limit_to, rules, created_at) VALUES ('B', 'b', NULL, '[]', 'now')")
      return 'done'
    })
    expect(result).toBe('done')
    expect(await names()).toEqual(['A', 'B'])
    expect(await operations()).toEqual(['tenant.create ok', 'test.change ok'])
    expect((await backend.audit.verify()).ok).toBe(true)
  })

  it('a synchronous change still runs start to commit at once (no await in between)', async () => {
    let committed = false
    const pending = store.mutate('test.sync', 'A', () => {
      insert('A')
    })
    // Committed before the caller awaited anything: another connection already sees it.
    const other = new BetterSqlite3(join(home, 'tenant.db'), {readonly: true})
    committed = other.prepare("SELECT 1 FROM collection WHERE name = 'A'").get() !== undefined
    other.close()
    await pending
    expect(committed).toBe(true)
  })

  it('rolls back everything a change wrote when it throws after an await, and audits the refusal alone', async () => {
    await expect(
      store.mutate('test.refused', 'A', async (tx) => {
        insert('A')
        await tick()
        tx.run("UPDATE collection SET rules = 'x' WHERE name = 'A'")
        throw new RuleError('', 'refused after an await')
      }),
    ).rejects.toMatchObject({code: 'REFUSED', exitCode: 4})
    expect(await names()).toEqual([])
    expect(store.db.inTransaction).toBe(false)
    expect(await operations()).toEqual(['tenant.create ok', 'test.refused refused:REFUSED'])
  })

  it('an async record stream that throws rolls the whole import back (exit 7), nothing staged is left', async () => {
    const rec = (name: string) => normaliseRow({name, os: 'Ubuntu 22.04', collections: 'Wave 1'}, 2)
    await backend.devices.import({records: [rec('keep-1')]})
    async function* failing() {
      for (let i = 0; i < 200; i++) {
        yield rec(`new-${i}`)
        if (i % 50 === 0) await tick()
      }

      throw new InvalidInputError('line 202: the reader found a bad row')
    }

    await expect(backend.devices.import({records: failing()})).rejects.toMatchObject({code: 'INVALID_INPUT', exitCode: 7})
    expect((await backend.devices.list()).items.map((d) => d.name)).toEqual(['keep-1'])
    expect(store.db.inTransaction).toBe(false)
    expect(await store.get("SELECT 1 FROM sqlite_temp_master WHERE name = 'import_stage'")).toBeUndefined()
    expect((await operations()).slice(-1)).toEqual(['device.import refused:INVALID_INPUT'])
  })

  it('an async record stream that completes imports every record in file order', async () => {
    async function* records() {
      for (let i = 0; i < 150; i++) {
        if (i % 64 === 0) await tick()
        yield normaliseRow({name: `lnx-${String(i).padStart(3, '0')}`, os: 'Ubuntu 22.04', collections: 'Fleet'}, i + 2)
      }
    }

    const summary = await backend.devices.import({records: records()})
    expect(summary).toMatchObject({total: 150, created: 150, updated: 0, collectionsCreated: ['Fleet']})
    expect(await store.column<string>('SELECT name FROM device ORDER BY id')).toEqual(Array.from({length: 150}, (_, i) => `lnx-${String(i).padStart(3, '0')}`))
  })

  it('two concurrent mutates of one process never interleave: the second waits for the first to commit', async () => {
    const events: string[] = []
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const first = store.mutate('test.first', 'A', async () => {
      events.push('first: begin')
      insert('A')
      await gate
      events.push('first: end')
    })
    const second = store.mutate('test.second', 'B', async (tx) => {
      // Inside the second, the first's change is committed already.
      events.push(`second: sees ${(await tx.column<string>('SELECT name FROM collection ORDER BY name')).join(',')}`)
      tx.run("INSERT INTO collection (name, name_key, limit_to, rules, created_at) VALUES ('B', 'b', NULL, '[]', 'now')")
    })
    await tick()
    expect(events).toEqual(['first: begin'])
    release()
    await Promise.all([first, second])
    expect(events).toEqual(['first: begin', 'first: end', 'second: sees A'])
    expect(await operations()).toEqual(['tenant.create ok', 'test.first ok', 'test.second ok'])
    expect((await backend.audit.verify()).ok).toBe(true)
  })

  it('a mutate that fails does not block the next one (the connection is handed on)', async () => {
    const failing = store.mutate('test.fails', 'A', async () => {
      await tick()
      throw new RuleError('', 'no')
    })
    const next = store.mutate('test.next', 'B', () => insert('B').changes)
    await expect(failing).rejects.toMatchObject({exitCode: 4})
    await expect(next).resolves.toBe(1)
  })

  it('a mutate inside another operation\'s transaction is a savepoint: its refusal undoes only its own writes', async () => {
    await store.transaction(() => {
      insert('Outer')
      expect(() =>
        store.mutateNow('test.inner', 'Inner', () => {
          insert('Inner')
          throw new RuleError('', 'inner refused')
        }),
      ).toThrow('inner refused')
      store.mutateNow('test.kept', 'Kept', () => insert('Kept'))
    })
    expect(await names()).toEqual(['Kept', 'Outer'])
    expect((await operations()).slice(1)).toEqual(['test.inner refused:REFUSED', 'test.kept ok'])
  })

  it('mutates nested in a transaction bring the audit head checkpoint up once, after its commit, and never to records rolled back', async () => {
    const headFile = join(home, 'audit.head')
    const checkpoint = () => (JSON.parse(readFileSync(headFile, 'utf8')) as {records: number}).records
    const before = checkpoint()
    const seen: number[] = []
    await store.transaction(() => {
      store.mutateNow('test.one', 'One', () => insert('One'))
      seen.push(checkpoint())
      store.mutateNow('test.two', 'Two', () => insert('Two'))
      seen.push(checkpoint())
    })
    // Not moved while the transaction was open (its records were not committed yet) …
    expect(seen).toEqual([before, before])
    // … and at both records once it committed.
    expect(checkpoint()).toBe(before + 2)
    await expect(
      store.transaction(() => {
        store.mutateNow('test.three', 'Three', () => insert('Three'))
        throw new Error('the batch fails')
      }),
    ).rejects.toThrow('the batch fails')
    expect(checkpoint()).toBe(before + 2)
    expect(await names()).toEqual(['One', 'Two'])
    expect((await backend.audit.verify()).ok).toBe(true)
  })

  it('another process holding the write lock past the busy timeout is exit 6 (DATABASE_BUSY), for a change that awaits too', async () => {
    const other = new BetterSqlite3(join(home, 'tenant.db'), {timeout: 0})
    other.prepare('BEGIN IMMEDIATE').run()
    try {
      await expect(
        store.mutate('test.busy', 'A', async () => {
          await tick()
          insert('A')
        }),
      ).rejects.toMatchObject({code: 'DATABASE_BUSY', exitCode: 6})
      await expect(store.transaction(() => insert('B'))).rejects.toMatchObject({code: 'DATABASE_BUSY', exitCode: 6})
    } finally {
      other.prepare('ROLLBACK').run()
      other.close()
    }

    expect(await names()).toEqual([])
    // A busy database is not audited (the record would wait on the same lock).
    expect(await operations()).toEqual(['tenant.create ok'])
    await store.mutate('test.after', 'A', () => insert('A'))
    expect(await names()).toEqual(['A'])
  })

  it('a synchronous write while another operation holds the connection is refused as a bug, not run inside its transaction', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const holder = store.mutate('test.holder', 'A', async () => {
      insert('A')
      await gate
    })
    await tick()
    expect(() => store.mutateNow('test.sneak', 'B', () => insert('B'))).toThrow('another operation holds its connection')
    expect(() => insert('C')).toThrow('another operation holds its connection')
    release()
    await holder
    expect(await names()).toEqual(['A'])
  })
})
