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
      expect(created).toMatchObject({collection: {name: 'Linux', limitTo: null}, changed: true})
      // The same create again (spacing and case aside) changes nothing; other rules are a conflict (issue 11 item 4).
      expect(await backend.collections.create({name: 'LINUX', limitTo: null, rules: ['Family = Linux']})).toMatchObject({collection: {name: 'Linux'}, changed: false})
      await expectAtpError(backend.collections.create({name: 'Linux'}), {code: 'CONFLICT', exitCode: 4, message: /rules is 'family=linux', the request says no rules/})
      const added = await backend.collections.addMembers('Servers', ['lnx-01'])
      expect(added.changed).toEqual(['lnx-01'])
      const detail = await backend.collections.get('Servers', {memberLimit: 1})
      expect(detail.name).toBe('Servers')
      expect((await backend.collections.removeMembers('Servers', ['lnx-01'])).changed).toEqual(['lnx-01'])
      await expectAtpError(backend.collections.addMembers('Servers', ['ghost']), {exitCode: 3})
      expect((await backend.collections.list()).items.map((c) => c.name)).toEqual(expect.arrayContaining(['Linux', 'Servers']))
    })

    it('updates a collection\'s rules and limit, re-validated, and deletes it only when confirmed while in use (issue 11 item 8)', async () => {
      const {backend} = get()
      await backend.collections.create({name: 'Fleet', rules: ['family=windows', 'family=linux']})
      await backend.collections.create({name: 'Fleet Linux', limitTo: 'Fleet', rules: ['family=linux']})
      const updated = await backend.collections.update('Fleet', {removeRules: ['family = windows'], addRules: ['name~srv']})
      expect(updated).toMatchObject({changed: true, collection: {rules: ['family=linux', 'name~srv']}})
      expect(await backend.collections.update('Fleet', {addRules: ['name ~ SRV']})).toMatchObject({changed: false})
      await expectAtpError(backend.collections.update('Fleet', {removeRules: ['os~Server']}), {code: 'NOT_FOUND', exitCode: 3})
      await expectAtpError(backend.collections.update('Fleet', {addRules: ['build>=abc']}), {code: 'USAGE', exitCode: 2})
      await expectAtpError(backend.collections.update('Fleet', {limitTo: 'Fleet Linux'}), {code: 'REFUSED', exitCode: 4, message: /leads back/})
      await expectAtpError(backend.collections.update('Fleet', {limitTo: 'Nowhere'}), {code: 'NOT_FOUND', exitCode: 3})
      expect(await backend.collections.update('Fleet Linux', {limitTo: null})).toMatchObject({changed: true, collection: {limitTo: null}})
      await backend.collections.update('Fleet Linux', {limitTo: 'Fleet'})
      // In use: another collection is limited to it. Refused without force, reported by a dry run.
      const preview = await backend.collections.delete('Fleet', {dryRun: true})
      expect(preview).toMatchObject({changed: false, impact: {inUse: true, uses: [expect.objectContaining({kind: 'limits', names: ['Fleet Linux']})]}})
      await expectAtpError(backend.collections.delete('Fleet'), {code: 'REFUSED_IN_USE', exitCode: 4, message: /Fleet Linux/})
      expect((await backend.collections.get('Fleet')).name).toBe('Fleet')
      expect(await backend.collections.delete('Fleet', {force: true})).toMatchObject({changed: true, collection: {name: 'Fleet'}})
      expect((await backend.collections.get('Fleet Linux')).limitTo).toBeNull()
      expect(await backend.collections.delete('Fleet Linux')).toMatchObject({changed: true, impact: {inUse: false}})
      await expectAtpError(backend.collections.delete('Fleet'), {code: 'NOT_FOUND', exitCode: 3})
    })

    it('deletes devices, all or nothing, asking for direct members (issue 11 item 8); an unchanged import is changed: false', async () => {
      const {backend} = get()
      const records = [normaliseRow({name: 'old-01', os: 'Windows 10 Enterprise', version: '22H2', collections: ['Retired']}, 2), normaliseRow({name: 'old-02', os: 'Ubuntu 22.04'}, 3)]
      expect(await backend.devices.import({records})).toMatchObject({created: 2, changed: true})
      expect(await backend.devices.import({records})).toMatchObject({created: 0, updated: 0, unchanged: 2, changed: false})
      await expectAtpError(backend.devices.delete({names: ['old-02', 'ghost']}), {code: 'NOT_FOUND', exitCode: 3, message: /ghost/})
      expect((await backend.devices.get('old-02')).name).toBe('old-02')
      const preview = await backend.devices.delete({names: ['old-01', 'OLD-02'], dryRun: true})
      expect(preview).toMatchObject({devices: ['old-01', 'old-02'], changed: false, impact: {inUse: true, uses: [expect.objectContaining({kind: 'static-member', names: ['old-01']})]}})
      await expectAtpError(backend.devices.delete({names: ['old-01', 'old-02']}), {code: 'REFUSED_IN_USE', exitCode: 4, message: /Retired/})
      expect(await backend.devices.delete({names: ['old-02']})).toMatchObject({devices: ['old-02'], changed: true})
      expect(await backend.devices.delete({names: ['old-01'], force: true})).toMatchObject({devices: ['old-01'], changed: true})
      await expectAtpError(backend.devices.get('old-01'), {code: 'NOT_FOUND', exitCode: 3})
      expect((await backend.collections.get('Retired')).members).toBe(0)
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
      // The backend checks the resolution for every caller: an unknown classification is refused, nothing changes.
      await expectAtpError(backend.alerts.resolve(alert.id, {classification: 'Nope' as never}), {code: 'USAGE', exitCode: 2})
      expect((await backend.alerts.get(alert.id)).status).not.toBe('Resolved')
      const resolved = await backend.alerts.resolve(alert.id, {comment: 'contract test', classification: 'InformationalExpectedActivity', determination: 'SecurityTesting'})
      expect(resolved).toMatchObject({status: 'Resolved', classification: 'InformationalExpectedActivity', determination: 'SecurityTesting'})
      expect((await backend.alerts.get(alert.id)).comments.map((c) => c.comment)).toContain('contract test')
      // Reclassifying a resolved alert keeps what was not given.
      expect(await backend.alerts.resolve(alert.id, {classification: 'FalsePositive'})).toMatchObject({status: 'Resolved', classification: 'FalsePositive', determination: 'SecurityTesting'})
      await expectAtpError(backend.alerts.get('da0_0'), {code: 'NOT_FOUND', exitCode: 3})
      await expectAtpError(
        backend.detection.submitFile({device: 'mac-01', fileName: 'x/y', path: '/x', contentBase64: 'AAAA'}),
        {code: 'USAGE', exitCode: 2},
      )
    })
  },
}
