import {type AuditRecord, GENESIS_HASH, hashAuditRecord, verifyAuditChain} from '../../../src/core/audit/chain.js'

function chain(n: number): AuditRecord[] {
  const records: AuditRecord[] = []
  let prevHash = GENESIS_HASH
  for (let seq = 1; seq <= n; seq++) {
    const base = {seq, time: `2026-01-0${seq}T00:00:00.000Z`, actor: 'p:u', operation: 'token.mint', target: `t${seq}`, outcome: 'ok', prevHash}
    const record = {...base, hash: hashAuditRecord(base)}
    records.push(record)
    prevHash = record.hash
  }

  return records
}

describe('audit hash chain', () => {
  it('accepts an intact chain', () => {
    expect(verifyAuditChain(chain(5))).toEqual({ok: true, records: 5, brokenAt: null, reason: null})
  })

  it('detects an edited field', () => {
    // Given a chain whose third record had its outcome changed afterwards
    const records = chain(5)
    records[2] = {...records[2], outcome: 'refused:X'}
    // Then verification names that record
    expect(verifyAuditChain(records)).toMatchObject({ok: false, brokenAt: 3})
  })

  it('detects a deleted record in the middle and at the start', () => {
    const records = chain(5)
    expect(verifyAuditChain([...records.slice(0, 2), ...records.slice(3)])).toMatchObject({ok: false, brokenAt: 3})
    expect(verifyAuditChain(records.slice(1))).toMatchObject({ok: false, brokenAt: 1})
  })

  it('detects a record rehashed without relinking the next one', () => {
    const records = chain(4)
    const edited = {...records[1], target: 'other'}
    records[1] = {...edited, hash: hashAuditRecord(edited)}
    expect(verifyAuditChain(records)).toMatchObject({ok: false, brokenAt: 3})
  })
})
