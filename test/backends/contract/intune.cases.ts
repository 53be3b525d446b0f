import {TEST_ALERTS} from '../../../src/core/detect/test-alerts.js'
import {normaliseRow} from '../../../src/core/device/inventory.js'
import {expectAtpError} from './expect.js'
import type {ContractSuite} from './harness.js'

const seen = () => new Date(Date.now() - 3_600_000).toISOString()

/**
 * Intune groups, EDR profiles, app configurations, compliance by machine risk, conditional
 * access and the test-alert path, through every backend (IN1–IN8, DC8).
 */
export const intuneSuite: ContractSuite = {
  name: 'Intune, compliance, conditional access, test alerts',
  withTenant: true,
  define(get) {
    beforeAll(async () => {
      const {admin} = get()
      await admin.integrations.setIntune(true, {windows: true, android: true, ios: true})
      await admin.devices.import({
        records: [
          normaliseRow({name: 'lt-01', os: 'Windows 11 Enterprise', version: '10.0.22631', managedBy: 'intune', user: 'ann@contoso.com', groups: 'Finance', lastSeen: seen()}, 2),
          normaliseRow({name: 'phone-01', os: 'Android 13', managedBy: 'intune', user: 'ann@contoso.com', lastSeen: seen()}, 3),
        ],
      })
    })

    it('creates groups idempotently, adds members, and shows a user’s groups', async () => {
      const {backend} = get()
      const first = await backend.intune.createGroup({name: 'Sales users', description: 'sales'})
      expect(first).toMatchObject({group: {name: 'Sales users'}, created: true})
      expect((await backend.intune.createGroup({name: 'Sales users', description: 'sales'})).created).toBe(false)
      const added = await backend.intune.addGroupMembers({group: 'Sales users', devices: ['lt-01'], users: ['ann@contoso.com']})
      expect(added.added).toBe(2)
      expect(JSON.stringify(await backend.intune.showGroup('sales users'))).toContain('ann@contoso.com')
      expect((await backend.intune.listGroups()).items.map((g) => g.name)).toContain('Sales users')
      expect(await backend.intune.userGroups('ANN@contoso.com')).toMatchObject({known: true, groups: expect.arrayContaining(['Sales users'])})
      expect((await backend.intune.userGroups('nobody@contoso.com')).known).toBe(false)
      await backend.intune.addGroupMembers({group: 'Sales users', devices: [], users: ['tmp@contoso.com']})
      expect((await backend.intune.removeGroupMembers({group: 'Sales users', devices: [], users: ['tmp@contoso.com']})).removed).toBe(1)
      expect(JSON.stringify(await backend.intune.showGroup('Sales users'))).not.toContain('tmp@contoso.com')
      await expectAtpError(backend.intune.showGroup('No such group'), {exitCode: 3})
      await expectAtpError(backend.intune.addGroupMembers({group: 'Sales users', devices: ['ghost'], users: []}), {exitCode: 3})
    })

    it('onboards through an EDR profile, lists and shows it, and reports no conflicts without another policy', async () => {
      const {backend} = get()
      const {profile} = await backend.intune.createEdrProfile({name: 'EDR', sampleSharing: 'all', expediteTelemetry: false, deviceGroups: ['Finance'], userGroups: []})
      expect(profile.name).toBe('EDR')
      const listed = (await backend.intune.listEdrProfiles()).items.find((p) => p.name === 'EDR')!
      expect(listed).toMatchObject({reached: 1, onboarded: 1, conflicts: 0})
      const shown = await backend.intune.showEdrProfile('EDR')
      expect(shown.devices).toEqual([expect.objectContaining({deviceName: 'lt-01', onboarded: true})])
      expect(await backend.intune.deviceConflicts('lt-01')).toEqual([])
      await expectAtpError(backend.intune.showEdrProfile('none'), {exitCode: 3})
    })

    it('creates the iOS supervised-mode app configuration once and lists it', async () => {
      const {backend} = get()
      const created = await backend.intune.createIosAppConfig({name: 'iOS supervised', assignGroup: 'Sales users'})
      expect(created.created).toBe(true)
      expect((await backend.intune.createIosAppConfig({name: 'iOS supervised', assignGroup: 'Sales users'})).created).toBe(false)
      expect((await backend.intune.listAppConfigs()).items.map((c) => c.name)).toContain('iOS supervised')
    })

    it('judges compliance by machine risk: a Low alert makes a clear-only policy noncompliant', async () => {
      const {backend} = get()
      await backend.compliance.create({name: 'Windows clear', platform: 'windows', maxRisk: 'clear'})
      expect((await backend.compliance.list()).items.map((p) => p.name)).toContain('Windows clear')
      const before = (await backend.compliance.evaluate({device: 'lt-01'}))[0]
      expect(before.status).toBe('compliant')
      expect((await backend.detection.target({device: 'lt-01', os: 'windows'})).name).toBe('lt-01')
      const raised = await backend.detection.submitActivity({device: 'lt-01', os: 'windows', activity: TEST_ALERTS.windows.activity})
      expect(raised).toMatchObject({detected: true, alert: {title: TEST_ALERTS.windows.title}})
      const benign = await backend.detection.submitActivity({device: 'lt-01', os: 'windows', activity: {type: 'process', image: 'notepad.exe', commandLine: 'notepad.exe'}})
      expect(benign.detected).toBe(false)
      expect((await backend.compliance.evaluate({device: 'lt-01'}))[0].status).toBe('noncompliant')
      expect((await backend.compliance.evaluate()).map((d) => d.deviceName ?? d)).toEqual(expect.arrayContaining([expect.anything()]))
      await expectAtpError(backend.detection.target({device: 'ghost'}), {exitCode: 3})
    })

    it('manages conditional access policies; the classic one is protected', async () => {
      const {backend} = get()
      const {policy} = await backend.access.createPolicy({
        name: 'Require compliant',
        includeGroups: ['Sales users'],
        excludeGroups: [],
        apps: ['sharepoint'],
        clients: ['browser'],
        grant: 'compliant-device',
        enabled: true,
      })
      expect(policy.name).toBe('Require compliant')
      const listed = (await backend.access.listPolicies()).items
      expect(listed.map((p) => p.name)).toContain('Require compliant')
      const classic = listed[0]
      expect((await backend.access.setPolicyEnabled('Require compliant', false)).changed).toBe(true)
      expect((await backend.access.setPolicyEnabled('Require compliant', false)).changed).toBe(false)
      await expectAtpError(backend.access.setPolicyEnabled(classic.id, false), {exitCode: 4})
      await expectAtpError(backend.access.deletePolicy(classic.id), {exitCode: 4})
      expect((await backend.access.deletePolicy('Require compliant')).policy.name).toBe('Require compliant')
      await expectAtpError(backend.access.deletePolicy('Require compliant'), {exitCode: 3})
    })

    it('stores and shows a report-only policy (enabledForReportingButNotEnforced); update and enable move it between states', async () => {
      const {backend} = get()
      const request = {name: 'Pilot', includeGroups: ['all'], excludeGroups: [], apps: ['sharepoint'], clients: ['browser' as const], grant: 'compliant-device' as const, enabled: true, reportOnly: true}
      const {policy, changed} = await backend.access.createPolicy(request)
      expect({changed, enabled: policy.enabled, reportOnly: policy.reportOnly}).toEqual({changed: true, enabled: false, reportOnly: true})
      expect((await backend.access.getPolicy('Pilot')).reportOnly).toBe(true)
      expect((await backend.access.createPolicy(request)).changed).toBe(false)
      // The same name enforced is another state: a conflict naming it.
      await expectAtpError(backend.access.createPolicy({...request, reportOnly: false}), {code: 'CONFLICT', exitCode: 4, message: /report-only/})
      expect(await backend.access.updatePolicy('Pilot', {reportOnly: false})).toMatchObject({changed: true, policy: {enabled: true, reportOnly: false}})
      expect(await backend.access.updatePolicy('Pilot', {reportOnly: true})).toMatchObject({changed: true, policy: {enabled: false, reportOnly: true}})
      expect((await backend.access.updatePolicy('Pilot', {reportOnly: true})).changed).toBe(false)
      expect(await backend.access.setPolicyEnabled('Pilot', true)).toMatchObject({changed: true, policy: {enabled: true, reportOnly: false}})
      expect((await backend.access.listPolicies()).items.find((p) => p.name === 'Pilot')).toMatchObject({enabled: true, reportOnly: false})
      await backend.access.deletePolicy('Pilot', {force: true})
    })
  },
}
