import {existsSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import {openLocalBackend} from '../../../src/backends/local/index.js'
import type {Backend} from '../../../src/core/port/types.js'
import {type AuditRecord, GENESIS_HASH, hashAuditRecord} from '../../../src/core/audit/chain.js'
import {verifyAudit} from '../../../src/core/audit/service.js'
import {tempHome} from '../../helpers/cli.js'

/** Issue 15 item 10: a keyed chain anchored outside the table (audit.key, audit.head beside the database). */
describe('embedded backend: the audit chain against tampering', () => {
  let home: string
  let cleanup: () => void
  let backend: Backend
  const dbPath = () => join(home, 'tenant.db')
  const keyPath = () => join(home, 'audit.key')
  const headPath = () => join(home, 'audit.head')
  const open = () => openLocalBackend(dbPath(), {profile: 'test', actor: 'test:jest'})
  /** What someone with write access to the database file does, with the sqlite3 tool or a script. */
  const tamper = (sql: string, ...params: unknown[]) => {
    const db = new BetterSqlite3(dbPath())
    try {
      db.prepare(sql).run(...params)
    } finally {
      db.close()
    }
  }

  const rows = (): AuditRecord[] => {
    const db = new BetterSqlite3(dbPath(), {readonly: true})
    try {
      return (db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as any[]).map((r) => ({...r, prevHash: r.prev_hash}))
    } finally {
      db.close()
    }
  }

  async function withChanges(n: number): Promise<void> {
    await backend.tenant.create({location: 'us', datacenter: 'EastUs3'})
    for (let i = 1; i < n; i++) await backend.collections.create({name: `c${i}`})
  }

  beforeEach(async () => {
    ;({home, cleanup} = tempHome('atpctl-audit-'))
    backend = await open()
  })

  afterEach(async () => {
    await backend.close()
    cleanup()
  })

  it('creates the key with the first change (0600, 32 random bytes) and a head checkpoint after each commit', async () => {
    expect(existsSync(keyPath())).toBe(false)
    await withChanges(3)
    expect(statSync(keyPath()).mode & 0o777).toBe(0o600)
    expect(readFileSync(keyPath(), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/)
    expect(statSync(headPath()).mode & 0o777).toBe(0o600)
    const records = rows()
    expect(JSON.parse(readFileSync(headPath(), 'utf8'))).toMatchObject({records: 3, hash: records[2].hash})
    // No record is an unkeyed SHA-256 any more
    expect(records.every((r) => hashAuditRecord(r) !== r.hash)).toBe(true)
    const verification = await verifyAudit(backend)
    expect(verification).toMatchObject({ok: true, records: 3, head: {records: 3, hash: records[2].hash}, checkpoint: {records: 3, lag: 0}, anchoredAt: null})
    expect(await backend.audit.head()).toEqual({records: 3, hash: records[2].hash})
    // The key is never part of what the API returns
    const key = readFileSync(keyPath(), 'utf8').trim()
    expect(JSON.stringify([verification, (await backend.audit.list()).items])).not.toContain(key)
  })

  it('deleting the newest record, or all of them, is a broken chain (exit 7)', async () => {
    await withChanges(4)
    tamper('DELETE FROM audit_log WHERE seq = 4')
    await expect(verifyAudit(backend)).rejects.toMatchObject({code: 'AUDIT_CHAIN_BROKEN', exitCode: 7, message: expect.stringContaining('record 4')})
    tamper('DELETE FROM audit_log')
    await expect(verifyAudit(backend)).rejects.toMatchObject({code: 'AUDIT_CHAIN_BROKEN', exitCode: 7, message: expect.stringContaining('records 1 to 4 were deleted')})
  })

  it('a deleted newest record stays detected after later changes (the checkpoint does not follow a rewritten log)', async () => {
    await withChanges(4)
    tamper('DELETE FROM audit_log WHERE seq = 4')
    await backend.collections.create({name: 'after'})
    await backend.collections.create({name: 'after-2'})
    await expect(verifyAudit(backend)).rejects.toMatchObject({code: 'AUDIT_CHAIN_BROKEN', exitCode: 7})
  })

  it('an edit with the chain recomputed (unkeyed SHA-256, as before) is a broken chain (exit 7)', async () => {
    await withChanges(3)
    // Edit record 2 and recompute its hash and the links after it, as the old chain allowed
    let prevHash = GENESIS_HASH
    for (const r of rows()) {
      const edited = {...r, prevHash, target: r.seq === 2 ? 'someone-else' : r.target}
      const hash = hashAuditRecord(edited)
      tamper('UPDATE audit_log SET target = ?, prev_hash = ?, hash = ? WHERE seq = ?', edited.target, prevHash, hash, r.seq)
      prevHash = hash
    }

    await expect(verifyAudit(backend)).rejects.toMatchObject({code: 'AUDIT_CHAIN_BROKEN', exitCode: 7, message: expect.stringContaining('record 1')})
  })

  it('a checkpoint one change behind (a crash after the commit) verifies; two behind, or deleted, does not', async () => {
    await withChanges(2)
    const behind = readFileSync(headPath())
    await backend.collections.create({name: 'c2'})
    writeFileSync(headPath(), behind)
    expect(await verifyAudit(backend)).toMatchObject({ok: true, records: 3, checkpoint: {records: 2, lag: 1}})
    await backend.collections.create({name: 'c3'})
    // The next change brought the checkpoint up to date first
    expect(await verifyAudit(backend)).toMatchObject({ok: true, records: 4, checkpoint: {records: 4, lag: 0}})
    const twoBehind = readFileSync(headPath())
    await backend.collections.create({name: 'c4'})
    await backend.collections.create({name: 'c5'})
    writeFileSync(headPath(), twoBehind)
    await expect(verifyAudit(backend)).rejects.toMatchObject({code: 'AUDIT_CHAIN_BROKEN', exitCode: 7})
    rmSync(headPath())
    await expect(verifyAudit(backend)).rejects.toMatchObject({code: 'AUDIT_CHAIN_BROKEN', exitCode: 7})
  })

  it('a dropped or damaged audit table is exit 7 for verify, list and every change, not an unexpected error', async () => {
    await withChanges(2)
    tamper('DROP TABLE audit_log')
    for (const attempt of [() => verifyAudit(backend), () => backend.audit.list(), () => backend.audit.head(), () => backend.collections.create({name: 'x'})]) {
      await expect(attempt()).rejects.toMatchObject({code: 'AUDIT_UNREADABLE', exitCode: 7, message: expect.stringContaining('audit log')})
    }

    // The change refused for it left nothing behind
    expect((await backend.collections.list()).items.map((c) => c.name)).toEqual(['c1'])
  })

  it('a keyed log whose key was removed cannot be checked or extended (exit 7)', async () => {
    await withChanges(2)
    await backend.close()
    rmSync(keyPath())
    backend = await open()
    await expect(verifyAudit(backend)).rejects.toMatchObject({code: 'AUDIT_KEY_MISSING', exitCode: 7})
    await expect(backend.collections.create({name: 'x'})).rejects.toMatchObject({code: 'AUDIT_KEY_MISSING', exitCode: 7})
    expect(existsSync(keyPath())).toBe(false)
  })

  it('--head: a head kept elsewhere must still be in the log; a log rewritten with the key and checkpoint fails it', async () => {
    await withChanges(3)
    const kept = (await verifyAudit(backend)).head.hash
    await backend.collections.create({name: 'later'})
    expect(await verifyAudit(backend, {head: kept})).toMatchObject({ok: true, givenHead: {record: 3}})
    expect(await verifyAudit(backend, {head: kept.toUpperCase()})).toMatchObject({ok: true})
    await expect(verifyAudit(backend, {head: 'abc'})).rejects.toMatchObject({code: 'USAGE', exitCode: 2})
    // Someone with the key deletes the newest two records and writes a matching checkpoint
    tamper('DELETE FROM audit_log WHERE seq >= 3')
    const {sealAuditHead} = await import('../../../src/core/audit/chain.js')
    const key = Buffer.from(readFileSync(keyPath(), 'utf8').trim(), 'hex')
    writeFileSync(headPath(), JSON.stringify(sealAuditHead(key, {records: 2, hash: rows()[1].hash})))
    expect(await verifyAudit(backend)).toMatchObject({ok: true, records: 2})
    await expect(verifyAudit(backend, {head: kept})).rejects.toMatchObject({code: 'AUDIT_CHAIN_BROKEN', exitCode: 7, message: expect.stringContaining(kept)})
  })

  it('an older profile (unkeyed chain, no key) is anchored once under a new key and says so', async () => {
    // Given a log written by an older atpctl: unkeyed SHA-256 links, no key, no checkpoint
    await withChanges(3)
    await backend.close()
    let prevHash = GENESIS_HASH
    for (const r of rows()) {
      const hash = hashAuditRecord({...r, prevHash})
      tamper('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?', prevHash, hash, r.seq)
      prevHash = hash
    }

    rmSync(keyPath())
    rmSync(headPath())
    backend = await open()
    // When it is first verified, it is anchored: a new key, an audit.anchor record, a checkpoint
    const verification = await verifyAudit(backend)
    expect(verification).toMatchObject({ok: true, records: 4, anchoredAt: 4, checkpoint: {records: 4, lag: 0}})
    const anchor = rows()[3]
    expect(anchor).toMatchObject({operation: 'audit.anchor', actor: 'atpctl', target: expect.stringContaining('records 1-3')})
    expect(statSync(keyPath()).mode & 0o777).toBe(0o600)
    // Then changes go on in the keyed chain, only once anchored
    await backend.collections.create({name: 'new'})
    expect(await verifyAudit(backend)).toMatchObject({ok: true, records: 5, anchoredAt: 4})
    expect(rows().filter((r) => r.operation === 'audit.anchor')).toHaveLength(1)
    // And an older record edited with its unkeyed links recomputed no longer verifies
    const older = rows().slice(0, 3)
    prevHash = GENESIS_HASH
    for (const r of older) {
      const edited = {...r, prevHash, outcome: r.seq === 2 ? 'refused:X' : r.outcome}
      const hash = hashAuditRecord(edited)
      tamper('UPDATE audit_log SET outcome = ?, prev_hash = ?, hash = ? WHERE seq = ?', edited.outcome, prevHash, hash, r.seq)
      prevHash = hash
    }

    await expect(verifyAudit(backend)).rejects.toMatchObject({code: 'AUDIT_CHAIN_BROKEN', exitCode: 7, message: expect.stringContaining('record 4')})
  })
})
