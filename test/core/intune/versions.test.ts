import {compareVersions, intunePlatformOf, versionParts} from '../../../src/core/intune/versions.js'

describe('IN2 version comparison', () => {
  it('compares dotted versions numerically, missing parts as zero', () => {
    expect(compareVersions('10.0.15063', '10.0.15063')).toBe(0)
    expect(compareVersions('10.0.9999', '10.0.15063')).toBe(-1)
    expect(compareVersions('10.0.19045.2965', '10.0.15063')).toBe(1)
    expect(compareVersions('6', '6.0.0')).toBe(0)
    expect(compareVersions('12', '6.0.0')).toBe(1)
    expect(compareVersions('8.0', '13.0')).toBe(-1)
    expect(versionParts('17.4 beta')).toEqual([17, 4])
    expect(versionParts('unknown')).toEqual([])
  })

  it('maps OS families to connector platforms; servers, macOS and Linux have none', () => {
    expect(intunePlatformOf('windows')).toBe('windows')
    expect(intunePlatformOf('android')).toBe('android')
    expect(intunePlatformOf('ios')).toBe('ios')
    expect(intunePlatformOf('windows-server')).toBeNull()
    expect(intunePlatformOf('macos')).toBeNull()
  })
})
