import {join} from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import {openLocalBackend} from '../../../src/backends/local/index.js'
import type {Backend} from '../../../src/core/port/types.js'
import {normaliseRow} from '../../../src/core/device/inventory.js'
import {tempHome} from '../../helpers/cli.js'

/** Issue 15 item 9: writers wait their turn, a wait that runs out is exit 6, an import parses without the write lock. */
describe('embedded backend: concurrent writers', () => {
  let home: string
  let cleanup: () => void
  let backend: Backend
  let other: BetterSqlite3.Database
  const dbPath = () => join(home, 'tenant.db')
  const saved = process.env.ATPCTL_BUSY_TIMEOUT

  beforeEach(async () => {
    ;({home, cleanup} = tempHome('atpctl-busy-'))
    process.env.ATPCTL_BUSY_TIMEOUT = '0.3s'
    backend = await openLocalBackend(dbPath(), {profile: 'test', actor: 'test:jest'})
    await backend.tenant.create({location: 'us', datacenter: 'EastUs3'})
    // Another process's connection, answering at once when the database is locked.
    other = new BetterSqlite3(dbPath(), {timeout: 0})
  })

  afterEach(async () => {
    if (other.inTransaction) other.prepare('ROLLBACK').run()
    other.close()
    await backend.close()
    cleanup()
    if (saved === undefined) delete process.env.ATPCTL_BUSY_TIMEOUT
    else process.env.ATPCTL_BUSY_TIMEOUT = saved
  })

  it('a write still locked out after ATPCTL_BUSY_TIMEOUT is exit 6 (DATABASE_BUSY) and changes nothing', async () => {
    // Given another writer holding the write lock
    other.prepare('BEGIN IMMEDIATE').run()
    // When a collection is created, it waits 0.3 s and gives up with the busy error
    await expect(backend.collections.create({name: 'Pilot'})).rejects.toMatchObject({
      code: 'DATABASE_BUSY',
      exitCode: 6,
      message: expect.stringContaining('another atpctl is writing'),
    })
    other.prepare('ROLLBACK').run()
    // Then nothing was written, not even an audit record of the attempt
    expect((await backend.collections.list()).items).toEqual([])
    expect((await backend.audit.list()).items.map((r) => r.operation)).toEqual(['tenant.create'])
  })

  it('a single-statement write (a token used) still locked out is exit 6 too', async () => {
    await backend.integrations.setThirdParty('sentinelone', true)
    const token = await backend.tokens.mint({provider: 'sentinelone', ttlMs: 3_600_000})
    other.prepare('BEGIN IMMEDIATE').run()
    await expect(backend.tokens.verify(token.secret)).rejects.toMatchObject({code: 'DATABASE_BUSY', exitCode: 6})
  })

  it('an import reads and checks its records without holding the write lock, then writes them in one transaction', async () => {
    const rec = (name: string) => normaliseRow({name, os: 'Ubuntu 22.04', collections: 'Wave 1'}, 2)
    const seen: string[] = []
    function* records() {
      yield rec('lnx-1')
      // While the import is still reading, another process can take the write lock at once...
      other.prepare('BEGIN IMMEDIATE').run()
      other.prepare("INSERT INTO collection (name, limit_to, rules, created_at) VALUES ('Other', NULL, '[]', 'now')").run()
      other.prepare('COMMIT').run()
      // ...and sees none of the import yet.
      seen.push(...(other.prepare('SELECT name FROM device').pluck().all() as string[]))
      yield rec('lnx-2')
    }

    const summary = await backend.devices.import({records: records()})
    expect(summary).toMatchObject({total: 2, created: 2, collectionsCreated: ['Wave 1']})
    expect(seen).toEqual([])
    expect((await backend.devices.list()).items.map((d) => d.name)).toEqual(['lnx-1', 'lnx-2'])
    expect((await backend.collections.list()).items.map((c) => c.name).sort()).toEqual(['Other', 'Wave 1'])
  })

  it('a small import into a large inventory re-evaluates its own devices, rules and limits included, and leaves the others', async () => {
    const rec = (name: string, os: string, collections = 'Fleet') => normaliseRow({name, os, collections}, 2)
    await backend.devices.import({records: Array.from({length: 150}, (_, i) => rec(`lnx-${i}`, 'Ubuntu 22.04'))})
    await backend.collections.create({name: 'Windows', rules: ['family=windows']})
    await backend.collections.create({name: 'Fleet Windows', limitTo: 'Fleet', rules: ['family=windows']})
    // One device becomes Windows and leaves Fleet; another is new
    await backend.devices.import({records: [rec('lnx-7', 'Windows 11 Pro', ''), rec('new-1', 'Windows 11 Pro')]})
    const members = async (name: string) => (await backend.collections.get(name, {memberLimit: 10_000})).memberList.map((m) => m.name).sort()
    expect(await members('Windows')).toEqual(['lnx-7', 'new-1'])
    expect(await members('Fleet Windows')).toEqual(['new-1'])
    expect(await members('Fleet')).toHaveLength(150)
    expect(await members('Fleet')).not.toContain('lnx-7')
  })

  it('a name repeated inside a batch of staged rows or in the last rows is named, and nothing is imported', async () => {
    const rec = (name: string) => normaliseRow({name, os: 'Ubuntu 22.04'}, 2)
    for (const at of [10, 63, 64, 150]) {
      const records = Array.from({length: 160}, (_, i) => rec(i === at ? 'LNX-3' : `lnx-${i}`))
      await expect(backend.devices.import({records})).rejects.toMatchObject({code: 'INVALID_INPUT', exitCode: 7, message: expect.stringContaining("'LNX-3'")})
    }

    expect((await backend.devices.list()).items).toEqual([])
  })

  it('an import whose write transaction is locked out is exit 6 and imports nothing; run again, it imports', async () => {
    const rec = (name: string) => normaliseRow({name, os: 'Ubuntu 22.04'}, 2)
    function* records() {
      yield rec('lnx-1')
      other.prepare('BEGIN IMMEDIATE').run()
      yield rec('lnx-2')
    }

    await expect(backend.devices.import({records: records()})).rejects.toMatchObject({code: 'DATABASE_BUSY', exitCode: 6})
    other.prepare('ROLLBACK').run()
    expect((await backend.devices.list()).items).toEqual([])
    expect(await backend.devices.import({records: [rec('lnx-1'), rec('lnx-2')]})).toMatchObject({created: 2})
  })
})
