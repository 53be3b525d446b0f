/**
 * The structure of the carriers of real portal packages (REFERENCE §1.1–§1.6), as templates:
 * Microsoft's text with the variable parts as placeholders, each an escaping depth of
 * REFERENCE §1.4. They hold no real data. One description serves both sides: `package inspect`
 * fills them with the envelope it found and compares every line of a carrier with them
 * (structure.ts), and the tests fill them to build packages in the Microsoft formats.
 *
 * | placeholder | what |
 * |---|---|
 * | `@@BLOB@@` | the envelope JSON as is |
 * | `@@CMD_BLOB@@` | the envelope with cmd/reg quoting (`"` → `\"`, `\"` → `\\\"`) |
 * | `@@PY_BLOB@@` | the envelope JSON-escaped, then Python-escaped (LNXPY) |
 * | `@@JSON_BLOB@@` | the envelope JSON-escaped (mdatp_onboard.json, bash payload) |
 * | `@@XML_BLOB@@` | the envelope XML-escaped (plist string) |
 * | `@@ORG_ID@@` | the org id |
 * | `@@UUID@@` | a payload UUID (any; each profile has its own) |
 *
 * Templates are stored with LF; `.cmd` files are CRLF on disk (the comparison ignores line endings).
 */
import {encodeCmdArgument, encodePythonTripleQuoted, escapeXml} from './escape.js'

export interface MicrosoftTemplate {
  name: string
  /** What the file is for: a carrier of an onboarding or offboarding blob, or a helper without one. */
  kind: 'onboarding' | 'offboarding' | 'helper'
  text: string
}

export const MICROSOFT_TEMPLATES: readonly MicrosoftTemplate[] = [
  {
    /** Group Policy / ConfigMgr onboarding script (WINCMD-GP): silent, ends with MpCmdRun -ReloadEngine. */
    name: 'WindowsDefenderATPOnboardingScript.cmd',
    kind: 'onboarding',
    text: String.raw`@echo off

echo. >NUL 2>&1
echo Starting Microsoft Defender for Endpoint onboarding process... >NUL 2>&1
echo. >NUL 2>&1

set errorCode=0
set lastError=0
set "troubleshootInfo=For more information, visit: https://go.microsoft.com/fwlink/p/?linkid=822807"
set "errorDescription="

net session >NUL 2>&1
if %ERRORLEVEL% NEQ 0 (
	set errorCode=65
	GOTO ERROR
)

REG query "HKLM\SOFTWARE\Policies\Microsoft\Windows Advanced Threat Protection" /v 696C1FA1-4030-4FA4-8713-FAF9B2EA7C0A /reg:64 > %TMP%\senseTmp.txt 2>&1
if %ERRORLEVEL% EQU 0 (
    REG delete "HKLM\SOFTWARE\Policies\Microsoft\Windows Advanced Threat Protection" /v 696C1FA1-4030-4FA4-8713-FAF9B2EA7C0A /f > %TMP%\senseTmp.txt 2>&1
)

REG add "HKLM\SOFTWARE\Policies\Microsoft\Windows Advanced Threat Protection" /v OnboardingInfo /t REG_SZ /f /d "@@CMD_BLOB@@" > %TMP%\senseTmp.txt 2>&1
if %ERRORLEVEL% NEQ 0 (
   set "errorDescription=Unable to write onboarding information to registry."
   set errorCode=10
   GOTO ERROR
)

net start sense > %TMP%\senseTmp.txt 2>&1
eventcreate /l Application /so WDATPOnboarding /t Information /id 20 /d "Successfully onboarded machine to Microsoft Defender for Endpoint" >NUL 2>&1
"%PROGRAMFILES%\Windows Defender\MpCmdRun.exe" -ReloadEngine >NUL 2>&1
GOTO CLEANUP

:ERROR
eventcreate /l Application /so WDATPOnboarding /t Error /id %errorCode% /d "%errorDescription%" >NUL 2>&1

:CLEANUP
EXIT /B %errorCode%`,
  },
  {
    /** Local-script onboarding (WINCMD-LOCAL): asks "Press (Y) to confirm" first. */
    name: 'WindowsDefenderATPLocalOnboardingScript.cmd',
    kind: 'onboarding',
    text: String.raw`@echo off

echo. >NUL 2>&1
echo Starting Microsoft Defender for Endpoint onboarding process...
set /p shouldContinue= "Press (Y) to confirm and continue or (N) to cancel and exit: "
IF /I NOT [%shouldContinue%] == [Y] EXIT /B 0
echo. >NUL 2>&1

set errorCode=0
set lastError=0
set "troubleshootInfo=For more information, visit: https://go.microsoft.com/fwlink/p/?linkid=822807"
set "errorDescription="

net session >NUL 2>&1
if %ERRORLEVEL% NEQ 0 (
	set errorCode=65
	GOTO ERROR
)

REG query "HKLM\SOFTWARE\Policies\Microsoft\Windows Advanced Threat Protection" /v 696C1FA1-4030-4FA4-8713-FAF9B2EA7C0A /reg:64 > %TMP%\senseTmp.txt 2>&1
if %ERRORLEVEL% EQU 0 (
    REG delete "HKLM\SOFTWARE\Policies\Microsoft\Windows Advanced Threat Protection" /v 696C1FA1-4030-4FA4-8713-FAF9B2EA7C0A /f > %TMP%\senseTmp.txt 2>&1
)

REG add "HKLM\SOFTWARE\Policies\Microsoft\Windows Advanced Threat Protection" /v OnboardingInfo /t REG_SZ /f /d "@@CMD_BLOB@@" > %TMP%\senseTmp.txt 2>&1
if %ERRORLEVEL% NEQ 0 (
   set "errorDescription=Unable to write onboarding information to registry."
   set errorCode=10
   GOTO ERROR
)

net start sense > %TMP%\senseTmp.txt 2>&1
eventcreate /l Application /so WDATPOnboarding /t Information /id 20 /d "Successfully onboarded machine to Microsoft Defender for Endpoint" >NUL 2>&1
GOTO CLEANUP

:ERROR
eventcreate /l Application /so WDATPOnboarding /t Error /id %errorCode% /d "%errorDescription%" >NUL 2>&1

:CLEANUP
EXIT /B %errorCode%`,
  },
  {
    /** Offboarding script (OFFCMD); the file name carries _valid_until_YYYY-MM-DD. */
    name: 'WindowsDefenderATPOffboardingScript.cmd',
    kind: 'offboarding',
    text: String.raw`@echo off

echo Starting Microsoft Defender for Endpoint offboarding process...
set errorCode=0

net session >NUL 2>&1
if %ERRORLEVEL% NEQ 0 (
	set errorCode=65
	GOTO ERROR
)

REG query "HKLM\SOFTWARE\Policies\Microsoft\Windows Advanced Threat Protection" /v OnboardingInfo /reg:64 > %TMP%\senseTmp.txt 2>&1
if %ERRORLEVEL% EQU 0 (
    REG delete "HKLM\SOFTWARE\Policies\Microsoft\Windows Advanced Threat Protection" /v OnboardingInfo /f > %TMP%\senseTmp.txt 2>&1
)

REG add "HKLM\SOFTWARE\Policies\Microsoft\Windows Advanced Threat Protection" /v 696C1FA1-4030-4FA4-8713-FAF9B2EA7C0A /t REG_SZ /f /d "@@CMD_BLOB@@" > %TMP%\senseTmp.txt 2>&1
if %ERRORLEVEL% NEQ 0 (
   set errorCode=10
   GOTO ERROR
)
eventcreate /l Application /so WDATPOffboarding /t Information /id 20 /d "Successfully offboarded machine from Microsoft Defender for Endpoint" >NUL 2>&1
GOTO CLEANUP

:ERROR
eventcreate /l Application /so WDATPOffboarding /t Error /id %errorCode% /d "Offboarding failed" >NUL 2>&1

:CLEANUP
EXIT /B %errorCode%`,
  },
  {
    /** Linux server onboarding (LNXPY): writes mdatp_onboard.json. */
    name: 'MicrosoftDefenderATPOnboardingLinuxServer.py',
    kind: 'onboarding',
    text: String.raw`




#!/usr/bin/env python

import sys, getopt, os, errno, json, subprocess, tempfile

def usage():
    print ("""Usage: %s
    Performs onboarding\offboarding to WDATP locally
""" % sys.argv[0])
    pass

try:
    destfile = '/etc/opt/microsoft/mdatp/mdatp_onboard.json'

    if os.geteuid() != 0:
        print('Re-running as sudo (you may be required to enter sudo''s password)')
        os.execvp('sudo', ['sudo', 'python'] + sys.argv)  # final version

    print('Generating %s ...' % destfile)

    cmd = "sudo mkdir -p '%s'" % (os.path.dirname(destfile))
    subprocess.check_call(cmd, shell = True)

    with open(destfile, "w") as json:
        json.write('''{
  "onboardingInfo": "@@PY_BLOB@@"
}''')

    cmd = "logger -p warning Microsoft ATP: succeeded to save json file %s." % (destfile)
    subprocess.check_call(cmd, shell = True)

except Exception as e:
    print(str(e))
    sys.exit(1)`,
  },
  {
    /** Streamlined ("Gateway") Linux onboarding payload (GWBASH). */
    name: 'MicrosoftDefenderATPOnboardingLinuxServer.sh',
    kind: 'onboarding',
    text: String.raw`#!/bin/bash
# Streamlined ("Gateway") onboarding payload script.
SCRIPT_VERSION="1.1.0"
PAYLOAD_TYPE='mdatp_onboard'
ONBOARDING_FILE=/etc/opt/microsoft/mdatp/mdatp_onboard.json

read -r -d '' BLOB_PAYLOAD <<'EOF_PAYLOAD'
{
  "onboardingInfo": "@@JSON_BLOB@@"
}
EOF_PAYLOAD

if [ "$(id -u)" -ne 0 ]; then
    echo "insufficient privileges"
    exit 3
fi

rm -f /etc/opt/microsoft/mdatp/mdatp_offboard.json
mkdir -p /etc/opt/microsoft/mdatp
echo "$BLOB_PAYLOAD" > "$ONBOARDING_FILE"

for i in 1 2 3 4 5 6 7 8; do
    if [ "$(mdatp health --field licensed 2>/dev/null)" = "true" ]; then
        exit 0
    fi
    sleep 10
done
exit 31`,
  },
  {
    /** The Linux onboarding file itself. */
    name: 'mdatp_onboard.json',
    kind: 'onboarding',
    text: String.raw`{
  "onboardingInfo": "@@JSON_BLOB@@"
}`,
  },
  {
    /** JAMF preference plist (jamf/). */
    name: 'WindowsDefenderATPOnboarding.plist',
    kind: 'onboarding',
    text: String.raw`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>AllowUserOverrides</key>
	<true/>
	<key>OrgId</key>
	<string>@@ORG_ID@@</string>
	<key>OnboardingInfo</key>
	<string>@@XML_BLOB@@</string>
</dict>
</plist>`,
  },
  {
    /** Intune mobileconfig (intune/). */
    name: 'WindowsDefenderATPOnboarding.xml',
    kind: 'onboarding',
    text: String.raw`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>PayloadContent</key>
	<array>
		<dict>
			<key>AllowUserOverrides</key>
			<true/>
			<key>OrgId</key>
			<string>@@ORG_ID@@</string>
			<key>OnboardingInfo</key>
			<string>@@XML_BLOB@@</string>
			<key>PayloadIdentifier</key>
			<string>com.microsoft.wdav.atp</string>
			<key>PayloadType</key>
			<string>com.microsoft.wdav.atp</string>
			<key>PayloadUUID</key>
			<string>@@UUID@@</string>
			<key>PayloadVersion</key>
			<integer>1</integer>
		</dict>
	</array>
	<key>PayloadDisplayName</key>
	<string>Microsoft Defender for Endpoint onboarding</string>
	<key>PayloadIdentifier</key>
	<string>com.microsoft.wdav.atp.onboarding</string>
	<key>PayloadType</key>
	<string>Configuration</string>
	<key>PayloadUUID</key>
	<string>@@UUID@@</string>
	<key>PayloadVersion</key>
	<integer>1</integer>
</dict>
</plist>`,
  },
  {
    /** Intune kernel-extension approval profile (intune/kext.xml). */
    name: 'kext.xml',
    kind: 'helper',
    text: String.raw`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>PayloadContent</key>
	<array>
		<dict>
			<key>AllowedTeamIdentifiers</key>
			<array>
				<string>UBF8T346G9</string>
			</array>
			<key>PayloadType</key>
			<string>com.apple.syspolicy.kernel-extension-policy</string>
			<key>PayloadUUID</key>
			<string>@@UUID@@</string>
			<key>PayloadVersion</key>
			<integer>1</integer>
		</dict>
	</array>
	<key>PayloadType</key>
	<string>Configuration</string>
	<key>PayloadUUID</key>
	<string>@@UUID@@</string>
	<key>PayloadVersion</key>
	<integer>1</integer>
</dict>
</plist>`,
  },
]

export function microsoftTemplate(name: string): MicrosoftTemplate {
  const found = MICROSOFT_TEMPLATES.find((t) => t.name === name)
  if (!found) throw new Error(`no Microsoft template named ${name}`)
  return found
}

export const UUID_PLACEHOLDER = '@@UUID@@'

/**
 * Fills every placeholder but `@@UUID@@` (left for the caller: the checker matches any UUID
 * there, a test writes made-up ones).
 */
export function fillMicrosoftTemplate(text: string, values: {envelope: string; orgId: string}): string {
  const json = JSON.stringify(values.envelope).slice(1, -1)
  return text
    .replaceAll('@@CMD_BLOB@@', () => encodeCmdArgument(values.envelope))
    .replaceAll('@@PY_BLOB@@', () => encodePythonTripleQuoted(json))
    .replaceAll('@@JSON_BLOB@@', () => json)
    .replaceAll('@@XML_BLOB@@', () => escapeXml(values.envelope))
    .replaceAll('@@BLOB@@', () => values.envelope)
    .replaceAll('@@ORG_ID@@', () => values.orgId)
}
