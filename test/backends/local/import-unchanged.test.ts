/**
 * Issue 11 item 4: a re-imported record equal to the stored device is `unchanged` (the upsert's
 * WHERE clause), and any one column that differs makes it `updated`: the SQL's notion of "the
 * same record" is every column an import writes, no fewer.
 */
import {normaliseRow, type RawRow} from '../../../src/core/device/inventory.js'
import type {Backend} from '../../../src/core/port/types.js'
import {tempBackend} from '../../helpers/backend.js'

const base: RawRow = {
  name: 'pc-1',
  os: 'Windows 10 Enterprise',
  version: '22H2',
  managedBy: 'configmgr',
  environment: 'on-premises',
  subscription: '',
  collections: 'Pilot',
  user: 'alice@contoso.com',
  groups: 'Finance',
  lastSeen: '2026-11-20T10:00:00Z',
  sensorService: 'running',
  otherFanotifySolution: 'false',
  previousInstall: 'false',
}

describe('device import: unchanged records (issue 11 item 4)', () => {
  let backend: Backend
  let cleanup: () => Promise<void>
  beforeAll(async () => {
    ;({backend, cleanup} = await tempBackend({withTenant: true}))
    await backend.devices.import({records: [normaliseRow(base, 2)]})
  })
  afterAll(async () => cleanup())

  it('counts the same record again as unchanged, and keeps its updatedAt', async () => {
    const before = (await backend.devices.get('pc-1')).updatedAt
    expect(await backend.devices.import({records: [normaliseRow({...base, name: 'PC-1'}, 2)]})).toMatchObject({created: 0, updated: 0, unchanged: 1, changed: false})
    expect((await backend.devices.get('pc-1')).updatedAt).toBe(before)
  })

  const changes: [string, RawRow][] = [
    ['os', {os: 'Windows 11 Enterprise'}],
    ['version', {version: '21H2'}],
    ['managedBy', {managedBy: 'intune'}],
    ['environment', {environment: 'azure-vm'}],
    ['subscription', {subscription: '00000000-0000-0000-0000-000000000001'}],
    ['collections', {collections: 'Pilot;Ring 1'}],
    ['user', {user: 'bob@contoso.com'}],
    ['groups', {groups: 'Sales'}],
    ['lastSeen', {lastSeen: '2026-11-21T10:00:00Z'}],
    ['sensorService', {sensorService: 'stopped'}],
    ['otherFanotifySolution', {otherFanotifySolution: 'true'}],
    ['previousInstall', {previousInstall: 'true'}],
  ]

  it.each(changes)('counts a record with another %s as updated, then the same again as unchanged', async (_field, change) => {
    expect(await backend.devices.import({records: [normaliseRow({...base, ...change}, 2)]})).toMatchObject({updated: 1, unchanged: 0, changed: true})
    expect(await backend.devices.import({records: [normaliseRow({...base, ...change}, 2)]})).toMatchObject({updated: 0, unchanged: 1, changed: false})
    await backend.devices.import({records: [normaliseRow(base, 2)]})
  })
})
