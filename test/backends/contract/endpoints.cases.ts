import {eicarBytes} from '../../../src/core/detect/eicar.js'
import {normaliseRow} from '../../../src/core/device/inventory.js'
import {expectAtpError} from './expect.js'
import type {ContractSuite} from './harness.js'

/**
 * Devices, collections, detection and alerts through every backend: nested records, arrays,
 * nulls, booleans and integers in query strings must arrive exactly as the embedded backend
 * gets them (issues 4, 5, 7; TP3, TP5, CM3).
 */
export const endpointsSuite: ContractSuite = {
  name: 'devices, collections, detection, alerts',
  withTenant: true,
  define(get) {
    it('imports inventory records and lists them with typed filters', async () => {
      const {backend} = get()
      const records = [
        normaliseRow({name: 'srv-01', os: 'Windows Server 2019', managedBy: 'configmgr', collections: ['Servers']}, 2),
        normaliseRow({name: 'lnx-01', os: 'Ubuntu 22.04', managedBy: 'configmgr'}, 3),
      ]
      const summary = await backend.devices.import({records})
      expect(summary).toMatchObject({total: 2, created: 2})
      expect((await backend.devices.list({osFamily: 'linux', limit: 10})).items.map((d) => d.name)).toEqual(['lnx-01'])
      expect((await backend.devices.list({onboarded: false})).items.map((d) => d.name).sort()).toEqual(['lnx-01', 'srv-01'])
      expect((await backend.devices.list({onboarded: true})).items).toEqual([])
      expect((await backend.devices.get('srv-01', {periodMs: 86_400_000})).collections).toContain('Servers')
      await expectAtpError(backend.devices.get('nope'), {code: 'NOT_FOUND', exitCode: 3})
    })

    it('imports records given as a stream (an iterable); a repeated name is bad input (exit 7), not a crash', async () => {
      const {backend} = get()
      function* stream() {
        yield normaliseRow({name: 'win-01', os: 'Windows 11 Enterprise', managedBy: 'configmgr'}, 2)
        yield normaliseRow({name: 'win-02', os: 'Windows 10 Enterprise', version: '22H2', managedBy: 'intune'}, 3)
      }

      expect(await backend.devices.import({records: stream()})).toMatchObject({total: 2, created: 2, updated: 0})
      expect((await backend.devices.get('win-02')).managedBy).toEqual(['intune'])
      const twice = [normaliseRow({name: 'dup-01', os: 'Ubuntu 22.04'}, 2), normaliseRow({name: 'DUP-01', os: 'Ubuntu 22.04'}, 3)]
      await expectAtpError(backend.devices.import({records: twice}), {code: 'INVALID_INPUT', exitCode: 7})
      await expectAtpError(backend.devices.get('dup-01'), {code: 'NOT_FOUND', exitCode: 3})
    })

    it('imports more records than one JSON request may carry, as a stream, in one transaction (issue 15)', async () => {
      const {backend} = get()
      // 12,000 records are ~5 MB of JSON: over the server's default 4 MiB body limit.
      const count = 12_000
      function* many() {
        for (let i = 0; i < count; i++) yield normaliseRow({name: `bulk-${i}`, os: 'Windows 10 Enterprise', version: '10.0.19045', managedBy: 'configmgr', collections: ['Bulk']}, i + 2)
      }

      expect(await backend.devices.import({records: many()})).toMatchObject({total: count, created: count, updated: 0, collectionsCreated: ['Bulk']})
      expect((await backend.collections.get('Bulk', {memberLimit: 1})).members).toBe(count)
      // A repeated name at the very end rolls back all that came before it.
      function* lateDuplicate() {
        for (let i = 0; i < count; i++) yield normaliseRow({name: `late-${i}`, os: 'Ubuntu 22.04'}, i + 2)
        yield normaliseRow({name: 'LATE-0', os: 'Ubuntu 22.04'}, count + 2)
      }

      await expectAtpError(backend.devices.import({records: lateDuplicate()}), {code: 'INVALID_INPUT', exitCode: 7, message: /LATE-0/})
      await expectAtpError(backend.devices.get('late-1'), {code: 'NOT_FOUND', exitCode: 3})
    })

    it('manages collections with rules and members', async () => {
      const {backend} = get()
      const created = await backend.collections.create({name: 'Linux', limitTo: null, rules: ['family=linux']})
      expect(created).toMatchObject({name: 'Linux', limitTo: null})
      await expectAtpError(backend.collections.create({name: 'Linux'}), {exitCode: 4})
      const added = await backend.collections.addMembers('Servers', ['lnx-01'])
      expect(added.changed).toEqual(['lnx-01'])
      const detail = await backend.collections.get('Servers', {memberLimit: 1})
      expect(detail.name).toBe('Servers')
      expect((await backend.collections.removeMembers('Servers', ['lnx-01'])).changed).toEqual(['lnx-01'])
      await expectAtpError(backend.collections.addMembers('Servers', ['ghost']), {exitCode: 3})
      expect((await backend.collections.list()).items.map((c) => c.name)).toEqual(expect.arrayContaining(['Linux', 'Servers']))
    })

    it('accepts sensor reports and EICAR files, raises and resolves alerts (TP5), refuses while the provider is off (TP3)', async () => {
      const {backend} = get()
      await expectAtpError(backend.devices.reportFromSensor({name: 'mac-01', os: 'macOS 14', provider: 'bitdefender'}), {code: 'REFUSED_TP3', exitCode: 4})
      await backend.integrations.setThirdParty('bitdefender', true)
      const device = await backend.devices.reportFromSensor({name: 'mac-01', os: 'macOS 14', version: null, provider: 'bitdefender'})
      expect(device).toMatchObject({name: 'mac-01', thirdPartyProvider: 'bitdefender', onboarded: true})
      const since = new Date(Date.now() - 60_000).toISOString()
      const result = await backend.detection.submitFile({device: 'mac-01', fileName: 'eicar.com', path: '/Users/a/eicar.com', contentBase64: eicarBytes().toString('base64')})
      expect(result).toMatchObject({detected: true, alert: {computerDnsName: expect.any(String)}})
      const none = await backend.detection.submitFile({device: 'mac-01', fileName: 'a.txt', path: '/a.txt', contentBase64: Buffer.from('hi').toString('base64')})
      expect(none).toMatchObject({detected: false, alert: null})
      const alert = result.alert!
      expect((await backend.alerts.list({device: 'mac-01', limit: 5})).items.map((a) => a.id)).toEqual([alert.id])
      expect(await backend.alerts.find({machineId: alert.machineId, title: alert.title, since, evidenceFileName: 'eicar.com'})).toMatchObject({id: alert.id})
      expect(Object.keys(await backend.alerts.risks())).toContain(alert.machineId)
      expect((await backend.alerts.resolve(alert.id, 'contract test')).status).toBe('Resolved')
      expect((await backend.alerts.get(alert.id)).comments.map((c) => c.comment)).toContain('contract test')
      await expectAtpError(backend.alerts.get('da0_0'), {code: 'NOT_FOUND', exitCode: 3})
      await expectAtpError(
        backend.detection.submitFile({device: 'mac-01', fileName: 'x/y', path: '/x', contentBase64: 'AAAA'}),
        {code: 'USAGE', exitCode: 2},
      )
    })
  },
}
