/**
 * Issue 16: name uniqueness and lookup are case-insensitive for every script, alike in the core
 * duplicate check (nameKey) and in SQLite (the name_key columns of migration 7), which NOCASE
 * alone was not (it folds A–Z only).
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import Database from 'better-sqlite3'
import {openLocalBackend} from '../../../src/backends/local/index.js'
import {MIGRATIONS} from '../../../src/backends/local/migrations/index.js'
import type {Backend} from '../../../src/core/port/types.js'
import {normaliseRow, type RawRow} from '../../../src/core/device/inventory.js'
import {tempBackend} from '../../helpers/backend.js'

const rec = (raw: RawRow) => normaliseRow({os: 'Ubuntu 22.04', ...raw}, 1)

describe('names compared case-insensitively beyond ASCII (issue 16)', () => {
  let backend: Backend
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    ;({backend, cleanup} = await tempBackend({withTenant: true}))
  })
  afterEach(async () => cleanup())

  it("a device 'ÄLPHA-01' is the device 'älpha-01': upserted, found, spelled as first imported", async () => {
    expect(await backend.devices.import({records: [rec({name: 'ÄLPHA-01'})]})).toMatchObject({created: 1})
    expect(await backend.devices.import({records: [rec({name: 'älpha-01', os: 'Windows 11 Pro'})]})).toMatchObject({created: 0, updated: 1})
    const devices = (await backend.devices.list()).items
    expect(devices.map((d) => d.name)).toEqual(['ÄLPHA-01'])
    expect(devices[0].osFamily).toBe('windows')
    expect((await backend.devices.get('älpha-01')).name).toBe('ÄLPHA-01')
    // Composed and decomposed forms are one name too.
    expect((await backend.devices.get('A\u0308LPHA-01')).name).toBe('ÄLPHA-01')
  })

  it('refuses both spellings in one import, into an empty and into a filled inventory (exit 7)', async () => {
    const twice = {records: [rec({name: 'ÄLPHA-01'}), rec({name: 'älpha-01'})]}
    await expect(backend.devices.import(twice)).rejects.toMatchObject({exitCode: 7, message: expect.stringContaining('appears more than once')})
    await backend.devices.import({records: [rec({name: 'other'})]})
    await expect(backend.devices.import(twice)).rejects.toMatchObject({exitCode: 7, message: expect.stringContaining('appears more than once')})
    expect((await backend.devices.list()).items.map((d) => d.name)).toEqual(['other'])
  })

  it("collections: 'ÖSTRA' and 'östra' are one collection, for create, lookup and inventory membership", async () => {
    await backend.collections.create({name: 'ÖSTRA', limitTo: null, rules: []})
    // The same create again under another case is that collection, unchanged (issue 11 item 4).
    expect(await backend.collections.create({name: 'östra', limitTo: null, rules: []})).toMatchObject({changed: false, collection: {name: 'ÖSTRA'}})
    await expect(backend.collections.create({name: 'östra', limitTo: null, rules: ['family=linux']})).rejects.toMatchObject({exitCode: 4, code: 'CONFLICT', message: expect.stringMatching(/^Collection 'ÖSTRA' already exists with different content/)})
    const imported = await backend.devices.import({records: [rec({name: 'pc-1', collections: 'östra'})]})
    expect(imported.collectionsCreated).toEqual([])
    expect((await backend.collections.get('östra')).memberList.map((m) => m.name)).toEqual(['pc-1'])
    expect((await backend.devices.get('pc-1')).collections).toEqual(['ÖSTRA'])
    await backend.collections.addMembers('Östra', ['PC-1'])
    expect((await backend.collections.list()).items.map((c) => c.name)).toEqual(['ÖSTRA'])
  })

  it("groups: 'ÉQUIPE' and 'équipe' are one group", async () => {
    expect(await backend.intune.createGroup({name: 'ÉQUIPE'})).toMatchObject({created: true})
    expect(await backend.intune.createGroup({name: 'équipe'})).toMatchObject({created: false, group: {name: 'ÉQUIPE'}})
    await backend.devices.import({records: [rec({name: 'pc-2'})]})
    expect((await backend.intune.addGroupMembers({group: 'équipe', devices: ['pc-2'], users: []})).added).toBe(1)
    expect((await backend.intune.showGroup('équipe')).members.map((m) => m.member)).toEqual(['pc-2'])
  })

  it("a group the inventory names 'ÖKONOMI' and group create 'ökonomi' are one group with the inventory's members", async () => {
    await backend.devices.import({records: [rec({name: 'pc-3', groups: 'ÖKONOMI'})]})
    expect(await backend.intune.createGroup({name: 'ökonomi', description: 'Finance'})).toMatchObject({created: true, group: {name: 'ÖKONOMI', devices: 1}})
    expect((await backend.intune.listGroups()).items.map((g) => g.name)).toEqual(['ÖKONOMI'])
    expect((await backend.intune.showGroup('ökonomi')).members).toEqual([{kind: 'device', member: 'pc-3', source: 'inventory'}])
  })
})

describe('migration 7 (name keys) on an existing database', () => {
  it('keys existing rows, keeps rows that already collide, and the index then refuses new collisions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atpctl-namekeys-'))
    try {
      const path = join(dir, 'tenant.db')
      const old = new Database(path)
      old.exec('CREATE TABLE schema_version (version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL)')
      for (const m of MIGRATIONS.filter((m) => m.version <= 6)) {
        old.exec(m.sql)
        old.prepare('INSERT INTO schema_version VALUES (?, ?, ?)').run(m.version, m.name, '2026-01-01T00:00:00.000Z')
      }

      old.exec(`INSERT INTO os_class (id, os, version, os_family, os_name, level) VALUES (1, 'Ubuntu 22.04', '', 'linux', 'Ubuntu 22.04', 'unsupported');
        INSERT INTO device (name, os_class, inv_collections, updated_at) VALUES ('ÄLPHA-01', 1, ';östra;', '2026-01-01T00:00:00.000Z'), ('älpha-01', 1, '', '2026-01-01T00:00:00.000Z'), ('Beta', 1, '', '2026-01-01T00:00:00.000Z');
        INSERT INTO collection (name, created_at) VALUES ('ÖSTRA', '2026-01-01T00:00:00.000Z');
        INSERT INTO intune_group (name, created_at) VALUES ('Équipe', '2026-01-01T00:00:00.000Z');`)
      old.close()

      const backend = await openLocalBackend(path, {profile: 'default', actor: 'test'})
      try {
        const db = new Database(path, {readonly: true})
        expect(db.prepare('SELECT MAX(version) AS v FROM schema_version').get()).toEqual({v: MIGRATIONS[MIGRATIONS.length - 1].version})
        expect(db.prepare('SELECT name, name_key FROM device ORDER BY id').all()).toEqual([
          {name: 'ÄLPHA-01', name_key: 'älpha-01'},
          {name: 'älpha-01', name_key: 'älpha-01\u001f2'},
          {name: 'Beta', name_key: 'beta'},
        ])
        expect(db.prepare('SELECT name_key FROM collection').get()).toEqual({name_key: 'östra'})
        expect(db.prepare('SELECT name_key FROM intune_group').get()).toEqual({name_key: 'équipe'})
        db.close()
        await backend.tenant.create({location: 'us', datacenter: 'EastUs3'})
        expect((await backend.devices.get('BETA')).name).toBe('Beta')
        expect((await backend.devices.get('Älpha-01')).name).toBe('ÄLPHA-01')
        expect((await backend.intune.showGroup('ÉQUIPE')).name).toBe('Équipe')
        // Membership is recomputed by the next change; the migrated inventory lists match the keyed collection.
        await backend.devices.import({records: [rec({name: 'gamma', collections: 'Östra'})]})
        expect((await backend.devices.get('beta')).collections).toEqual([])
        expect((await backend.devices.get('ÄLPHA-01')).collections).toEqual(['ÖSTRA'])
        expect((await backend.devices.get('GAMMA')).collections).toEqual(['ÖSTRA'])
        expect(await backend.devices.import({records: [rec({name: 'älpha-01', os: 'Windows 11 Pro'})]})).toMatchObject({created: 0, updated: 1})
        expect((await backend.devices.list()).items.length).toBe(4)
      } finally {
        await backend.close()
      }
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
