/**
 * A tenant database written by a newer atpctl (a higher schema version than this one knows) is
 * refused with exit 15 and nothing changed: this atpctl would otherwise read or write tables it
 * does not understand. The fast path (no write lock) must not let it through.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {openDatabase} from '../../../src/backends/local/database.js'
import {MIGRATIONS} from '../../../src/backends/local/migrations/index.js'
import {LATEST_SCHEMA_VERSION} from '../../../src/backends/local/migrations/latest.js'

describe('schema version', () => {
  it('knows the last migration as the latest version (the fast path of every open checks only that)', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1))
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS[MIGRATIONS.length - 1].version)
  })

  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'atpctl-schema-'))
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('opens a current database, and refuses one from a newer atpctl with exit 15 without changing it', async () => {
    const path = join(dir, 'tenant.db')
    const latest = MIGRATIONS[MIGRATIONS.length - 1].version
    const db = await openDatabase(path)
    db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(latest + 1, 'from-the-future', new Date().toISOString())
    db.close()
    await expect(openDatabase(path)).rejects.toMatchObject({code: 'SCHEMA_TOO_NEW', exitCode: 15, message: expect.stringContaining(`schema ${latest + 1}, newer than this atpctl understands (${latest})`)})
    const again = await openDatabase(path).catch(() => null)
    expect(again).toBeNull()
  })
})
