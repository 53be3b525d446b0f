import {randomBytes} from 'node:crypto'
import {
  ANCHOR_OPERATION,
  type AuditCheckpoint,
  type AuditRecord,
  GENESIS_HASH,
  hashAuditRecord,
  macAuditRecord,
  sealAuditHead,
  verifyAuditChain,
} from '../../../src/core/audit/chain.js'

const KEY = randomBytes(32)

/** A keyed chain of n records (the first `unkeyed` of them linked without the key, as an older log). */
function chain(n: number, options: {key?: Buffer; unkeyed?: number} = {}): AuditRecord[] {
  const key = options.key ?? KEY
  const records: AuditRecord[] = []
  let prevHash = GENESIS_HASH
  for (let seq = 1; seq <= n; seq++) {
    const old = seq <= (options.unkeyed ?? 0)
    const operation = options.unkeyed && seq === options.unkeyed + 1 ? ANCHOR_OPERATION : 'token.mint'
    const base = {seq, time: `2026-01-0${seq}T00:00:00.000Z`, actor: 'p:u', operation, target: `t${seq}`, outcome: 'ok', prevHash}
    const record = {...base, hash: old ? hashAuditRecord(base) : macAuditRecord(key, base)}
    records.push(record)
    prevHash = record.hash
  }

  return records
}

const headOf = (records: AuditRecord[], upTo = records.length, key = KEY): AuditCheckpoint =>
  sealAuditHead(key, {records: upTo, hash: upTo === 0 ? GENESIS_HASH : records[upTo - 1].hash})

/** Recomputes every hash from `from` on with `hash`, the way someone re-chaining an edit would. */
function rechain(records: AuditRecord[], hash: (r: Omit<AuditRecord, 'hash'>) => string): AuditRecord[] {
  let prevHash = GENESIS_HASH
  return records.map((r) => {
    const base = {...r, prevHash}
    const record = {...base, hash: hash(base)}
    prevHash = record.hash
    return record
  })
}

describe('audit chain: keyed records and a head checkpoint (issue 15 item 10)', () => {
  it('accepts an intact chain and reports its head', () => {
    const records = chain(5)
    expect(verifyAuditChain(records, {key: KEY, checkpoint: headOf(records)})).toEqual({
      ok: true,
      records: 5,
      brokenAt: null,
      reason: null,
      head: {records: 5, hash: records[4].hash},
      anchoredAt: null,
      checkpoint: {records: 5, lag: 0},
      givenHead: null,
    })
  })

  it('detects an edited field', () => {
    const records = chain(5)
    const checkpoint = headOf(records)
    records[2] = {...records[2], outcome: 'refused:X'}
    expect(verifyAuditChain(records, {key: KEY, checkpoint})).toMatchObject({ok: false, brokenAt: 3})
  })

  it('detects a deleted record in the middle and at the start', () => {
    const records = chain(5)
    const checkpoint = headOf(records)
    expect(verifyAuditChain([...records.slice(0, 2), ...records.slice(3)], {key: KEY, checkpoint})).toMatchObject({ok: false, brokenAt: 3})
    expect(verifyAuditChain(records.slice(1), {key: KEY, checkpoint})).toMatchObject({ok: false, brokenAt: 1, reason: 'record 1 is missing'})
  })

  it('detects an edit re-chained without the key, with SHA-256 or another key', () => {
    // Given a record edited and every hash after it recomputed
    const records = chain(4)
    const checkpoint = headOf(records)
    records[1] = {...records[1], target: 'other'}
    // Then the first recomputed record is not the key's
    expect(verifyAuditChain(rechain(records, hashAuditRecord), {key: KEY, checkpoint})).toMatchObject({ok: false, brokenAt: 1})
    const otherKey = randomBytes(32)
    expect(verifyAuditChain(rechain(records, (r) => macAuditRecord(otherKey, r)), {key: KEY, checkpoint})).toMatchObject({ok: false, brokenAt: 1})
  })

  it('detects the newest records deleted, down to none, against the checkpoint', () => {
    const records = chain(5)
    const checkpoint = headOf(records)
    expect(verifyAuditChain(records.slice(0, 4), {key: KEY, checkpoint})).toMatchObject({ok: false, brokenAt: 5, reason: 'the newest record 5 was deleted (the head checkpoint saw 5)'})
    expect(verifyAuditChain(records.slice(0, 2), {key: KEY, checkpoint})).toMatchObject({ok: false, brokenAt: 3, reason: 'the newest records 3 to 5 were deleted (the head checkpoint saw 5)'})
    expect(verifyAuditChain([], {key: KEY, checkpoint})).toMatchObject({ok: false, brokenAt: 1})
  })

  it('tolerates exactly what a crash leaves: the checkpoint one record behind, never more, never ahead', () => {
    const records = chain(5)
    // The process died between the commit of record 5 and its checkpoint
    expect(verifyAuditChain(records, {key: KEY, checkpoint: headOf(records, 4)})).toMatchObject({ok: true, checkpoint: {records: 4, lag: 1}})
    // A first change committed, then the crash before any checkpoint
    expect(verifyAuditChain(records.slice(0, 1), {key: KEY, checkpoint: null})).toMatchObject({ok: true, checkpoint: {records: 0, lag: 1}})
    expect(verifyAuditChain([], {key: KEY, checkpoint: null})).toMatchObject({ok: true, records: 0})
    // Two changes behind is not a crash; nor is a missing checkpoint under a longer log
    expect(verifyAuditChain(records, {key: KEY, checkpoint: headOf(records, 3)})).toMatchObject({ok: false, brokenAt: 4})
    expect(verifyAuditChain(records, {key: KEY, checkpoint: null})).toMatchObject({ok: false, brokenAt: 1})
  })

  it('refuses a checkpoint not sealed with the key, or one of another chain', () => {
    const records = chain(5)
    // Someone truncated the log and wrote a checkpoint from the table's own hashes, without the key
    const forged = {...headOf(records, 3), tag: headOf(records, 3, randomBytes(32)).tag}
    expect(verifyAuditChain(records.slice(0, 3), {key: KEY, checkpoint: forged})).toMatchObject({ok: false, reason: expect.stringContaining('audit key')})
    const other = chain(5, {key: randomBytes(32)})
    expect(verifyAuditChain(records, {key: KEY, checkpoint: sealAuditHead(KEY, {records: 5, hash: other[4].hash})})).toMatchObject({
      ok: false,
      brokenAt: 5,
      reason: expect.stringContaining('rewritten'),
    })
  })

  it('checks a head kept elsewhere: a chain rewritten with the key no longer contains it', () => {
    const records = chain(5)
    const kept = records[2].hash
    expect(verifyAuditChain(records, {key: KEY, checkpoint: headOf(records), givenHead: kept})).toMatchObject({ok: true, givenHead: {hash: kept, record: 3}})
    // Someone with the key rewrote record 2 and everything after it, and the checkpoint
    const rewritten = rechain(
      records.map((r) => (r.seq === 2 ? {...r, target: 'other'} : r)),
      (r) => macAuditRecord(KEY, r),
    )
    expect(verifyAuditChain(rewritten, {key: KEY, checkpoint: headOf(rewritten)})).toMatchObject({ok: true})
    expect(verifyAuditChain(rewritten, {key: KEY, checkpoint: headOf(rewritten), givenHead: kept})).toMatchObject({ok: false, reason: expect.stringContaining(kept)})
  })

  it('an older unkeyed log is checked up to its anchor, and keyed from it on', () => {
    // Given 3 records from before the keyed chain, anchored by record 4
    const records = chain(6, {unkeyed: 3})
    expect(verifyAuditChain(records, {key: KEY, checkpoint: headOf(records)})).toMatchObject({ok: true, anchoredAt: 4})
    // An older record edited and the unkeyed links recomputed up to the anchor: the anchor's MAC covers them
    const edited = rechain(
      records.slice(0, 3).map((r) => (r.seq === 2 ? {...r, target: 'other'} : r)),
      hashAuditRecord,
    )
    expect(verifyAuditChain([...edited, ...records.slice(3)], {key: KEY, checkpoint: headOf(records)})).toMatchObject({ok: false, brokenAt: 4})
    // The anchor removed: the records after it are keyed, not unkeyed
    expect(verifyAuditChain(rechain(records.slice(0, 3), hashAuditRecord), {key: KEY, checkpoint: null})).toMatchObject({ok: false, brokenAt: 1})
  })
})
