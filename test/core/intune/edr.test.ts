import {edrGraphBody, edrOnboarding, edrReach, findConflicts} from '../../../src/core/intune/edr.js'
import {iosAppConfigGraphBody, IOS_SUPERVISED} from '../../../src/core/intune/app-config.js'
import type {EdrProfile, IntuneDeviceFacts} from '../../../src/core/intune/types.js'
import {connection} from './fixtures.js'

const profile: EdrProfile = {
  id: 'p1',
  name: 'EDR onboarding',
  description: null,
  platform: 'windows10',
  sampleSharing: 'all',
  expediteTelemetry: true,
  deviceGroups: ['Finance'],
  userGroups: ['Sales users'],
  createdAt: '2026-01-01T00:00:00.000Z',
}

const device = (over: Partial<IntuneDeviceFacts> = {}): IntuneDeviceFacts => ({
  id: '1',
  name: 'LT-1',
  user: null,
  groups: [],
  osFamily: 'windows',
  osVersion: '10.0.19045',
  managedByIntune: true,
  risk: 'None',
  ...over,
})

describe('IN4 EDR profile reach and onboarding', () => {
  it('IN4: a device-group assignment reaches the group members (case-insensitive)', () => {
    expect(edrReach(profile, device({groups: ['finance']}), [])).toBe("device group 'Finance'")
    expect(edrReach(profile, device({groups: ['HR']}), [])).toBeNull()
  })

  it('IN4: a user-group assignment reaches a device only once that user has signed in there', () => {
    // Given a member of the user group who has not signed in on this device (no inventory user)
    expect(edrReach(profile, device({user: null}), ['Sales users'])).toBeNull()
    // When the inventory shows the user signed in there
    expect(edrReach(profile, device({user: 'bob@contoso.com'}), ['Sales users'])).toBe("user group 'Sales users' (user bob@contoso.com signed in)")
    // A signed-in user outside the group does not bring the profile
    expect(edrReach(profile, device({user: 'eve@contoso.com'}), ['HR users'])).toBeNull()
  })

  it('IN2/IN4: a reached Intune-managed Windows 10.0.15063+ device with the Windows toggle on is onboarded', () => {
    const via = "device group 'Finance'"
    expect(edrOnboarding(device(), via, connection())).toMatchObject({onboarded: true, reason: `onboarded through ${via}`})
    expect(edrOnboarding(device({osVersion: '10.0.14393'}), via, connection()).reason).toMatch(/below the minimum 10.0.15063/)
    expect(edrOnboarding(device(), via, connection({windows: false, android: true})).reason).toMatch(/Windows toggle is off/)
    expect(edrOnboarding(device({managedByIntune: false}), via, connection()).reason).toBe('the device is not managed by Intune')
    expect(edrOnboarding(device({osFamily: 'macos'}), via, connection()).reason).toMatch(/Windows 10 and later/)
    expect(edrOnboarding(device(), null, connection())).toMatchObject({onboarded: false, reason: 'not assigned'})
  })

  it('IN5: an EDR profile and a ConfigMgr policy setting sample sharing differently conflict; the same value does not', () => {
    const d = device()
    expect(findConflicts(d, [profile], [{type: 'ConfigMgr', name: 'CM onboarding', sampleSharing: 'none'}])).toEqual([
      {deviceId: '1', deviceName: 'LT-1', setting: 'sample sharing', edrProfile: 'EDR onboarding', edrValue: 'all', otherPolicyType: 'ConfigMgr', otherPolicy: 'CM onboarding', otherValue: 'none'},
    ])
    expect(findConflicts(d, [profile], [{type: 'ConfigMgr', name: 'CM onboarding', sampleSharing: 'all'}])).toEqual([])
  })

  it('IN4: the Graph body carries the settings-catalog choices of REFERENCE §4.3', () => {
    const body = edrGraphBody(profile) as {platforms: string; technologies: string; settings: {settingInstance: {choiceSettingValue: {value: string}}}[]}
    expect(body.platforms).toBe('windows10')
    expect(body.technologies).toBe('mdm,microsoftSense')
    expect(body.settings.map((s) => s.settingInstance.choiceSettingValue.value)).toEqual([
      'device_vendor_msft_windowsadvancedthreatprotection_configurationtype_autofromconnector',
      'device_vendor_msft_windowsadvancedthreatprotection_configuration_samplesharing_1',
      'device_vendor_msft_windowsadvancedthreatprotection_configuration_telemetryreportingfrequency_2',
    ])
  })

  it('IN6: the iOS app configuration has key issupervised, string value {{issupervised}}', () => {
    const body = iosAppConfigGraphBody({name: 'x', bundleId: IOS_SUPERVISED.bundleId, settings: [{key: IOS_SUPERVISED.key, value: IOS_SUPERVISED.value}]})
    expect(body.settings).toEqual([{appConfigKey: 'issupervised', appConfigKeyType: 'stringType', appConfigKeyValue: '{{issupervised}}'}])
  })
})
