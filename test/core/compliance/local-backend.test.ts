import {eicarBytes} from '../../../src/core/detect/eicar.js'
import {normaliseRow, type RawRow} from '../../../src/core/device/inventory.js'
import {checkAccess, createAccessPolicy} from '../../../src/core/access/service.js'
import {evaluateCompliance} from '../../../src/core/compliance/service.js'
import type {Backend} from '../../../src/core/port/types.js'
import {tempBackend} from '../../helpers/backend.js'

const NOW = new Date()
const seen = new Date(NOW.getTime() - 3_600_000).toISOString()

export async function importDevices(backend: Backend, rows: RawRow[]): Promise<void> {
  await backend.devices.import({records: rows.map((r, i) => normaliseRow({lastSeen: seen, ...r}, i + 2))})
}

describe('compliance and access on the embedded backend (IN2, IN4, IN7, IN8)', () => {
  let backend: Backend
  let cleanup: () => Promise<void>
  const byName = async () => Object.fromEntries((await evaluateCompliance(backend, {profile: 'test'})).devices.map((d) => [d.deviceName, d]))

  beforeAll(async () => {
    ;({backend, cleanup} = await tempBackend({withTenant: true}))
    await backend.integrations.setIntune(true, {windows: true, android: true, ios: false})
    await importDevices(backend, [
      {name: 'FIN-LT-001', os: 'Windows 10 Enterprise', version: '10.0.19045', managedBy: 'intune', user: 'alice@contoso.com', groups: 'Finance'},
      {name: 'FIN-LT-002', os: 'Windows 10 Pro', version: '10.0.14393', managedBy: 'intune', groups: 'Finance'},
      {name: 'SALES-LT-1', os: 'Windows 11 Pro', version: '10.0.22631', managedBy: 'intune', user: 'bob@contoso.com'},
      {name: 'PHONE-1', os: 'Android', version: '12', managedBy: 'intune', user: 'alice@contoso.com', groups: 'Finance'},
      {name: 'IPAD-1', os: 'iPadOS', version: '16.1', managedBy: 'intune'},
      {name: 'SRV-1', os: 'Windows Server 2019', managedBy: 'configmgr'},
    ])
    await backend.intune.createGroup({name: 'Sales users'})
    await backend.intune.addGroupMembers({group: 'Sales users', devices: [], users: ['bob@contoso.com']})
  })
  afterAll(() => cleanup())

  it('IN2/IN7: without policies Intune devices are compliant; toggles, minimum versions and other managers are not evaluated', async () => {
    const d = await byName()
    expect(d['FIN-LT-001']).toMatchObject({status: 'compliant', risk: 'None', policy: null})
    expect(d['FIN-LT-002']).toMatchObject({status: 'not-evaluated', reason: 'Windows 10.0.14393 is below the minimum 10.0.15063'})
    expect(d['IPAD-1'].reason).toMatch(/iOS toggle is off/)
    expect(d['SRV-1'].status).toBe('not-evaluated')
    expect(d['PHONE-1'].status).toBe('compliant')
  })

  it('IN4: an EDR profile on a device group onboards reached Intune Windows devices through the agent model', async () => {
    const created = await backend.intune.createEdrProfile({name: 'EDR Finance', sampleSharing: 'all', expediteTelemetry: false, deviceGroups: ['finance'], userGroups: ['Sales users']})
    expect(created.profile.deviceGroups).toEqual(['Finance'])
    const show = await backend.intune.showEdrProfile('EDR Finance')
    const states = Object.fromEntries(show.devices.map((x) => [x.deviceName, x]))
    expect(states['FIN-LT-001']).toMatchObject({onboarded: true, via: "device group 'Finance'"})
    expect(states['FIN-LT-002']).toMatchObject({onboarded: false})
    expect(states['PHONE-1'].reason).toMatch(/Windows 10 and later/)
    expect(states['SALES-LT-1']).toMatchObject({onboarded: true, via: "user group 'Sales users' (user bob@contoso.com signed in)"})
    // The same answer from the inventory's agent model.
    const fin = await backend.devices.get('FIN-LT-001')
    expect(fin.onboarding).toMatchObject({onboarded: true, path: 'intune', reason: "Onboarded through Intune EDR profile 'EDR Finance'."})
    expect((await backend.devices.get('FIN-LT-002')).onboarded).toBe(false)
    expect((await backend.devices.get('SALES-LT-1')).onboarding.path).toBe('intune')
  })

  it('IN4: a user-group member who has not signed in anywhere waits; the device is reached once the inventory shows the sign-in', async () => {
    await backend.intune.addGroupMembers({group: 'Sales users', devices: [], users: ['carol@contoso.com']})
    expect((await backend.intune.showEdrProfile('EDR Finance')).waitingUsers).toEqual(['carol@contoso.com'])
    await importDevices(backend, [{name: 'SALES-LT-2', os: 'Windows 10', version: '10.0.19044', managedBy: 'intune', user: 'carol@contoso.com'}])
    const show = await backend.intune.showEdrProfile('EDR Finance')
    expect(show.waitingUsers).toEqual([])
    expect(show.devices.find((x) => x.deviceName === 'SALES-LT-2')).toMatchObject({onboarded: true})
  })

  it('IN7/IN8: an EICAR alert makes the device noncompliant under clear and blocks access; resolving restores it', async () => {
    await backend.compliance.create({name: 'Windows baseline', platform: 'windows', maxRisk: 'clear'})
    await createAccessPolicy(backend, {name: 'Require compliant device', includeGroups: ['all'], excludeGroups: [], apps: ['SharePoint'], clients: ['browser'], grant: 'compliant-device', enabled: true, profile: 'test'})
    const check = () => checkAccess(backend, {user: 'alice@contoso.com', device: 'FIN-LT-001', app: 'sharepoint', client: 'browser', profile: 'test'})
    expect((await check()).decision).toBe('grant')

    const submitted = await backend.detection.submitFile({device: 'FIN-LT-001', fileName: 'eicar.com', path: 'C:\\Temp\\eicar.com', contentBase64: eicarBytes().toString('base64')})
    expect(submitted.detected).toBe(true)
    const severity = submitted.alert!.severity
    expect((await byName())['FIN-LT-001']).toMatchObject({status: 'noncompliant', risk: severity, policy: 'Windows baseline', maxRisk: 'clear'})
    const blocked = await check()
    expect(blocked.decision).toBe('block')
    expect(blocked.explanation).toBe(`blocked by 'Require compliant device': device risk ${severity} is above the maximum Clear of policy 'Windows baseline' (clear allows no active alert)`)

    await backend.alerts.resolve(submitted.alert!.id)
    expect((await check()).decision).toBe('grant')
  })

  it('IN5: a ConfigMgr policy is not deployed here, so no conflicts are reported', async () => {
    expect((await backend.intune.showEdrProfile('EDR Finance')).conflicts).toEqual([])
  })
})
