import {normaliseRow} from '../../../src/core/device/inventory.js'
import {expectAtpError} from './expect.js'
import type {ContractSuite} from './harness.js'

const seen = () => new Date(Date.now() - 3_600_000).toISOString()

/**
 * Issue 11 items 4 and 8 on every backend, for the Intune-side resources: the same create again
 * is a no-op (`changed: false`), the name with other content is CONFLICT (exit 4), get and
 * update re-run the create's rules, and deleting something in use is REFUSED_IN_USE (exit 4,
 * naming what it affects) unless forced. The server runs every rule itself.
 */
export const lifecycleSuite: ContractSuite = {
  name: 'Intune-side lifecycle: idempotent create, conflict, get, update, delete in use',
  withTenant: true,
  define(get) {
    beforeAll(async () => {
      const {admin} = get()
      await admin.integrations.setIntune(true, {windows: true, android: true, ios: true})
      await admin.devices.import({
        records: [
          normaliseRow({name: 'lc-01', os: 'Windows 11 Enterprise', version: '10.0.22631', managedBy: 'intune', user: 'lee@contoso.com', groups: 'Inventory only', lastSeen: seen()}, 2),
        ],
      })
      await admin.intune.createGroup({name: 'Ops'})
      await admin.intune.addGroupMembers({group: 'Ops', devices: ['lc-01'], users: ['lee@contoso.com']})
    })

    it('groups: same create is a no-op, another description a conflict; update; delete refuses while in use', async () => {
      const {backend} = get()
      expect(await backend.intune.createGroup({name: 'Lab', description: 'bench'})).toMatchObject({created: true, changed: true})
      expect(await backend.intune.createGroup({name: 'lab', description: 'bench'})).toMatchObject({created: false, changed: false, group: {name: 'Lab'}})
      expect(await backend.intune.createGroup({name: 'LAB'})).toMatchObject({changed: false}) // a description left out is not compared
      await expectAtpError(backend.intune.createGroup({name: 'Lab', description: 'other'}), {code: 'CONFLICT', exitCode: 4, message: /description: 'bench' \(requested 'other'\)/})
      expect(await backend.intune.updateGroup('lab', {description: 'bench 2'})).toMatchObject({changed: true, group: {description: 'bench 2'}})
      expect(await backend.intune.updateGroup('Lab', {description: 'bench 2'})).toMatchObject({changed: false})
      await expectAtpError(backend.intune.updateGroup('Nope', {description: null}), {exitCode: 3})

      await backend.compliance.create({name: 'Lab policy', platform: 'windows', maxRisk: 'high', assignGroup: 'Lab'})
      await expectAtpError(backend.intune.deleteGroup('Lab'), {code: 'REFUSED_IN_USE', exitCode: 4, message: /compliance policy 'Lab policy' is assigned to it/})
      expect((await backend.intune.showGroup('Lab')).name).toBe('Lab') // refused: nothing changed
      const deleted = await backend.intune.deleteGroup('Lab', {force: true})
      expect(deleted).toMatchObject({changed: true, group: {name: 'Lab'}, stillInInventory: false, affects: ["compliance policy 'Lab policy' is assigned to it"]})
      await expectAtpError(backend.intune.showGroup('Lab'), {exitCode: 3})
      await expectAtpError(backend.intune.deleteGroup('Lab'), {exitCode: 3})
      // A group only the inventory names is not atpctl's to delete.
      await expectAtpError(backend.intune.deleteGroup('Inventory only', {force: true}), {code: 'REFUSED', exitCode: 4})
      expect(await backend.intune.createGroup({name: 'Unused'})).toMatchObject({created: true})
      expect((await backend.intune.deleteGroup('Unused')).affects).toEqual([])
      await backend.compliance.delete('Lab policy', {force: true})
    })

    it('EDR profiles: no-op, conflict naming the difference, update with the create rules, delete while assigned', async () => {
      const {backend} = get()
      const request = {name: 'LC EDR', sampleSharing: 'all' as const, expediteTelemetry: false, deviceGroups: ['Ops'], userGroups: []}
      const created = await backend.intune.createEdrProfile(request)
      expect(created).toMatchObject({changed: true, profile: {name: 'LC EDR', deviceGroups: ['Ops']}})
      expect(await backend.intune.createEdrProfile({...request, name: 'lc edr', deviceGroups: ['ops']})).toMatchObject({changed: false, profile: {id: created.profile.id}})
      await expectAtpError(backend.intune.createEdrProfile({...request, sampleSharing: 'none'}), {code: 'CONFLICT', exitCode: 4, message: /sample sharing: 'all' \(requested 'none'\)/})

      expect(await backend.intune.updateEdrProfile('LC EDR', {sampleSharing: 'none', userGroups: ['ops']})).toMatchObject({changed: true, profile: {sampleSharing: 'none', userGroups: ['Ops'], deviceGroups: ['Ops']}})
      expect(await backend.intune.updateEdrProfile(created.profile.id, {sampleSharing: 'none'})).toMatchObject({changed: false})
      await expectAtpError(backend.intune.updateEdrProfile('LC EDR', {deviceGroups: ['Nope']}), {exitCode: 3})
      await expectAtpError(backend.intune.updateEdrProfile('LC EDR', {sampleSharing: 'some' as never}), {exitCode: 2})
      expect((await backend.intune.showEdrProfile('LC EDR')).profile.sampleSharing).toBe('none')

      await expectAtpError(backend.intune.deleteEdrProfile('LC EDR'), {code: 'REFUSED_IN_USE', exitCode: 4, message: /device group 'Ops'.*onboards 1 device\(s\): lc-01/})
      const deleted = await backend.intune.deleteEdrProfile('LC EDR', {force: true})
      expect(deleted).toMatchObject({changed: true, profile: {name: 'LC EDR'}})
      expect(deleted.affects[1]).toBe('it onboards 1 device(s): lc-01')
      await expectAtpError(backend.intune.showEdrProfile('LC EDR'), {exitCode: 3})
      const bare = await backend.intune.createEdrProfile({...request, name: 'LC bare', deviceGroups: []})
      expect((await backend.intune.deleteEdrProfile(bare.profile.id)).affects).toEqual([]) // unassigned: not in use
    })

    it('compliance policies: no-op, conflict, get, update, delete while they decide compliance', async () => {
      const {backend} = get()
      const created = await backend.compliance.create({name: 'LC Windows', platform: 'windows', maxRisk: 'low', assignGroup: 'Ops'})
      expect(created.changed).toBe(true)
      expect(await backend.compliance.create({name: 'lc windows', platform: 'windows', maxRisk: 'low', assignGroup: 'ops'})).toMatchObject({changed: false, policy: {id: created.policy.id}})
      await expectAtpError(backend.compliance.create({name: 'LC Windows', platform: 'windows', maxRisk: 'low'}), {code: 'CONFLICT', exitCode: 4, message: /assigned group: 'Ops' \(requested none\)/})
      expect(await backend.compliance.get('LC Windows')).toMatchObject({id: created.policy.id, maxRisk: 'low'})
      await expectAtpError(backend.compliance.get('nope'), {exitCode: 3})

      expect(await backend.compliance.update('LC Windows', {maxRisk: 'clear'})).toMatchObject({changed: true, policy: {maxRisk: 'clear', assignGroup: 'Ops'}})
      expect(await backend.compliance.update('LC Windows', {maxRisk: 'secured' as never})).toMatchObject({changed: false}) // Microsoft's name for clear
      await expectAtpError(backend.compliance.update('LC Windows', {maxRisk: 'extreme' as never}), {exitCode: 2})
      await expectAtpError(backend.compliance.update('LC Windows', {assignGroup: 'Nope'}), {exitCode: 3})
      expect((await backend.compliance.evaluate({device: 'lc-01'}))[0]).toMatchObject({policy: 'LC Windows', maxRisk: 'clear'})

      await expectAtpError(backend.compliance.delete('LC Windows'), {code: 'REFUSED_IN_USE', exitCode: 4, message: /decides the compliance of 1 device\(s\): lc-01/})
      // Assigned to all devices of another platform: it decides nothing here, so it is not in use.
      expect(await backend.compliance.update('LC Windows', {platform: 'ios', assignGroup: null})).toMatchObject({changed: true, policy: {platform: 'ios', assignGroup: null}})
      expect(await backend.compliance.delete('LC Windows')).toMatchObject({changed: true, affects: []})
      await expectAtpError(backend.compliance.get('LC Windows'), {exitCode: 3})
    })

    it('conditional access policies: no-op, conflict, get, update, delete while enabled; the classic one stays refused', async () => {
      const {backend} = get()
      const request = {name: 'LC access', includeGroups: ['Ops'], excludeGroups: [], apps: ['SharePoint'], clients: ['browser' as const], grant: 'compliant-device' as const, enabled: true}
      const created = await backend.access.createPolicy(request)
      expect(created.changed).toBe(true)
      expect(await backend.access.createPolicy({...request, includeGroups: ['ops'], apps: ['sharepoint']})).toMatchObject({changed: false, policy: {id: created.policy.id}})
      await expectAtpError(backend.access.createPolicy({...request, enabled: false}), {code: 'CONFLICT', exitCode: 4, message: /enabled: yes \(requested no\)/})
      expect(await backend.access.getPolicy('lc access')).toMatchObject({id: created.policy.id, apps: ['sharepoint']})

      expect(await backend.access.updatePolicy('LC access', {apps: ['sharepoint', 'Exchange'], excludeGroups: ['Ops']})).toMatchObject({
        changed: true,
        policy: {apps: ['sharepoint', 'exchange'], excludeGroups: ['Ops'], includeGroups: ['Ops']},
      })
      expect(await backend.access.updatePolicy('LC access', {apps: ['exchange', 'sharepoint']})).toMatchObject({changed: false})
      await expectAtpError(backend.access.updatePolicy('LC access', {includeGroups: []}), {exitCode: 2})
      await expectAtpError(backend.access.updatePolicy('LC access', {excludeGroups: ['all']}), {exitCode: 2})
      await expectAtpError(backend.access.updatePolicy('LC access', {clients: ['fax' as never]}), {exitCode: 2})

      const classic = ((await backend.access.listPolicies()).items)[0]
      expect(classic.protected).toBe(true)
      await expectAtpError(backend.access.updatePolicy(classic.id, {apps: ['all']}), {code: 'REFUSED_IN3', exitCode: 4})
      await expectAtpError(backend.access.deletePolicy(classic.id, {force: true}), {code: 'REFUSED_IN3', exitCode: 4})

      await expectAtpError(backend.access.deletePolicy('LC access'), {code: 'REFUSED_IN_USE', exitCode: 4, message: /enabled and requires a compliant device for 'Ops'/})
      expect((await backend.access.deletePolicy('LC access', {force: true})).affects).toHaveLength(1)
      await expectAtpError(backend.access.getPolicy('LC access'), {exitCode: 3})
    })

    it('app configurations: no-op, conflict on another target, show, update, delete (always assigned)', async () => {
      const {backend} = get()
      const created = await backend.intune.createIosAppConfig({name: 'LC iOS', assignGroup: null})
      expect(created).toMatchObject({created: true, changed: true, config: {assignment: 'all devices', assignGroup: null}})
      expect(await backend.intune.createIosAppConfig({name: 'lc ios', assignGroup: null})).toMatchObject({created: false, changed: false})
      await expectAtpError(backend.intune.createIosAppConfig({name: 'LC iOS', assignGroup: 'Ops'}), {code: 'CONFLICT', exitCode: 4, message: /assigned group: none \(requested 'Ops'\)/})
      expect(await backend.intune.showAppConfig('LC iOS')).toMatchObject({id: created.config.id, settings: [{key: 'issupervised', value: '{{issupervised}}'}]})
      await expectAtpError(backend.intune.showAppConfig('nope'), {exitCode: 3})

      expect(await backend.intune.updateAppConfig('LC iOS', {assignGroup: 'ops'})).toMatchObject({changed: true, config: {assignment: "group 'Ops'", assignGroup: 'Ops'}})
      expect(await backend.intune.updateAppConfig(created.config.id, {assignGroup: 'Ops'})).toMatchObject({changed: false})
      await expectAtpError(backend.intune.updateAppConfig('LC iOS', {assignGroup: 'Nope'}), {exitCode: 3})
      // The group is now named by the app configuration.
      await expectAtpError(backend.intune.deleteGroup('Ops'), {code: 'REFUSED_IN_USE', exitCode: 4, message: /app configuration 'LC iOS' targets it/})

      await expectAtpError(backend.intune.deleteAppConfig('LC iOS'), {code: 'REFUSED_IN_USE', exitCode: 4, message: /it targets group 'Ops'/})
      expect(await backend.intune.deleteAppConfig('LC iOS', {force: true})).toMatchObject({changed: true, affects: ["it targets group 'Ops'"]})
      expect(((await backend.intune.listAppConfigs()).items).map((c) => c.name)).not.toContain('LC iOS')
    })
  },
}
