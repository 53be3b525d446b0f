/** The ConfigMgr Defender ATP dashboard (CM6). */
export interface HealthCounts {
  healthy: number
  inactive: number
  agentState: number
  notOnboarded: number
}

export interface DeploymentStatus {
  /** Managed ConfigMgr clients with an active onboarding policy whose OS it supports. */
  eligible: number
  onboarded: number
  /** onboarded / eligible × 100, one decimal; 0 when nothing is eligible. */
  percent: number
}

export interface CollectionMonitor {
  name: string
  members: number
  deployment: DeploymentStatus
  health: HealthCounts
}

export interface MonitorReport {
  /** The collection the figures are limited to, or null for all devices. */
  collection: string | null
  periodMs: number
  period: string
  /** Start of the period: no data since then means Inactive. */
  since: string
  deployment: DeploymentStatus
  health: HealthCounts
  healthPercent: HealthCounts
  /** Onboarded devices by path, over the whole scope (ConfigMgr, Defender for Cloud, third-party). */
  onboardedByPath: Record<string, number>
  devices: number
  collections: CollectionMonitor[]
}

export interface MonitorRequest {
  collection?: string
  periodMs: number
}
