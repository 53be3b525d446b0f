/**
 * A Defender for Endpoint machine (REFERENCE §2.2) as an atpctl device. Pure: the machine entity
 * in, the same Device every backend returns out, so `device list`, `device show`, `monitor` and
 * the detection preflight read a real tenant with the rules they use on the embedded one:
 * - the OS family and level come from `classifyOs` (CM1, CM2) fed with `osPlatform`, `version`
 *   and `osBuild`;
 * - agent health is the CM6 vocabulary, mapped from `onboardingStatus` and `healthStatus` by
 *   MACHINE_HEALTH below (the table the README documents);
 * - collections are machine tags (the README's "Real tenant" section says why).
 */
import {classifyOs, type OsClassification, osRecordFields, OsClassificationError} from './os.js'
import type {Device, Health, SensorService} from './types.js'

export const MACHINE_HEALTH_STATUSES = ['Active', 'Inactive', 'ImpairedCommunication', 'NoSensorData', 'NoSensorDataImpairedCommunication', 'Unknown'] as const
export type MachineHealthStatus = (typeof MACHINE_HEALTH_STATUSES)[number]

export const MACHINE_ONBOARDING_STATUSES = ['Onboarded', 'CanBeOnboarded', 'Unsupported', 'InsufficientInfo'] as const
export type MachineOnboardingStatus = (typeof MACHINE_ONBOARDING_STATUSES)[number]

/** The fields of the machine entity atpctl reads (the API sends more). */
export interface DefenderMachine {
  id: string
  computerDnsName: string
  firstSeen?: string | null
  lastSeen?: string | null
  osPlatform?: string | null
  version?: string | null
  osBuild?: number | null
  osArchitecture?: string | null
  healthStatus?: string | null
  onboardingStatus?: string | null
  riskScore?: string | null
  exposureLevel?: string | null
  rbacGroupName?: string | null
  lastIpAddress?: string | null
  aadDeviceId?: string | null
  machineTags?: string[] | null
}

/** What the tenant itself says about the machine, kept beside the atpctl view. */
export interface MachineFacts {
  id: string
  osPlatform: string | null
  healthStatus: string | null
  onboardingStatus: string | null
  riskScore: string | null
  exposureLevel: string | null
  rbacGroupName: string | null
  lastIpAddress: string | null
  aadDeviceId: string | null
  firstSeen: string | null
}

/** A device of a real tenant: the common Device plus the machine's own facts. */
export interface MachineDevice extends Device {
  machine: MachineFacts
}

interface HealthRow {
  health: Health
  sensorService: SensorService
  /** Stable reason code, for scripts. */
  reasonCode: string
  reason: string
}

/**
 * CM6 from the machine's healthStatus, for an onboarded machine (the README's table). Active is
 * healthy; Inactive (no full report for 7 days) is inactive; a sensor that sends no data or
 * cannot reach the service is the agent state; Unknown is treated as the agent state too, since
 * the sensor's own report is what is missing.
 */
export const MACHINE_HEALTH: Record<MachineHealthStatus, HealthRow> = {
  Active: {health: 'healthy', sensorService: 'running', reasonCode: 'mde-active', reason: 'Onboarded to Defender for Endpoint; the sensor reports (health Active).'},
  Inactive: {health: 'inactive', sensorService: 'stopped', reasonCode: 'mde-inactive', reason: 'Onboarded, but the machine has sent no data for 7 days (health Inactive).'},
  ImpairedCommunication: {
    health: 'agent-state',
    sensorService: 'running',
    reasonCode: 'mde-impaired-communication',
    reason: 'Onboarded, but the sensor cannot reach the service reliably (health ImpairedCommunication): check the device\'s proxy and firewall for the Defender URLs.',
  },
  NoSensorData: {
    health: 'agent-state',
    sensorService: 'stopped',
    reasonCode: 'mde-no-sensor-data',
    reason: 'Onboarded, but the sensor sends no data (health NoSensorData): check that the Defender for Endpoint service (Sense) runs on the device.',
  },
  NoSensorDataImpairedCommunication: {
    health: 'agent-state',
    sensorService: 'stopped',
    reasonCode: 'mde-no-sensor-data-impaired-communication',
    reason: 'Onboarded, but the sensor sends no data and cannot reach the service (health NoSensorDataImpairedCommunication).',
  },
  Unknown: {health: 'agent-state', sensorService: 'stopped', reasonCode: 'mde-health-unknown', reason: 'Onboarded, but the service does not know the sensor\'s health (health Unknown).'},
}

/** Why a machine the tenant knows is not onboarded, by onboardingStatus (other than Onboarded). */
export const NOT_ONBOARDED: Record<Exclude<MachineOnboardingStatus, 'Onboarded'>, {reasonCode: string; reason: string}> = {
  CanBeOnboarded: {
    reasonCode: 'mde-can-be-onboarded',
    reason: 'Not onboarded: discovered on the network and can be onboarded (onboardingStatus CanBeOnboarded); deploy an onboarding package to it.',
  },
  Unsupported: {reasonCode: 'mde-unsupported', reason: 'Not onboarded: discovered, but its operating system cannot be onboarded (onboardingStatus Unsupported).'},
  InsufficientInfo: {
    reasonCode: 'mde-insufficient-info',
    reason: 'Not onboarded: discovered, but the service knows too little about it to tell whether it can be onboarded (onboardingStatus InsufficientInfo).',
  },
}

const lower = (v: string | null | undefined) => (v ?? '').toLowerCase()

/** The documented spelling of a status (the API and its docs differ in case: `onboarded`). */
function canonical<T extends string>(values: readonly T[], value: string | null | undefined): T | null {
  return values.find((v) => v.toLowerCase() === lower(value)) ?? null
}

/** Onboarding state, health and sensor service of a machine (CM6), at `now` with a health period. */
export function machineHealth(machine: Pick<DefenderMachine, 'healthStatus' | 'onboardingStatus' | 'lastSeen'>, now: Date, periodMs: number): {onboarded: boolean} & HealthRow {
  const onboarding = canonical(MACHINE_ONBOARDING_STATUSES, machine.onboardingStatus)
  if (onboarding !== 'Onboarded') {
    const why = onboarding ? NOT_ONBOARDED[onboarding] : {reasonCode: 'mde-not-onboarded', reason: `Not onboarded (onboardingStatus ${machine.onboardingStatus ?? 'missing'}).`}
    return {onboarded: false, health: 'not-onboarded', sensorService: 'absent', ...why}
  }

  const status = canonical(MACHINE_HEALTH_STATUSES, machine.healthStatus) ?? 'Unknown'
  const row = MACHINE_HEALTH[status]
  // CM6 "no data during the period": the period of `device list --period` applies on top.
  const seen = machine.lastSeen ? Date.parse(machine.lastSeen) : Number.NaN
  if (row.health === 'healthy' && Number.isFinite(seen) && now.getTime() - seen > periodMs) {
    return {onboarded: true, ...MACHINE_HEALTH.Inactive, reason: `Onboarded, but its last full report (${machine.lastSeen}) is older than the health period.`}
  }

  return {onboarded: true, ...row}
}

/**
 * The text `classifyOs` reads from an osPlatform: Windows10 → "Windows 10", WindowsServer2012R2 →
 * "Windows Server 2012 R2", Windows8Blue → "Windows 8.1", RedHatEnterpriseLinux → "Red Hat …".
 */
export function osPlatformText(osPlatform: string): string {
  const p = osPlatform.trim()
  if (/^windows8blue$/i.test(p)) return 'Windows 8.1'
  const win = /^windows(server)?\s*([\d.]+)?\s*(r2)?$/i.exec(p)
  if (win) return ['Windows', win[1] ? 'Server' : '', win[2] ?? '', win[3] ? 'R2' : ''].filter(Boolean).join(' ')
  if (/^(ios|ipados|macos|android|linux)$/i.test(p)) return p
  // CamelCase distribution names: insert spaces so the family rules see the words.
  return p.replace(/([a-z])([A-Z])/g, '$1 $2')
}

/** The version text `classifyOs` reads: the build as NT kernel version when known, else `version`. */
export function osVersionText(machine: Pick<DefenderMachine, 'osPlatform' | 'version' | 'osBuild'>): string | undefined {
  const windows = /^windows/i.test(machine.osPlatform ?? '')
  const build = machine.osBuild ?? null
  if (windows && build !== null && Number.isInteger(build) && build > 0) {
    if (build >= 10240) return `10.0.${build}`
    const nt: Record<number, string> = {9600: '6.3', 9200: '6.2', 7601: '6.1', 7600: '6.1'}
    if (nt[build]) return `${nt[build]}.${build}`
  }

  const v = machine.version?.trim()
  if (!v) return undefined
  // A Windows version like "6.3" or "1809" is what classifyOs reads; "10.0" alone says nothing more.
  return windows && v === '10.0' ? undefined : v
}

/** OS classification of a machine; a platform no rule knows is kept as reported, not onboardable by ConfigMgr. */
export function classifyMachineOs(machine: Pick<DefenderMachine, 'osPlatform' | 'version' | 'osBuild'>): OsClassification & {os: string} {
  const os = machine.osPlatform?.trim() || 'Unknown'
  try {
    return {os, ...classifyOs(osPlatformText(os), osVersionText(machine))}
  } catch (error) {
    if (!(error instanceof OsClassificationError)) throw error
    const windows = /^windows/i.test(os)
    return {
      os,
      family: windows ? 'windows' : 'other',
      name: windows ? 'Windows (edition not reported)' : os,
      build: machine.osBuild ?? null,
      release: machine.version ?? null,
      level: 'unsupported',
      minConfigMgr: null,
      multiSession: false,
      note: `The tenant reports the operating system as '${os}', which atpctl cannot place.`,
    }
  }
}

/** A machine as the Device every backend returns (CM1, CM2, CM6). */
export function machineToDevice(machine: DefenderMachine, now: Date, periodMs: number): MachineDevice {
  const os = classifyMachineOs(machine)
  const state = machineHealth(machine, now, periodMs)
  return {
    name: machine.computerDnsName || machine.id,
    os: os.os,
    version: machine.version ?? null,
    ...osRecordFields(os),
    managedBy: [],
    environment: null,
    subscription: null,
    // The machine entity does not say; its Offboard action does (operations).
    offboarded: null,
    collections: [...(machine.machineTags ?? [])],
    user: null,
    groups: [],
    lastSeen: machine.lastSeen ?? null,
    sensorService: state.sensorService,
    otherFanotifySolution: false,
    previousInstall: false,
    thirdPartyProvider: null,
    source: 'sensor',
    onboarded: state.onboarded,
    onboarding: {onboarded: state.onboarded, path: null, policy: null, reason: state.reason, reasonCode: state.reasonCode},
    health: state.health,
    updatedAt: machine.lastSeen ?? machine.firstSeen ?? now.toISOString(),
    machine: {
      id: machine.id,
      osPlatform: machine.osPlatform ?? null,
      healthStatus: machine.healthStatus ?? null,
      onboardingStatus: machine.onboardingStatus ?? null,
      riskScore: machine.riskScore ?? null,
      exposureLevel: machine.exposureLevel ?? null,
      rbacGroupName: machine.rbacGroupName ?? null,
      lastIpAddress: machine.lastIpAddress ?? null,
      aadDeviceId: machine.aadDeviceId ?? null,
      firstSeen: machine.firstSeen ?? null,
    },
  }
}

