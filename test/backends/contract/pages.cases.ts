import {eicarBytes} from '../../../src/core/detect/eicar.js'
import {normaliseRow} from '../../../src/core/device/inventory.js'
import {encodeCursor, type Page, type PageRequest} from '../../../src/core/port/page.js'
import {expectAtpError} from './expect.js'
import type {ContractSuite} from './harness.js'

const seen = () => new Date(Date.now() - 3_600_000).toISOString()

/**
 * Pages a list two items at a time and checks that the pages together are the whole list, in
 * its order, no item lost or repeated; that the last page says so (null cursor); and that a
 * malformed cursor, another list's cursor and a limit below 1 are usage errors (exit 2).
 */
async function pagesThrough<T>(fetch: (request: PageRequest) => Promise<Page<T>>, key: (item: T) => string, atLeast: number): Promise<string[]> {
  const whole = await fetch({limit: 1000})
  expect(whole.nextCursor).toBeNull()
  const all = whole.items.map(key)
  expect(all.length).toBeGreaterThanOrEqual(atLeast)
  expect(new Set(all).size).toBe(all.length)
  const paged: string[] = []
  let cursor: string | undefined
  let pages = 0
  do {
    const page = await fetch({limit: 2, ...(cursor === undefined ? {} : {cursor})})
    expect(page.items.length).toBeLessThanOrEqual(2)
    paged.push(...page.items.map(key))
    cursor = page.nextCursor ?? undefined
    pages++
  } while (cursor !== undefined && pages <= all.length)
  expect(paged).toEqual(all)
  expect(pages).toBeGreaterThanOrEqual(Math.ceil(all.length / 2))
  await expectAtpError(fetch({limit: 2, cursor: 'not a cursor'}), {exitCode: 2})
  await expectAtpError(fetch({limit: 2, cursor: encodeCursor('another-list', ['x', 'y'])}), {code: 'USAGE', exitCode: 2})
  await expectAtpError(fetch({limit: 0}), {exitCode: 2})
  return all
}

/** Every list method of the port pages by keyset (issue 11 item 6). */
export const pagesSuite: ContractSuite = {
  name: 'pages of every list',
  withTenant: true,
  define(get) {
    beforeAll(async () => {
      const {admin} = get()
      // Mixed case: lists are ordered case-insensitively.
      const names = ['pg-a', 'PG-B', 'pg-c', 'Pg-D', 'pg-e', 'pg-f', 'PG-G']
      await admin.devices.import({
        records: names.map((name, i) =>
          normaliseRow({name, os: 'Windows 11 Enterprise', version: '10.0.22631', managedBy: 'intune', user: `u${i}@contoso.com`, groups: `Pages ${i % 3}`, lastSeen: seen()}, i + 2),
        ),
      })
    })

    it('devices, collections and policies page by name', async () => {
      const {backend} = get()
      const devices = await pagesThrough((r) => backend.devices.list({...r}), (d) => d.name, 7)
      expect(devices).toEqual(['pg-a', 'PG-B', 'pg-c', 'Pg-D', 'pg-e', 'pg-f', 'PG-G'])
      // Filters hold across pages, on stored columns and on the computed state alike.
      await pagesThrough((r) => backend.devices.list({os: 'windows 11', ...r}), (d) => d.name, 7)
      await pagesThrough((r) => backend.devices.list({onboarded: false, ...r}), (d) => d.name, 7)
      // --name PREFIX (hasNamePrefix, by name key): in SQL on the embedded backend, across pages.
      expect(await pagesThrough((r) => backend.devices.list({namePrefix: 'Pg-', ...r}), (d) => d.name, 7)).toHaveLength(7)
      expect((await backend.devices.list({namePrefix: 'pg-d'})).items.map((d) => d.name)).toEqual(['Pg-D'])
      expect((await backend.devices.list({namePrefix: 'PG-%'})).items).toEqual([])
      expect((await backend.devices.list({namePrefix: 'nope'})).items).toEqual([])
      for (const name of ['Pages c1', 'pages C2', 'Pages c3', 'pages c4', 'Pages c5']) await backend.collections.create({name, limitTo: null, rules: []})
      await pagesThrough((r) => backend.collections.list(r), (c) => c.name, 5)
      const tenant = (await backend.tenant.get())!
      const {workspaceKey} = await backend.tenant.secrets()
      for (const name of ['Pages p1', 'pages p2', 'Pages p3']) {
        await backend.policies.create({name, description: '', type: 'onboarding', configFile: null, workspaceId: tenant.workspaceId, workspaceKey, sampleSharing: 'none', configMgrVersion: 2103})
      }

      await pagesThrough((r) => backend.policies.list(r), (p) => p.name, 3)
    })

    it('a device added before the cursor is not seen, one after it is; none is repeated or lost', async () => {
      const {backend, admin} = get()
      const first = await backend.devices.list({limit: 3})
      expect(first.items.map((d) => d.name)).toEqual(['pg-a', 'PG-B', 'pg-c'])
      await admin.devices.import({
        records: [
          normaliseRow({name: 'pg-0', os: 'Ubuntu 22.04', managedBy: 'defender-for-cloud'}, 2),
          normaliseRow({name: 'pg-dd', os: 'Ubuntu 22.04', managedBy: 'defender-for-cloud'}, 3),
        ],
      })
      const rest: string[] = []
      for (let cursor = first.nextCursor; cursor !== null; ) {
        const page = await backend.devices.list({limit: 2, cursor})
        rest.push(...page.items.map((d) => d.name))
        cursor = page.nextCursor
      }

      expect(rest).toEqual(['Pg-D', 'pg-dd', 'pg-e', 'pg-f', 'PG-G'])
    })

    it('tokens, API keys, packages and the audit log page oldest first; the audit log newest first too', async () => {
      const {backend} = get()
      await backend.integrations.setThirdParty('bitdefender', true)
      for (let i = 0; i < 5; i++) await backend.tokens.mint({provider: 'bitdefender', ttlMs: 3_600_000})
      await pagesThrough((r) => backend.tokens.list({...r}), (t) => t.id, 5)
      await pagesThrough((r) => backend.tokens.list({provider: 'bitdefender', ...r}), (t) => t.id, 5)
      for (let i = 0; i < 4; i++) await backend.apiKeys.create({name: `pages-key-${i}`, role: 'reader'})
      await pagesThrough((r) => backend.apiKeys.list(r), (k) => k.id, 4)
      for (let i = 0; i < 5; i++) {
        await backend.packages.record({
          kind: 'onboarding',
          os: 'linux',
          method: 'local-script',
          fileName: `pages-${i}.zip`,
          path: `/tmp/pages-${i}.zip`,
          sha256: String(i).repeat(64),
          bytes: 10,
          createdAt: '2026-01-01T00:00:00.000Z',
          expiresAt: null,
        })
      }

      // Same creation time: the insertion order breaks the tie.
      expect(await pagesThrough((r) => backend.packages.list({kind: 'onboarding', ...r}), (p) => p.fileName, 5)).toEqual(['pages-0.zip', 'pages-1.zip', 'pages-2.zip', 'pages-3.zip', 'pages-4.zip'])
      const oldest = await pagesThrough((r) => backend.audit.list({...r}), (a) => String(a.seq), 10)
      expect(oldest.map(Number)).toEqual([...oldest.map(Number)].sort((a, b) => a - b))
      const newest = await pagesThrough((r) => backend.audit.list({newestFirst: true, ...r}), (a) => String(a.seq), 10)
      expect(newest).toEqual([...oldest].reverse())
      await pagesThrough((r) => backend.audit.list({operation: 'token.mint', ...r}), (a) => String(a.seq), 5)
    })

    it('alerts page newest first', async () => {
      const {backend} = get()
      await backend.integrations.setThirdParty('bitdefender', true)
      await backend.devices.reportFromSensor({name: 'pg-mac', os: 'macOS 14', version: null, provider: 'bitdefender'})
      for (let i = 0; i < 5; i++) {
        const submitted = await backend.detection.submitFile({device: 'pg-mac', fileName: `eicar-${i}.com`, path: `/tmp/eicar-${i}.com`, contentBase64: eicarBytes().toString('base64')})
        expect(submitted.detected).toBe(true)
      }

      const ids = await pagesThrough((r) => backend.alerts.list({device: 'pg-mac', ...r}), (a) => a.id, 5)
      const alerts = (await backend.alerts.list({device: 'pg-mac'})).items
      expect(alerts.map((a) => a.id)).toEqual(ids)
      expect(alerts.map((a) => a.alertCreationTime)).toEqual([...alerts.map((a) => a.alertCreationTime)].sort().reverse())
    })

    it('Intune groups, EDR profiles, app configurations, compliance and access policies page too', async () => {
      const {backend} = get()
      await backend.integrations.setIntune(true, {windows: true, android: true, ios: true})
      for (const name of ['Pages g1', 'pages g2']) await backend.intune.createGroup({name})
      // Created groups and the inventory's (Pages 0, 1, 2) in one case-insensitive order.
      await pagesThrough((r) => backend.intune.listGroups(r), (g) => g.name, 5)
      for (const name of ['Pages EDR 1', 'Pages EDR 2', 'Pages EDR 3']) {
        await backend.intune.createEdrProfile({name, sampleSharing: 'none', expediteTelemetry: false, deviceGroups: ['Pages 1'], userGroups: []})
      }

      const profiles = await backend.intune.listEdrProfiles({limit: 2})
      expect(profiles.items[0]).toMatchObject({name: 'Pages EDR 1', reached: expect.any(Number)})
      await pagesThrough((r) => backend.intune.listEdrProfiles(r), (p) => p.id, 3)
      for (const name of ['Pages iOS 1', 'Pages iOS 2', 'Pages iOS 3']) await backend.intune.createIosAppConfig({name, assignGroup: null})
      await pagesThrough((r) => backend.intune.listAppConfigs(r), (c) => c.id, 3)
      for (const name of ['Pages clear', 'Pages low', 'Pages medium']) await backend.compliance.create({name, platform: 'windows', maxRisk: 'clear'})
      await pagesThrough((r) => backend.compliance.list(r), (p) => p.id, 3)
      for (const name of ['Pages CA 1', 'Pages CA 2']) {
        await backend.access.createPolicy({name, includeGroups: ['all'], excludeGroups: [], apps: ['sharepoint'], clients: ['browser'], grant: 'compliant-device', enabled: true})
      }

      const access = await pagesThrough((r) => backend.access.listPolicies(r), (p) => p.name, 3)
      expect(access.slice(-2)).toEqual(['Pages CA 1', 'Pages CA 2'])
    })
  },
}
