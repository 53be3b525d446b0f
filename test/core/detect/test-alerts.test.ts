import {isActivity, matchActivity, parseTestAlertOs, TEST_ALERTS, WINDOWS_TEST_COMMAND} from '../../../src/core/detect/test-alerts.js'

describe('test-alert rules (SPEC DC8, DT2)', () => {
  it('DC8: each documented procedure raises its alert with the documented title and severity', () => {
    expect(matchActivity('windows', TEST_ALERTS.windows.activity)).toMatchObject({title: '[TestAlert] Suspicious PowerShell CommandLine', severity: 'Informational'})
    expect(matchActivity('linux', TEST_ALERTS.linux.activity)).toMatchObject({title: 'Enumeration of files with sensitive data', severity: 'Low'})
    expect(matchActivity('macos', TEST_ALERTS.macos.activity)).toMatchObject({title: 'macOS EDR Test Alert'})
  })

  it('DC8: the Windows procedure prints the seed 002 command verbatim', () => {
    expect(WINDOWS_TEST_COMMAND).toBe(
      String.raw`powershell.exe -NoExit -ExecutionPolicy Bypass -WindowStyle Hidden (New-Object System.Net.WebClient).DownloadFile('http://127.0.0.1/1.exe', 'C:\\test-MDATP-test\\invoice.exe'); Start-Process 'C:\\test-MDATP-test\\invoice.exe'`,
    )
    expect(TEST_ALERTS.windows.steps.join('\n')).toContain(WINDOWS_TEST_COMMAND)
    expect(TEST_ALERTS.linux.steps.join('\n')).toContain('https://aka.ms/LinuxDIY')
    expect(TEST_ALERTS.linux.steps.join('\n')).toContain('./mde_linux_edr_diy')
  })

  it('DC8: the newer documented Windows variant (test-WDATP-test, ErrorActionPreference) matches too', () => {
    const newer = String.raw`powershell.exe -NoExit -ExecutionPolicy Bypass -WindowStyle Hidden $ErrorActionPreference='silentlycontinue';(New-Object System.Net.WebClient).DownloadFile('http://127.0.0.1/1.exe', 'C:\\test-WDATP-test\\invoice.exe');Start-Process 'C:\\test-WDATP-test\\invoice.exe'`
    expect(matchActivity('windows', {type: 'process', image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', commandLine: newer})).not.toBeNull()
  })

  it('DC8: unrelated PowerShell, a different folder or another program does not match', () => {
    const image = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'
    expect(matchActivity('windows', {type: 'process', image, commandLine: 'powershell.exe Get-Process'})).toBeNull()
    expect(matchActivity('windows', {type: 'process', image, commandLine: WINDOWS_TEST_COMMAND.replaceAll('test-MDATP-test', 'Users\\me')})).toBeNull()
    expect(matchActivity('windows', {type: 'process', image: 'C:\\Windows\\notepad.exe', commandLine: 'notepad.exe readme.txt'})).toBeNull()
    // An activity of the wrong kind for the OS
    expect(matchActivity('windows', TEST_ALERTS.linux.activity)).toBeNull()
  })

  it('DC8: Linux needs at least three distinct sensitive files read by one process', () => {
    const base = {type: 'file-access' as const, image: '/usr/bin/cat', commandLine: 'cat'}
    expect(matchActivity('linux', {...base, paths: ['/etc/shadow', '/etc/passwd']})).toBeNull()
    expect(matchActivity('linux', {...base, paths: ['/etc/shadow', '/etc/shadow', '/etc/shadow', '/tmp/a']})).toBeNull()
    expect(matchActivity('linux', {...base, paths: ['/etc/shadow', '/etc/passwd', '/home/ann/.ssh/id_ed25519']})).not.toBeNull()
  })

  it('DC8: macOS matches only the DIY app bundle', () => {
    expect(matchActivity('macos', {type: 'app-launch', bundlePath: '/Users/ann/Downloads/MDATP MacOS DIY.app', bundleId: null})).not.toBeNull()
    expect(matchActivity('macos', {type: 'app-launch', bundlePath: '/Applications/Safari.app', bundleId: 'com.apple.Safari'})).toBeNull()
  })

  it('validates activities from the wire and OS names', () => {
    expect(isActivity(TEST_ALERTS.windows.activity)).toBe(true)
    expect(isActivity({type: 'process', image: 1, commandLine: 'x'})).toBe(false)
    expect(isActivity({type: 'file-access', image: 'a', commandLine: 'b', paths: [1]})).toBe(false)
    expect(isActivity(null)).toBe(false)
    expect(parseTestAlertOs('Windows')).toBe('windows')
    expect(() => parseTestAlertOs('beos')).toThrow(expect.objectContaining({exitCode: 2}))
  })
})
