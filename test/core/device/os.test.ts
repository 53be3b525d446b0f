import {
  classifyOs,
  DEFAULT_CONFIGMGR_VERSION,
  OsClassificationError,
  parseConfigMgrVersion,
  supportedByConfigMgr,
  windows10Build,
  windowsRelease,
} from '../../../src/core/device/os.js'

describe('OS classification (CM1, CM2)', () => {
  // [os text, version column, family, build, level, minConfigMgr]
  const table: [string, string | undefined, string, number | null, string, number | null][] = [
    // CM2 up-level: Windows 10 1607+, Server 2016 1803+, Server 2019
    ['Windows 10 Enterprise', '1607', 'windows', 14393, 'up-level', 0],
    ['Windows 10 Enterprise', '10.0.14393', 'windows', 14393, 'up-level', 0],
    ['Windows 10 Pro', '1803', 'windows', 17134, 'up-level', 0],
    ['Windows 10 Enterprise', '10.0.17134', 'windows', 17134, 'up-level', 0],
    ['Windows 10 Enterprise version 1709', undefined, 'windows', 16299, 'up-level', 0],
    ['Windows 10 Pro', '22H2', 'windows', 19045, 'up-level', 0],
    ['Microsoft Windows NT Workstation 10.0', '10.0.19044', 'windows', 19044, 'up-level', 0],
    ['Windows Server 2016 Datacenter', '1803', 'windows-server', 17134, 'up-level', 2002],
    ['Windows Server 2016 Datacenter', '10.0.17134', 'windows-server', 17134, 'up-level', 2002],
    ['Windows Server 2019 Standard', undefined, 'windows-server', 17763, 'up-level', 2002],
    ['Microsoft Windows NT Server 10.0', '10.0.17763', 'windows-server', 17763, 'up-level', 2002],
    // CM2: later systems not named in the seeds count as up-level
    ['Windows 11 Enterprise', undefined, 'windows', null, 'up-level', 0],
    ['Windows 11 Enterprise', '23H2', 'windows', 22631, 'up-level', 0],
    ['Microsoft Windows NT Workstation 10.0', '10.0.22621', 'windows', 22621, 'up-level', 0],
    ['Windows Server 2022 Datacenter', undefined, 'windows-server', 20348, 'up-level', 2002],
    ['Windows Server 2025 Standard', undefined, 'windows-server', 26100, 'up-level', 2002],
    // CM2 down-level: Windows 8.1, Server 2012 R2, Server 2016 1709 and earlier
    ['Windows 8.1 Pro', undefined, 'windows', 9600, 'down-level', 2002],
    ['Microsoft Windows NT Workstation 6.3', '6.3.9600', 'windows', 9600, 'down-level', 2002],
    ['Windows Server 2012 R2 Standard', undefined, 'windows-server', 9600, 'down-level', 2002],
    ['Microsoft Windows Server 2016 Datacenter', undefined, 'windows-server', 14393, 'down-level', 2002],
    ['Microsoft Windows Server 2016 Datacenter', '10.0.14393', 'windows-server', 14393, 'down-level', 2002],
    ['Windows Server 2016 Datacenter', '1709', 'windows-server', 16299, 'down-level', 2002],
    ['Windows Server 2016 Datacenter', '10.0.16299', 'windows-server', 16299, 'down-level', 2002],
    // CM1: not onboardable by ConfigMgr
    ['Windows 10 Enterprise', '1511', 'windows', 10586, 'unsupported', null],
    ['Windows 10 Enterprise', '10.0.10240', 'windows', 10240, 'unsupported', null],
    ['Windows 10 Enterprise', undefined, 'windows', null, 'unsupported', null],
    ['Windows 7 Enterprise', undefined, 'windows', null, 'unsupported', null],
    ['Windows 8 Pro', undefined, 'windows', null, 'unsupported', null],
    ['Windows Server 2012 Standard', undefined, 'windows-server', 9200, 'unsupported', null],
    ['Windows Server 2008 R2 Datacenter', undefined, 'windows-server', 7601, 'unsupported', null],
    ['Ubuntu 22.04', undefined, 'linux', null, 'unsupported', null],
    ['Red Hat Enterprise Linux 8.6', undefined, 'linux', null, 'unsupported', null],
    ['macOS 14.4', undefined, 'macos', null, 'unsupported', null],
    ['iOS 17.2', undefined, 'ios', null, 'unsupported', null],
    ['Android 13', undefined, 'android', null, 'unsupported', null],
  ]

  it.each(table)('%s (version %s) is %s build %s, %s (min ConfigMgr %s)', (os, version, family, build, level, min) => {
    const c = classifyOs(os, version)
    expect({family: c.family, build: c.build, level: c.level, minConfigMgr: c.minConfigMgr}).toEqual({family, build, level, minConfigMgr: min})
  })

  it('names Server 2016 releases by build: 2016 vs 1709 vs 1803 (CM2)', () => {
    expect(classifyOs('Windows Server 2016 Standard').name).toBe('Windows Server 2016')
    expect(classifyOs('Windows Server 2016 Standard', '1709').name).toBe('Windows Server 2016 1709')
    expect(classifyOs('Windows Server 2016 Standard', '1803').name).toBe('Windows Server 2016 1803')
    expect(classifyOs('Windows Server 2016 Standard', '10.0.17763').name).toBe('Windows Server 2019')
  })

  it('maps every Windows 10 release to its build and back', () => {
    const pairs: [string, number][] = [
      ['1507', 10240], ['1511', 10586], ['1607', 14393], ['1703', 15063], ['1709', 16299], ['1803', 17134], ['1809', 17763],
      ['1903', 18362], ['1909', 18363], ['2004', 19041], ['20H2', 19042], ['21H1', 19043], ['21H2', 19044], ['22H2', 19045],
    ]
    for (const [release, build] of pairs) {
      expect(windows10Build(release)).toBe(build)
      expect(windowsRelease(build)).toBe(release)
    }

    expect(windowsRelease(22000)).toBe('21H2') // Windows 11 21H2
    expect(windows10Build('20h2')).toBe(19042)
  })

  it('detects Windows 10 Enterprise multi-session (DC5)', () => {
    expect(classifyOs('Windows 10 Enterprise multi-session', '21H2').multiSession).toBe(true)
    expect(classifyOs('Windows 10 Enterprise', '21H2').multiSession).toBe(false)
  })

  it.each([
    ['Windows 10 Enterprise', '1805'], // not a release
    ['Windows 10 Enterprise', '10.0.17134-beta'],
    ['Windows 10', '1803 and 10.0.17763'],
    ['Windows Server Datacenter', undefined], // no year, no build
    ['Solaris 11', undefined],
    ['', undefined],
  ])('rejects %j version %j', (os, version) => {
    expect(() => classifyOs(os, version)).toThrow(OsClassificationError)
  })

  it('rejects a release and build that disagree', () => {
    expect(() => classifyOs('Windows 10 Enterprise 1803', '10.0.17763')).toThrow(/1803 is build 17134/)
  })

  describe('ConfigMgr version boundaries (CM1)', () => {
    const win10 = classifyOs('Windows 10 Enterprise', '1607')
    const win11 = classifyOs('Windows 11 Enterprise', '23H2')
    const win81 = classifyOs('Windows 8.1 Pro')
    const s2012r2 = classifyOs('Windows Server 2012 R2 Standard')
    const s2016 = classifyOs('Windows Server 2016 Standard')
    const s1803 = classifyOs('Windows Server 2016 Standard', '1803')
    const s2019 = classifyOs('Windows Server 2019 Standard')
    const w1511 = classifyOs('Windows 10 Enterprise', '1511')
    const ubuntu = classifyOs('Ubuntu 22.04')

    it.each([1802, 1906, 1910])('ConfigMgr %i onboards only Windows 10 1607+ (and Windows 11)', (v) => {
      expect(supportedByConfigMgr(win10, v)).toBe(true)
      expect(supportedByConfigMgr(win11, v)).toBe(true)
      for (const os of [win81, s2012r2, s2016, s1803, s2019, w1511, ubuntu]) expect(supportedByConfigMgr(os, v)).toBe(false)
    })

    it.each([2002, 2006, 2103, 2403])('ConfigMgr %i also onboards Windows 8.1 and Windows Server 2012 R2/2016/1803/2019', (v) => {
      for (const os of [win10, win11, win81, s2012r2, s2016, s1803, s2019]) expect(supportedByConfigMgr(os, v)).toBe(true)
      for (const os of [w1511, ubuntu]) expect(supportedByConfigMgr(os, v)).toBe(false)
    })

    it('parses ConfigMgr versions (YYMM) and has a default', () => {
      expect(parseConfigMgrVersion('2002')).toBe(2002)
      expect(parseConfigMgrVersion('1910')).toBe(1910)
      expect(parseConfigMgrVersion('2013')).toBeUndefined()
      expect(parseConfigMgrVersion('20.02')).toBeUndefined()
      expect(parseConfigMgrVersion('0902')).toBeUndefined()
      expect(DEFAULT_CONFIGMGR_VERSION).toBeGreaterThanOrEqual(2002)
    })
  })
})
