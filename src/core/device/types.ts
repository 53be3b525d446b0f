/**
 * The device model shared by inventory, policies, monitoring, detection (issue 5), Intune
 * (issue 6) and live sensors (issue 7). Everything here is JSON-serialisable.
 */
import type {OsFamily, OsLevel} from './os.js'

export type {OsFamily, OsLevel} from './os.js'

export const ENVIRONMENTS = ['on-premises', 'azure-vm', 'azure-arc', 'aws'] as const
export type Environment = (typeof ENVIRONMENTS)[number]

export const SENSOR_SERVICE_STATES = ['running', 'stopped', 'absent'] as const
export type SensorService = (typeof SENSOR_SERVICE_STATES)[number]

/** Agent health (CM6). */
export const HEALTH_STATES = ['healthy', 'inactive', 'agent-state', 'not-onboarded'] as const
export type Health = (typeof HEALTH_STATES)[number]

/** How a device got onboarded. `sensor` is a third-party machine whose live sensor reported itself. */
export const ONBOARDING_PATHS = ['configmgr', 'defender-for-cloud', 'third-party', 'sensor', 'intune'] as const
export type OnboardingPath = (typeof ONBOARDING_PATHS)[number]

/** What manages a device: configmgr, intune, defender-for-cloud, or `third-party:<provider id>`. */
export type Manager = 'configmgr' | 'intune' | 'defender-for-cloud' | `third-party:${string}`

/** A normalised inventory record: what `device import` and sensors write. */
export interface DeviceRecord {
  name: string
  /** The OS text as the inventory wrote it. */
  os: string
  /** The version column as written (build or release), or null. */
  version: string | null
  osFamily: OsFamily
  /** Normalised product name, e.g. "Windows Server 2016 1709". */
  osName: string
  build: number | null
  release: string | null
  level: OsLevel
  /** Oldest ConfigMgr version that can onboard it (0 = any), null = none (CM1). */
  minConfigMgr: number | null
  multiSession: boolean
  managedBy: Manager[]
  environment: Environment | null
  subscription: string | null
  /** Collections named by the inventory (direct membership). */
  collections: string[]
  user: string | null
  groups: string[]
  /** ISO-8601 UTC, or null when the device never reported. */
  lastSeen: string | null
  sensorService: SensorService
  otherFanotifySolution: boolean
  previousInstall: boolean
}

/** Why a device is or is not onboarded, computed deterministically from inventory and state. */
export interface OnboardingState {
  onboarded: boolean
  /** How it was onboarded, or null. */
  path: OnboardingPath | null
  /** The ConfigMgr policy that onboarded it (path configmgr), or null. */
  policy: string | null
  /** One sentence: how it was onboarded, or why not. */
  reason: string
  /** Stable code of the reason, e.g. `up-level-without-file`, `dfc-windows-10-azure-vm`. */
  reasonCode: string
}

/** A device as every reader sees it: the record plus its computed onboarding and health. */
export interface Device extends Omit<DeviceRecord, 'collections'> {
  /** Every collection it is a member of (inventory, manual and query rules, after limits). */
  collections: string[]
  /** The provider id when managed by `third-party:<id>`, else null. */
  thirdPartyProvider: string | null
  /** Where the record came from last: an inventory import or a live sensor report. */
  source: 'inventory' | 'sensor'
  onboarded: boolean
  onboarding: OnboardingState
  health: Health
  updatedAt: string
  /**
   * Set once the offboard action offboarded it (issue 12; `device offboard`): when, why, and the
   * operation that did it. null (or absent, on a backend that does not know) otherwise.
   */
  offboarded?: DeviceOffboarding | null
}

export interface DeviceOffboarding {
  at: string
  comment: string
  operationId: string | null
}

export interface DeviceFilter {
  /** The name starts with this, case-insensitively by the name key (`hasNamePrefix`). */
  namePrefix?: string
  collection?: string
  osFamily?: OsFamily
  /** Case-insensitive substring of the OS text or normalised name. */
  os?: string
  level?: OsLevel
  health?: Health
  managedBy?: string
  onboarded?: boolean
}

/** A live sensor reporting its machine (issue 7; TP1/TP3). */
export interface SensorReport {
  name: string
  os: string
  version?: string | null
  provider: string
  /** Defaults to running: a sensor that reports is running. */
  sensorService?: SensorService
}

export interface ImportSummary {
  total: number
  created: number
  updated: number
  /** Records equal to the stored device: nothing about it changed. */
  unchanged: number
  skipped: number
  /** Collections the inventory named that did not exist and were created. */
  collectionsCreated: string[]
  /** False when the import changed nothing (every record unchanged, no collection created). */
  changed: boolean
}
