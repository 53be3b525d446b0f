/**
 * The carrier files of a package, written with the escaping depth of the real ones
 * (REFERENCE §1.2, §1.4): the Windows `.cmd` (reg add /d quoting), the configuration blob,
 * the GP ADMX/ADML, the VDI helper, the Linux Python script (''' literal around
 * `mdatp_onboard.json` around the envelope string), and the macOS plist/mobileconfigs.
 * The scripts are our own text reproducing the observable behaviour listed in the reference.
 */
import {createHash} from 'node:crypto'
import {encodeCmdArgument, encodePythonTripleQuoted, escapeXml} from './escape.js'
import {OFFBOARDING_VALUE, ONBOARDING_VALUE} from './carriers.js'

const crlf = (lines: string[]) => lines.join('\r\n') + '\r\n'
const POLICY_KEY = 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Advanced Threat Protection'
const STATUS_KEY = 'HKLM\\SOFTWARE\\Microsoft\\Windows Advanced Threat Protection\\Status'
const TROUBLESHOOT = 'https://go.microsoft.com/fwlink/p/?linkid=822807'
const SDBIN =
  '0100048044000000540000000000000014000000020030000200000000001400FF0F120001010000000000051200000000001400E104120001010000000000050B0000000102000000000005200000002002000001020000000000052000000020020000'

function errorBlock(source: string): string[] {
  return [
    ':ERROR',
    'set /P errorMsg=<%TMP%\\senseTmp.txt',
    'set "errorOutput=[Error Id: %errorCode%, Error Level: %lastError%] %errorDescription% Error message: %errorMsg%"',
    'echo %errorOutput%',
    `echo %troubleshootInfo%`,
    `eventcreate /l Application /so ${source} /t Error /id %errorCode% /d "%errorOutput%" >NUL 2>&1`,
    'GOTO CLEANUP',
    '',
    ':CLEANUP',
    'if exist %TMP%\\senseTmp.txt del %TMP%\\senseTmp.txt',
    'EXIT /B %errorCode%',
  ]
}

/** `WindowsDefenderATPOnboardingScript.cmd`: GP (silent) or local-script (asks first) variant. */
export function windowsOnboardingCmd(envelopeText: string, variant: 'group-policy' | 'local-script'): string {
  const interactive = variant === 'local-script'
  const out = interactive ? '' : ' >NUL 2>&1'
  return crlf([
    '@echo off',
    `echo Starting Microsoft Defender for Endpoint onboarding process...${out}`,
    'set errorCode=0',
    'set lastError=0',
    `set "troubleshootInfo=For more information, visit: ${TROUBLESHOOT}"`,
    'set "errorDescription="',
    '',
    ...(interactive
      ? [
          'echo This script is for onboarding machines to Microsoft Defender for Endpoint services, including security and compliance products.',
          'echo Once completed, the machine should light up in the portal within 5-30 minutes, depending on this machine\'s Internet connectivity availability and machine power state (plugged in vs. battery powered).',
          'echo IMPORTANT: This script is optimized for onboarding a small number of machines and should not be used for large scale deployment.',
          'set /p shouldContinue= "Press (Y) to confirm and continue or (N) to cancel and exit: "',
          'IF /I NOT [%shouldContinue%] == [Y] (',
          '\techo Exiting without onboarding',
          '\tEXIT /B 0',
          ')',
          '',
        ]
      : []),
    `net session >NUL 2>&1`,
    'if %ERRORLEVEL% NEQ 0 (',
    '\techo Script is running with insufficient privileges. Please run with administrator privileges> %TMP%\\senseTmp.txt',
    '\tset errorCode=65',
    '\tset lastError=%ERRORLEVEL%',
    '\tGOTO ERROR',
    ')',
    '',
    'IF [%PROCESSOR_ARCHITEW6432%] EQU [] (',
    '  set powershellPath=%windir%\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    ') ELSE (',
    '  set powershellPath=%windir%\\SysNative\\WindowsPowerShell\\v1.0\\powershell.exe',
    ')',
    '',
    `set sdbin=${SDBIN}`,
    'reg add HKLM\\SYSTEM\\CurrentControlSet\\Control\\WMI\\Security /v 14f8138e-3b61-580b-544b-2609378ae460 /t REG_BINARY /d %sdbin% /f >NUL 2>&1',
    'reg add HKLM\\SYSTEM\\CurrentControlSet\\Control\\WMI\\Security /v cb2ff72d-d4e4-585d-33f9-f3a395c40be7 /t REG_BINARY /d %sdbin% /f >NUL 2>&1',
    'REG add "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\DataCollection" /v DisableEnterpriseAuthProxy /t REG_DWORD /f /d 1 >NUL 2>&1',
    `%powershellPath% -ExecutionPolicy Bypass -NoProfile -Command "Add-Type 'using System; using System.IO; using System.Runtime.InteropServices; using Microsoft.Win32.SafeHandles; public static class Elam { [DllImport(\\"Kernel32\\", SetLastError=true)] public static extern bool InstallELAMCertificateInfo(SafeFileHandle handle); }'; $s = [System.IO.File]::Open($env:SystemRoot + '\\System32\\Drivers\\WdBoot.sys', 'Open', 'Read', 'Read'); [void][Elam]::InstallELAMCertificateInfo($s.SafeFileHandle)" >NUL 2>&1`,
    '',
    `REG query "${POLICY_KEY}" /v ${OFFBOARDING_VALUE} /reg:64 > %TMP%\\senseTmp.txt 2>&1`,
    'if %ERRORLEVEL% EQU 0 (',
    `    REG delete "${POLICY_KEY}" /v ${OFFBOARDING_VALUE} /f > %TMP%\\senseTmp.txt 2>&1`,
    '    if %ERRORLEVEL% NEQ 0 (',
    '        set "errorDescription=Unable to delete previous offboarding information from registry."',
    '        set errorCode=5',
    '        set lastError=%ERRORLEVEL%',
    '        GOTO ERROR',
    '    )',
    ')',
    '',
    `REG add "${POLICY_KEY}" /v ${ONBOARDING_VALUE} /t REG_SZ /f /d "${encodeCmdArgument(envelopeText)}" > %TMP%\\senseTmp.txt 2>&1`,
    'if %ERRORLEVEL% NEQ 0 (',
    '   set "errorDescription=Unable to write onboarding information to registry."',
    '   set errorCode=10',
    '   set lastError=%ERRORLEVEL%',
    '   GOTO ERROR',
    ')',
    ...(interactive ? [`REG add "${POLICY_KEY}" /v latency /t REG_SZ /f /d "Demo" >NUL 2>&1`] : []),
    '',
    'sc query "SENSE" | find /i "RUNNING" >NUL 2>&1',
    'if %ERRORLEVEL% EQU 0 (',
    '\teventcreate /l Application /so WDATPOnboarding /t Information /id 10 /d "The Microsoft Defender for Endpoint Service is already running!" >NUL 2>&1',
    '\tGOTO WAIT_FOR_ONBOARDING',
    ')',
    'net start sense > %TMP%\\senseTmp.txt 2>&1',
    'set /a counter=0',
    ':SENSE_RUNNING_WAIT',
    'sc query "SENSE" | find /i "RUNNING" >NUL 2>&1',
    'if %ERRORLEVEL% NEQ 0 (',
    '\tIF %counter% EQU 4 (',
    '\t\tset "errorDescription=Unable to start Microsoft Defender for Endpoint Service."',
    '\t\tset errorCode=15',
    '\t\tset lastError=%ERRORLEVEL%',
    '\t\tGOTO ERROR',
    '\t)',
    '\tset /a counter=%counter%+1',
    '\ttimeout 5 >NUL 2>&1',
    '\tGOTO SENSE_RUNNING_WAIT',
    ')',
    '',
    ':WAIT_FOR_ONBOARDING',
    'set /a counter=0',
    ':SENSE_ONBOARDED_STATUS_WAIT',
    `REG query "${STATUS_KEY}" /v OnboardingState /reg:64 >NUL 2>&1`,
    'if %ERRORLEVEL% NEQ 0 (',
    '\tIF %counter% EQU 4 (',
    '\t\techo Microsoft Defender for Endpoint Service is not running as expected> %TMP%\\senseTmp.txt',
    '\t\tset errorCode=35',
    '\t\tset lastError=%ERRORLEVEL%',
    '\t\tGOTO ERROR',
    '\t)',
    '\tset /a counter=%counter%+1',
    '\ttimeout 5 >NUL 2>&1',
    '\tGOTO SENSE_ONBOARDED_STATUS_WAIT',
    ')',
    `REG query "${STATUS_KEY}" /v OnboardingState /reg:64 | find /i "0x1" >NUL 2>&1`,
    'if %ERRORLEVEL% NEQ 0 (',
    '\techo Microsoft Defender for Endpoint Service is not running as expected> %TMP%\\senseTmp.txt',
    '\tset errorCode=40',
    '\tset lastError=%ERRORLEVEL%',
    '\tGOTO ERROR',
    ')',
    '',
    'set "successOutput=Successfully onboarded machine to Microsoft Defender for Endpoint"',
    `echo %successOutput%${out}`,
    'eventcreate /l Application /so WDATPOnboarding /t Information /id 20 /d "%successOutput%" >NUL 2>&1',
    ...(interactive ? [] : ['"%PROGRAMFILES%\\Windows Defender\\MpCmdRun.exe" -ReloadEngine >NUL 2>&1']),
    'GOTO CLEANUP',
    '',
    ...errorBlock('WDATPOnboarding'),
  ])
}

/** `WindowsDefenderATPOffboardingScript_valid_until_YYYY-MM-DD.cmd` (OFFCMD, newer variant). */
export function windowsOffboardingCmd(envelopeText: string, orgId: string): string {
  return crlf([
    '@echo off',
    'echo Starting Microsoft Defender for Endpoint offboarding process...',
    'set errorCode=0',
    'set lastError=0',
    `set "troubleshootInfo=For more information, visit: ${TROUBLESHOOT}"`,
    'set "errorDescription="',
    '',
    'net session >NUL 2>&1',
    'if %ERRORLEVEL% NEQ 0 (',
    '\techo Script is running with insufficient privileges. Please run with administrator privileges> %TMP%\\senseTmp.txt',
    '\tset errorCode=65',
    '\tset lastError=%ERRORLEVEL%',
    '\tGOTO ERROR',
    ')',
    '',
    `REG query "${STATUS_KEY}" /v OrgId /reg:64 > %TMP%\\senseOrgId.txt 2>&1`,
    'if %ERRORLEVEL% EQU 0 (',
    `\tfind /i "${orgId}" %TMP%\\senseOrgId.txt >NUL 2>&1`,
    '\tif %ERRORLEVEL% NEQ 0 (',
    '\t\techo Machine is onboarded to a different org> %TMP%\\senseTmp.txt',
    '\t\tset "errorDescription=Machine is onboarded to a different org."',
    '\t\tset errorCode=70',
    '\t\tset lastError=%ERRORLEVEL%',
    '\t\tGOTO ERROR',
    '\t)',
    ')',
    '',
    `REG query "${POLICY_KEY}" /v ${ONBOARDING_VALUE} /reg:64 > %TMP%\\senseTmp.txt 2>&1`,
    'if %ERRORLEVEL% EQU 0 (',
    `    REG delete "${POLICY_KEY}" /v ${ONBOARDING_VALUE} /f > %TMP%\\senseTmp.txt 2>&1`,
    '    if %ERRORLEVEL% NEQ 0 (',
    '        set "errorDescription=Unable to delete previous onboarding information from registry."',
    '        set errorCode=5',
    '        set lastError=%ERRORLEVEL%',
    '        GOTO ERROR',
    '    )',
    ')',
    '',
    `REG add "${POLICY_KEY}" /v ${OFFBOARDING_VALUE} /t REG_SZ /f /d "${encodeCmdArgument(envelopeText)}" > %TMP%\\senseTmp.txt 2>&1`,
    'if %ERRORLEVEL% NEQ 0 (',
    '   set "errorDescription=Unable to write offboarding information to registry."',
    '   set errorCode=10',
    '   set lastError=%ERRORLEVEL%',
    '   GOTO ERROR',
    ')',
    '',
    'set /a counter=0',
    ':SENSE_STOPPED_WAIT',
    'sc query "SENSE" | find /i "STOPPED" >NUL 2>&1',
    'if %ERRORLEVEL% NEQ 0 (',
    '\tIF %counter% EQU 10 (',
    '\t\tset "errorDescription=Unable to stop Microsoft Defender for Endpoint Service."',
    '\t\tset errorCode=15',
    '\t\tset lastError=%ERRORLEVEL%',
    '\t\tGOTO ERROR',
    '\t)',
    '\tset /a counter=%counter%+1',
    '\ttimeout 10 >NUL 2>&1',
    '\tGOTO SENSE_STOPPED_WAIT',
    ')',
    '',
    'set "successOutput=Successfully offboarded machine from Microsoft Defender for Endpoint"',
    'echo %successOutput%',
    'eventcreate /l Application /so WDATPOffboarding /t Information /id 20 /d "%successOutput%" >NUL 2>&1',
    'GOTO CLEANUP',
    '',
    ...errorBlock('WDATPOffboarding'),
  ])
}

/** `Onboard-NonPersistentMachine.ps1`: runs the onboarding script once per VDI device name. */
export function vdiHelperPs1(scriptName: string): string {
  return crlf([
    '# Onboards a non-persistent VDI machine once, at startup, under a single device entry.',
    '# Copy this file and ' + scriptName + ' to C:\\WINDOWS\\System32\\GroupPolicy\\Machine\\Scripts\\Startup.',
    '$ErrorActionPreference = "Stop"',
    '$statusKey = "HKLM:\\SOFTWARE\\Microsoft\\Windows Advanced Threat Protection\\Status"',
    '$state = (Get-ItemProperty -Path $statusKey -Name OnboardingState -ErrorAction SilentlyContinue).OnboardingState',
    'if ($state -eq 1) {',
    '    Write-Output "Already onboarded; nothing to do."',
    '    exit 0',
    '}',
    '$script = Join-Path $PSScriptRoot "' + scriptName + '"',
    '$process = Start-Process -FilePath "cmd.exe" -ArgumentList "/c `"$script`"" -Wait -PassThru -WindowStyle Hidden',
    'exit $process.ExitCode',
  ])
}

/** `OptionalParamsPolicy/AtpConfiguration.admx` (sample collection policy, GP). */
export function admx(): string {
  return crlf([
    '<?xml version="1.0" encoding="utf-8"?>',
    '<policyDefinitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">',
    '  <policyNamespaces>',
    '    <target prefix="atpconfiguration" namespace="Microsoft.Policies.WindowsDefenderATP" />',
    '    <using prefix="windows" namespace="Microsoft.Policies.Windows" />',
    '  </policyNamespaces>',
    '  <resources minRequiredRevision="1.0" />',
    '  <categories>',
    '    <category name="WindowsDefenderATP" displayName="$(string.WindowsDefenderATP)">',
    '      <parentCategory ref="windows:WindowsComponents" />',
    '    </category>',
    '  </categories>',
    '  <policies>',
    '    <policy name="AllowSampleCollection" class="Machine" displayName="$(string.AllowSampleCollection)" explainText="$(string.AllowSampleCollection_Explain)" key="SOFTWARE\\Policies\\Microsoft\\Windows Advanced Threat Protection" valueName="AllowSampleCollection">',
    '      <parentCategory ref="WindowsDefenderATP" />',
    '      <supportedOn ref="windows:SUPPORTED_Windows_10_0" />',
    '      <enabledValue><decimal value="1" /></enabledValue>',
    '      <disabledValue><decimal value="0" /></disabledValue>',
    '    </policy>',
    '  </policies>',
    '</policyDefinitions>',
  ])
}

/** `OptionalParamsPolicy/AtpConfiguration.adml` (en-US strings for the ADMX). */
export function adml(): string {
  return crlf([
    '<?xml version="1.0" encoding="utf-8"?>',
    '<policyDefinitionResources xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">',
    '  <displayName>Windows Defender ATP</displayName>',
    '  <description>Windows Defender ATP optional parameters</description>',
    '  <resources>',
    '    <stringTable>',
    '      <string id="WindowsDefenderATP">Windows Defender ATP</string>',
    '      <string id="AllowSampleCollection">Enable\\Disable Sample collection</string>',
    '      <string id="AllowSampleCollection_Explain">Enables or disables the collection of file samples from this machine for deep analysis. When disabled, no file samples are shared. The default when not configured is enabled.</string>',
    '    </stringTable>',
    '  </resources>',
    '</policyDefinitionResources>',
  ])
}

/** The `mdatp_onboard.json` / `mdatp_offboard.json` content (LNXPY layout). */
export function mdatpJson(envelopeText: string, kind: 'onboarding' | 'offboarding'): string {
  return `{\n  ${JSON.stringify(kind === 'onboarding' ? 'onboardingInfo' : 'offboardingInfo')}: ${JSON.stringify(envelopeText)}\n}`
}

/**
 * `MicrosoftDefenderATPOnboardingLinuxServer.py` / `...Offboarding..._valid_until_X.py`.
 * Writes `/etc/opt/microsoft/mdatp/mdatp_onboard.json` (or mdatp_offboard.json). `--root DIR`
 * writes under DIR instead (tests, image building) and skips the sudo re-exec. The
 * offboarding script refuses to run after its expiry (CM7).
 */
export function linuxPython(envelopeText: string, kind: 'onboarding' | 'offboarding', expiresAt: Date | null): string {
  const file = kind === 'onboarding' ? 'mdatp_onboard.json' : 'mdatp_offboard.json'
  const expiry = expiresAt ? Math.floor(expiresAt.getTime() / 1000) : null
  return [
    '#!/usr/bin/env python3',
    '',
    'import sys, getopt, os, subprocess, time',
    '',
    'def usage():',
    `    print("""Usage: %s [--root DIR]`,
    `    Performs ${kind} to Microsoft Defender for Endpoint locally
    --root DIR  write under DIR instead of / (no sudo needed)
""" % sys.argv[0])`,
    '',
    "root = '/'",
    'try:',
    "    opts, args = getopt.getopt(sys.argv[1:], 'h', ['help', 'root='])",
    '    for k, v in opts:',
    "        if k in ('-h', '--help'):",
    '            usage()',
    '            sys.exit(0)',
    "        if k == '--root':",
    '            root = v',
    'except getopt.GetoptError as e:',
    '    print(e)',
    '    usage()',
    '    sys.exit(2)',
    '',
    ...(expiry === null
      ? []
      : [
          `EXPIRES_AT = ${expiry}  # ${expiresAt!.toISOString()}`,
          'if time.time() > EXPIRES_AT:',
          `    print('This offboarding package expired on ${expiresAt!.toISOString().slice(0, 10)}; download or generate a new one.')`,
          '    sys.exit(1)',
          '',
        ]),
    `destfile = os.path.join(root, 'etc/opt/microsoft/mdatp/${file}')`,
    'def log(priority, message):',
    '    try:',
    "        subprocess.call(['logger', '-p', priority, message])",
    '    except Exception:',
    '        pass',
    '',
    'try:',
    "    if root == '/' and os.geteuid() != 0:",
    "        print('Re-running as sudo (you may be required to enter sudo''s password)')",
    "        os.execvp('sudo', ['sudo', sys.executable] + sys.argv)",
    '',
    "    print('Generating %s ...' % destfile)",
    '    os.makedirs(os.path.dirname(destfile), exist_ok=True)',
    '    fd = os.open(destfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)',
    "    with os.fdopen(fd, 'w') as json:",
    `        json.write('''${encodePythonTripleQuoted(mdatpJson(envelopeText, kind))}''')`,
    '',
    "    log('warning', 'Microsoft ATP: succeeded to save json file %s.' % destfile)",
    'except Exception as e:',
    '    print(str(e))',
    "    log('error', 'Microsoft ATP: failed to save json file %s. Exception occured: %s. ' % (destfile, str(e)))",
    '    sys.exit(1)',
    '',
  ].join('\n')
}

const MACOS_PLIST_PATH = 'Library/Application Support/Microsoft/Defender/com.microsoft.wdav.atp.plist'

/** `MicrosoftDefenderATPOnboardingMacOs.py`: writes the onboarding plist (`--root DIR` for tests). */
export function macosPython(envelopeText: string, orgId: string): string {
  return [
    '#!/usr/bin/env python3',
    '',
    'import sys, getopt, os, plistlib',
    '',
    "root = '/'",
    "opts, args = getopt.getopt(sys.argv[1:], 'h', ['help', 'root='])",
    'for k, v in opts:',
    "    if k in ('-h', '--help'):",
    "        print('Usage: %s [--root DIR]  Performs onboarding to Microsoft Defender for Endpoint locally' % sys.argv[0])",
    '        sys.exit(0)',
    "    if k == '--root':",
    '        root = v',
    '',
    `ONBOARDING_INFO = '''${encodePythonTripleQuoted(envelopeText)}'''`,
    '',
    `destfile = os.path.join(root, '${MACOS_PLIST_PATH}')`,
    "if root == '/' and os.geteuid() != 0:",
    "    os.execvp('sudo', ['sudo', sys.executable] + sys.argv)",
    'os.makedirs(os.path.dirname(destfile), exist_ok=True)',
    "with open(destfile, 'wb') as f:",
    `    plistlib.dump({'AllowUserOverrides': True, 'OrgId': '${orgId}', 'OnboardingInfo': ONBOARDING_INFO}, f)`,
    "print('Generated %s' % destfile)",
    '',
  ].join('\n')
}

function plistDict(entries: [string, string | boolean | number][], indent: string): string[] {
  return entries.flatMap(([key, value]) => {
    const v = typeof value === 'boolean' ? `<${value}/>` : typeof value === 'number' ? `<integer>${value}</integer>` : `<string>${escapeXml(value)}</string>`
    return [`${indent}<key>${escapeXml(key)}</key>`, `${indent}${v}`]
  })
}

const PLIST_HEAD = ['<?xml version="1.0" encoding="UTF-8"?>', '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">', '<plist version="1.0">']

/** JAMF preference plist (domain com.microsoft.wdav.atp / .offboarding). */
export function macosPlist(envelopeText: string, orgId: string, kind: 'onboarding' | 'offboarding'): string {
  const infoKey = kind === 'onboarding' ? 'OnboardingInfo' : 'OffboardingInfo'
  return [...PLIST_HEAD, '<dict>', ...plistDict([['AllowUserOverrides', true], ['OrgId', orgId], [infoKey, envelopeText]], '  '), '</dict>', '</plist>', ''].join('\n')
}

/** The per-package seed of the generated UUIDs: the same tenant and layout give the same bytes. */
export function packageSeed(orgId: string, kind: 'onboarding' | 'offboarding', os: string, method: string): string {
  return createHash('sha256').update(`${orgId}|${kind}|${os}|${method}`).digest('hex')
}

/** The kext profile's seed, derived from the package seed so its UUIDs differ from the onboarding profile's. */
export const kextSeed = (seed: string) => seed.slice(0, 32) + seed.slice(32).split('').reverse().join('')

/** A deterministic UUID (RFC 4122 layout) from a seed, so the same package gives the same bytes. */
export function seededUuid(hex: string): string {
  const h = hex.slice(0, 32).split('')
  h[12] = '5'
  h[16] = ((Number.parseInt(h[16], 16) & 0x3) | 0x8).toString(16)
  const s = h.join('')
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`.toUpperCase()
}

/** A configuration profile (.mobileconfig, Intune "custom" profile) wrapping one payload dict. */
function mobileconfig(name: string, identifier: string, seed: string, payloadType: string, payload: [string, string | boolean | number][]): string {
  const inner = [
    '      <dict>',
    ...plistDict(
      [
        ['PayloadDescription', name],
        ['PayloadDisplayName', name],
        ['PayloadIdentifier', `${identifier}.payload`],
        ['PayloadOrganization', 'Microsoft Corporation'],
        ['PayloadType', payloadType],
        ['PayloadUUID', seededUuid(seed.slice(32) + seed.slice(0, 32))],
        ['PayloadVersion', 1],
        ...payload,
      ],
      '        ',
    ),
    '      </dict>',
  ]
  return [
    ...PLIST_HEAD,
    '<dict>',
    '  <key>PayloadContent</key>',
    '  <array>',
    ...inner,
    '  </array>',
    ...plistDict(
      [
        ['PayloadDescription', name],
        ['PayloadDisplayName', name],
        ['PayloadIdentifier', identifier],
        ['PayloadOrganization', 'Microsoft Corporation'],
        ['PayloadRemovalDisallowed', false],
        ['PayloadScope', 'System'],
        ['PayloadType', 'Configuration'],
        ['PayloadUUID', seededUuid(seed)],
        ['PayloadVersion', 1],
      ],
      '  ',
    ),
    '</dict>',
    '</plist>',
    '',
  ].join('\n')
}

/** `intune/WindowsDefenderATPOnboarding.xml` (or offboarding): the mobileconfig for Intune. */
export function macosMobileconfig(envelopeText: string, orgId: string, kind: 'onboarding' | 'offboarding', seed: string): string {
  const domain = kind === 'onboarding' ? 'com.microsoft.wdav.atp' : 'com.microsoft.wdav.atp.offboarding'
  const infoKey = kind === 'onboarding' ? 'OnboardingInfo' : 'OffboardingInfo'
  return mobileconfig(`Microsoft Defender for Endpoint ${kind}`, domain, seed, domain, [
    ['AllowUserOverrides', true],
    ['OrgId', orgId],
    [infoKey, envelopeText],
  ])
}

/** `intune/kext.xml`: approves Microsoft's kernel extension (team id UBF8T346G9). */
export function macosKextProfile(seed: string): string {
  const text = mobileconfig('Kernel extension approval for Microsoft Defender', 'com.microsoft.wdav.kext', seed, 'com.apple.syspolicy.kernel-extension-policy', [
    ['AllowUserOverrides', true],
  ])
  // AllowedTeamIdentifiers is an array; splice it in after AllowUserOverrides.
  return text.replace(
    '        <key>AllowUserOverrides</key>\n        <true/>',
    '        <key>AllowUserOverrides</key>\n        <true/>\n        <key>AllowedTeamIdentifiers</key>\n        <array>\n          <string>UBF8T346G9</string>\n        </array>',
  )
}
