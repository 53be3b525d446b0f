import type {Backend} from '../../../src/core/port/types.js'
import {normaliseRow, type RawRow} from '../../../src/core/device/inventory.js'
import {tempBackend} from '../../helpers/backend.js'

const seen = new Date(Date.now() - 3_600_000).toISOString()
const importDevices = (backend: Backend, rows: RawRow[]) => backend.devices.import({records: rows.map((r, i) => normaliseRow({lastSeen: seen, ...r}, i + 2))})

// IN2 + IN4: a device an EDR profile reaches but does not onboard is explained by the EDR rule
// itself, in `device show` and in `edr-profile show` alike, instead of being told to get a profile.
describe('IN4: one reason for a reached Intune device the EDR profile does not onboard', () => {
  let backend: Backend
  let cleanup: () => Promise<void>
  beforeAll(async () => {
    ;({backend, cleanup} = await tempBackend({withTenant: true}))
    await backend.integrations.setIntune(true, {windows: true})
    await importDevices(backend, [
      {name: 'OLD-LT-1', os: 'Windows 10 Enterprise', version: '10.0.14393', managedBy: 'intune', groups: 'Pilot'},
      {name: 'NEW-LT-1', os: 'Windows 10 Enterprise', version: '10.0.19045', managedBy: 'intune', groups: 'Pilot'},
      {name: 'NOPROF-1', os: 'Windows 10 Enterprise', version: '10.0.19045', managedBy: 'intune', groups: 'Other'},
    ])
    await backend.intune.createEdrProfile({name: 'EDR pilot', sampleSharing: 'all', expediteTelemetry: false, deviceGroups: ['Pilot'], userGroups: []})
  })
  afterAll(() => cleanup())

  it('a Windows 10 build below 15063 is below the minimum, in both places, with the profile named', async () => {
    const old = await backend.devices.get('OLD-LT-1')
    expect(old.onboarding.reasonCode).toBe('intune-edr-not-onboarding')
    expect(old.onboarding.reason).toMatch(/EDR profile 'EDR pilot' reaches it, but Windows 10\.0\.14393 is below the minimum 10\.0\.15063/)
    expect(old.onboarding.reason).not.toMatch(/onboard it with an EDR profile/)
    const profile = await backend.intune.showEdrProfile('EDR pilot')
    const reached = profile.devices.find((d) => d.deviceName === 'OLD-LT-1')!
    expect(reached.onboarded).toBe(false)
    expect(old.onboarding.reason).toContain(reached.reason)
  })

  it('a supported device is onboarded through the profile, and one no profile reaches is told to get one', async () => {
    expect((await backend.devices.get('NEW-LT-1')).onboarding).toMatchObject({onboarded: true, reasonCode: 'intune-onboarded'})
    expect((await backend.devices.get('NOPROF-1')).onboarding.reasonCode).toBe('intune-edr-profile')
  })

  it('with the Windows toggle off, the reached device says so', async () => {
    await backend.integrations.setIntune(true, {windows: false})
    const d = await backend.devices.get('NEW-LT-1')
    expect(d.onboarding.reasonCode).toBe('intune-edr-not-onboarding')
    expect(d.onboarding.reason).toMatch(/Windows toggle is off/)
    await backend.integrations.setIntune(true, {windows: true})
  })
})
