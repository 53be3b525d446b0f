import type {Alert} from '../alert/types.js'
import {blockedInbound, type DataPath} from '../integration/rules.js'

/**
 * The outcomes of a detection check and their exit codes (SPEC DT3, §3), and the preflight that
 * decides, before anything is written, whether waiting can possibly succeed.
 */
export const OUTCOMES = {
  'alert-seen': {exitCode: 0, code: 'DETECT_ALERT_SEEN'},
  timeout: {exitCode: 10, code: 'DETECT_TIMEOUT'},
  'not-onboarded': {exitCode: 11, code: 'DETECT_NOT_ONBOARDED'},
  'sensor-inactive': {exitCode: 12, code: 'DETECT_SENSOR_INACTIVE'},
  blocked: {exitCode: 13, code: 'DETECT_BLOCKED'},
} as const
export type Outcome = keyof typeof OUTCOMES

/** Agent health as configuration monitoring reports it (CM6). */
export type AgentHealth = 'healthy' | 'inactive' | 'agent-state' | 'not-onboarded'

/** An inbound data path of a device; TP3 is decided in core/integration/rules.ts. */
export type {DataPath} from '../integration/rules.js'

/** What a detection check needs to know about a device, as the backend sees it. */
export interface DetectTarget {
  name: string
  machineId: string
  computerDnsName: string
  /** windows, linux, macos, ios, android, or unknown. */
  osFamily: string
  onboarded: boolean
  /** How it was onboarded (policy, integration…), or why not. */
  onboarding: string
  health: AgentHealth
  managedBy: string[]
  /** The integrations its data must pass; any one switched off blocks it (TP3). */
  dataPaths: DataPath[]
  /**
   * Set when the device reports through a running `atpctl sensor run` process: the check then
   * only writes the file where the sensor watches and lets the sensor report it. `anyFolder`:
   * the sensor is the endpoint's own and sees every folder of the machine atpctl runs on (a real
   * tenant's machine that is this host), so a fresh temporary folder will do.
   */
  liveSensor: {watchDir: string | null; lastSeen: string; anyFolder?: boolean} | null
}

export interface PreflightCheck {
  name: 'device' | 'data-path' | 'onboarded' | 'sensor'
  ok: boolean
  detail: string
}

export interface PreflightFailure {
  outcome: Exclude<Outcome, 'alert-seen' | 'timeout'>
  message: string
  suggestions: string[]
}

/**
 * Preflight in order: blocked data first (a provider that is off also makes its devices look
 * not onboarded, and turning it on is the fix), then onboarding, then sensor health.
 */
export function preflight(target: DetectTarget): {checks: PreflightCheck[]; failure: PreflightFailure | null} {
  const checks: PreflightCheck[] = [{name: 'device', ok: true, detail: `${target.name} (machine ${target.machineId})`}]
  const blocked = blockedInbound({device: target.name}, target.dataPaths)
  checks.push({
    name: 'data-path',
    ok: blocked === null,
    detail:
      target.dataPaths.length === 0
        ? 'reports directly to the tenant'
        : target.dataPaths.map((p) => `${p.integration} ${p.enabled ? 'on' : 'off'}`).join(', '),
  })
  if (blocked) return {checks, failure: {outcome: 'blocked', message: blocked.message, suggestions: blocked.suggestions}}

  checks.push({name: 'onboarded', ok: target.onboarded, detail: target.onboarding})
  if (!target.onboarded) {
    return {
      checks,
      failure: {
        outcome: 'not-onboarded',
        message: `Device '${target.name}' is not onboarded: ${target.onboarding}.`,
        suggestions: [`See why: atpctl device show ${target.name}`, 'Onboard it (atpctl policy deploy, an EDR profile or an integration), then run the check again.'],
      },
    }
  }

  const healthy = target.health === 'healthy'
  checks.push({name: 'sensor', ok: healthy, detail: healthText(target.health)})
  if (!healthy) {
    return {
      checks,
      failure: {
        outcome: target.health === 'not-onboarded' ? 'not-onboarded' : 'sensor-inactive',
        message: `The sensor of device '${target.name}' is not reporting: ${healthText(target.health)}.`,
        suggestions:
          target.health === 'agent-state'
            ? ['Start the sensor service on the device (Windows: net start sense; Linux/macOS: check `mdatp health`), then run the check again.']
            : ['Check the device is on and connected, and that its sensor reported recently: atpctl device show ' + target.name],
      },
    }
  }

  return {checks, failure: null}
}

export function healthText(health: AgentHealth): string {
  switch (health) {
    case 'healthy':
      return 'healthy'
    case 'inactive':
      return 'inactive (no sensor data during the period)'
    case 'agent-state':
      return 'agent state (the sensor service is not running)'
    case 'not-onboarded':
      return 'not onboarded (policy applied, the agent never reported onboarded)'
  }
}

export type CheckKind = 'eicar' | 'test-alert'

/** The verdict document (`--json`), also the source of the JUnit report. */
export interface Verdict {
  check: CheckKind
  /** test-alert only. */
  os: string | null
  outcome: Outcome
  passed: boolean
  exitCode: number
  code: string
  message: string
  suggestions: string[]
  /** The device as asked for, and as the backend knows it (null when unknown). */
  device: string | null
  machineId: string | null
  computerDnsName: string | null
  expectedTitle: string
  alert: Alert | null
  /** eicar only: the file written and whether it is still there. */
  file: {path: string; sha256: string; size: number; kept: boolean} | null
  /** Who handed the evidence to the backend: atpctl itself, a live sensor, or nobody (procedure shown only). */
  reportedBy: 'atpctl' | 'live-sensor' | 'manual' | null
  preflight: PreflightCheck[]
  startedAt: string
  finishedAt: string
  /** From the file being written (or the activity being performed) to the verdict. */
  seconds: number
  timeoutSeconds: number
  polls: number
}

/** Fills in exit code, code and `passed` from the outcome. */
export function verdictOf(outcome: Outcome, rest: Omit<Verdict, 'outcome' | 'passed' | 'exitCode' | 'code'>): Verdict {
  return {outcome, passed: outcome === 'alert-seen', exitCode: OUTCOMES[outcome].exitCode, code: OUTCOMES[outcome].code, ...rest}
}
