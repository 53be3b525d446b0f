import type {NewAlert} from '../alert/types.js'
import {UsageError} from '../errors.js'

/**
 * The documented test-alert procedures (seed 002 for Windows and Linux, REFERENCE §6.2 for
 * macOS) and the behaviour rules that recognise them (SPEC DC8, DT2). A sensor reports what
 * happened on the device as an `Activity`; the backend's detection engine runs `matchActivity`.
 */
export const TEST_ALERT_OS = ['windows', 'linux', 'macos'] as const
export type TestAlertOs = (typeof TEST_ALERT_OS)[number]

/** What a device's sensor reports. JSON-serialisable. */
export type Activity =
  /** A process started, with its full command line (Windows EDR). */
  | {type: 'process'; image: string; commandLine: string}
  /** A process read a set of files (Linux EDR file telemetry). */
  | {type: 'file-access'; image: string; commandLine: string; paths: string[]}
  /** An application bundle was opened (macOS). */
  | {type: 'app-launch'; bundlePath: string; bundleId: string | null}

export interface TestAlertProcedure {
  os: TestAlertOs
  title: string
  severity: NewAlert['severity']
  /** Where the procedure comes from. */
  source: string
  steps: string[]
  /** What `--run` reports to the backend as this device's activity. */
  activity: Activity
}

/** The seed 002 command, character for character (the doubled backslashes are in the original). */
export const WINDOWS_TEST_COMMAND =
  "powershell.exe -NoExit -ExecutionPolicy Bypass -WindowStyle Hidden (New-Object System.Net.WebClient).DownloadFile('http://127.0.0.1/1.exe', 'C:\\\\test-MDATP-test\\\\invoice.exe'); Start-Process 'C:\\\\test-MDATP-test\\\\invoice.exe'"

/** Files the Linux DIY tool enumerates; reading several of them in one go is the behaviour. */
export const LINUX_SENSITIVE_FILES = ['/etc/shadow', '/etc/gshadow', '/etc/passwd', '/etc/sudoers', '/root/.ssh/id_rsa', '/root/.bash_history']

export const MACOS_DIY_APP = '/Applications/MDATP MacOS DIY.app'

export const TEST_ALERTS: Record<TestAlertOs, TestAlertProcedure> = {
  windows: {
    os: 'windows',
    title: '[TestAlert] Suspicious PowerShell CommandLine',
    severity: 'Informational',
    source: 'Defender for Cloud: "Send a test alert", Windows tab',
    steps: [
      "Create a folder 'C:\\test-MDATP-test'.",
      'Use Remote Desktop to access the machine.',
      'Open a command-line window.',
      'At the prompt, copy and run the following command (the window closes by itself):',
      `    ${WINDOWS_TEST_COMMAND}`,
      'The alert "Suspicious PowerShell CommandLine" appears with severity Informational, possibly after a few minutes.',
    ],
    activity: {type: 'process', image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', commandLine: WINDOWS_TEST_COMMAND},
  },
  linux: {
    os: 'linux',
    title: 'Enumeration of files with sensitive data',
    severity: 'Low',
    source: 'Defender for Cloud: "Send a test alert", Linux tab',
    steps: [
      'Download the test alert tool from https://aka.ms/LinuxDIY',
      'Extract the contents of the zip file and execute this shell script:',
      '    ./mde_linux_edr_diy',
      'The alert "Enumeration of files with sensitive data" appears with severity Low, possibly after a few minutes.',
    ],
    activity: {type: 'file-access', image: '/tmp/mde_linux_edr_diy/mde_linux_edr_diy', commandLine: './mde_linux_edr_diy', paths: LINUX_SENSITIVE_FILES},
  },
  macos: {
    os: 'macos',
    title: 'macOS EDR Test Alert',
    // The severity of the macOS test alert is not documented; atpctl raises it as Informational.
    severity: 'Informational',
    source: 'Defender for Endpoint macOS EDR detection test (https://aka.ms/mdatpmacosdiy)',
    steps: [
      "Download 'MDATP MacOS DIY.zip' from https://aka.ms/mdatpmacosdiy and extract it.",
      'Open the extracted app "MDATP MacOS DIY" (confirm the Gatekeeper prompt).',
      'The alert "macOS EDR Test Alert" appears, possibly after a few minutes.',
    ],
    activity: {type: 'app-launch', bundlePath: MACOS_DIY_APP, bundleId: 'com.microsoft.wdav.diy'},
  },
}

export function parseTestAlertOs(text: string): TestAlertOs {
  const os = text.toLowerCase()
  if ((TEST_ALERT_OS as readonly string[]).includes(os)) return os as TestAlertOs
  throw new UsageError(`Unknown OS '${text}' for a test alert.`, {suggestions: [`Use --os ${TEST_ALERT_OS.join('|')}.`]})
}

/** Collapses whitespace, drops quoting differences and case, for command-line matching. */
function normaliseCommandLine(commandLine: string): string {
  return commandLine.toLowerCase().replace(/\\\\/g, '\\').replace(/["`]/g, "'").replace(/\s+/g, ' ').trim()
}

/**
 * Windows: PowerShell that downloads a file with WebClient.DownloadFile into the test folder
 * (test-MDATP-test, or test-WDATP-test in newer docs) and starts it.
 */
function isWindowsTestCommand(activity: Activity): boolean {
  if (activity.type !== 'process') return false
  const line = normaliseCommandLine(activity.commandLine)
  const image = activity.image.toLowerCase()
  const isPowerShell = /(^|[\\/])powershell(\.exe)?$/.test(image) || /^powershell(\.exe)?\s/.test(line)
  return (
    isPowerShell &&
    line.includes('net.webclient') &&
    line.includes('.downloadfile(') &&
    /c:\\test-[mw]datp-test\\invoice\.exe/.test(line) &&
    line.includes('start-process')
  )
}

/** Linux: one process reading at least three distinct sensitive files. */
function isSensitiveEnumeration(activity: Activity): boolean {
  if (activity.type !== 'file-access') return false
  const sensitive = new Set(activity.paths.filter((p) => LINUX_SENSITIVE_FILES.includes(p) || /\/\.ssh\/id_[a-z0-9]+$/.test(p)))
  return sensitive.size >= 3
}

/** macOS: the DIY test application was opened. */
function isMacosDiy(activity: Activity): boolean {
  if (activity.type !== 'app-launch') return false
  return /(^|\/)mdatp macos diy\.app\/?$/i.test(activity.bundlePath)
}

const MATCHERS: Record<TestAlertOs, (a: Activity) => boolean> = {
  windows: isWindowsTestCommand,
  linux: isSensitiveEnumeration,
  macos: isMacosDiy,
}

const DETAILS: Record<TestAlertOs, Omit<NewAlert, 'title' | 'severity' | 'evidence'>> = {
  windows: {
    description: 'A PowerShell command line downloaded a file from the network and started it (detection test).',
    category: 'Execution',
    detectionSource: 'WindowsDefenderAtp',
    threatFamilyName: null,
    threatName: null,
    mitreTechniques: ['T1059.001', 'T1105'],
    determination: 'SecurityTesting',
  },
  linux: {
    description: 'A process enumerated files that hold credentials or other sensitive data (detection test).',
    category: 'Discovery',
    detectionSource: 'WindowsDefenderAtp',
    threatFamilyName: null,
    threatName: null,
    mitreTechniques: ['T1083', 'T1552.001'],
    determination: 'SecurityTesting',
  },
  macos: {
    description: 'The macOS EDR detection test application ran.',
    category: 'SuspiciousActivity',
    detectionSource: 'WindowsDefenderAtp',
    threatFamilyName: null,
    threatName: null,
    mitreTechniques: [],
    determination: 'SecurityTesting',
  },
}

/** The test alert an activity raises on a device of that OS, or null when it matches nothing. */
export function matchActivity(os: TestAlertOs, activity: Activity): NewAlert | null {
  if (!MATCHERS[os](activity)) return null
  const {title, severity} = TEST_ALERTS[os]
  const evidence: NewAlert['evidence'] =
    activity.type === 'app-launch'
      ? [{entityType: 'File', fileName: activity.bundlePath.split('/').pop() ?? null, filePath: activity.bundlePath, sha256: null, processCommandLine: null, detectionStatus: 'Detected'}]
      : [{entityType: 'Process', fileName: baseName(activity.image), filePath: activity.image, sha256: null, processCommandLine: activity.commandLine, detectionStatus: 'Detected'}]
  return {title, severity, ...DETAILS[os], evidence}
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path
}

/** Validates an activity received over the wire (the remote backend passes untrusted JSON). */
export function isActivity(value: unknown): value is Activity {
  const a = value as Record<string, unknown>
  if (typeof a !== 'object' || a === null) return false
  const str = (k: string) => typeof a[k] === 'string'
  switch (a.type) {
    case 'process':
      return str('image') && str('commandLine')
    case 'file-access':
      return str('image') && str('commandLine') && Array.isArray(a.paths) && a.paths.every((p) => typeof p === 'string')
    case 'app-launch':
      return str('bundlePath') && (a.bundleId === null || str('bundleId'))
    default:
      return false
  }
}
