import type {Cloud, IntunePlatform} from './catalogue.js'

export interface ThirdPartyState {
  provider: string
  name: string
  platforms: string[]
  enabled: boolean
  changedAt: string | null
  activeTokens: number
}

export interface IntuneState {
  enabled: boolean
  connectorId: string
  platforms: Record<IntunePlatform, {enabled: boolean; minimumVersion: string}>
  changedAt: string | null
  classicPolicyId: string | null
}

export interface DefenderForCloudSubscription {
  subscriptionId: string
  cloud: Cloud
  windows: boolean
  linux: boolean
  /** When atpctl last changed it; null where the backend is not told (Azure reports no time for the settings). */
  changedAt: string | null
}

export interface IntegrationsState {
  thirdParty: ThirdPartyState[]
  intune: IntuneState
  defenderForCloud: DefenderForCloudSubscription[]
}

export interface IntuneToggleRequest {
  android?: boolean
  ios?: boolean
  windows?: boolean
}

export interface DefenderForCloudEnableRequest {
  subscriptionId: string
  cloud: Cloud
  linux: boolean
  windowsOnly: boolean
}

export interface DefenderForCloudDisableRequest {
  subscriptionId: string
  linuxOnly: boolean
}
