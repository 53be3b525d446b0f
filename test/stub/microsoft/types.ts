
/**
 * Shapes of the Microsoft stub: the Defender for Endpoint entities as the API documents them
 * (machines, alerts, machine actions) and the stub's options, faults and request log.
 * Written from the documented shapes only; nothing here imports atpctl's own code.
 */
import type {GraphState} from './graph-state.js'

export type StubApi = 'entra' | 'defender' | 'graph' | 'arm'

/** A machine as `GET /api/machines` returns it. */
export interface StubMachine {
  id: string
  computerDnsName: string
  firstSeen: string
  lastSeen: string
  osPlatform: string
  version: string | null
  osProcessor: string | null
  osArchitecture: string | null
  osBuild: number | null
  lastIpAddress: string | null
  lastExternalIpAddress: string | null
  healthStatus: 'Active' | 'Inactive' | 'ImpairedCommunication' | 'NoSensorData' | 'NoSensorDataImpairedCommunication' | 'Unknown'
  onboardingStatus: 'Onboarded' | 'CanBeOnboarded' | 'Unsupported' | 'InsufficientInfo'
  rbacGroupId: number | null
  rbacGroupName: string | null
  riskScore: 'None' | 'Informational' | 'Low' | 'Medium' | 'High'
  exposureLevel: 'None' | 'Low' | 'Medium' | 'High'
  deviceValue: 'Normal' | 'Low' | 'High'
  aadDeviceId: string | null
  isAadJoined: boolean
  machineTags: string[]
  ipAddresses: {ipAddress: string; macAddress: string; operationalStatus: string}[]
}

export interface StubEvidence {
  entityType: string
  evidenceCreationTime: string
  sha1: string | null
  sha256: string | null
  fileName: string | null
  filePath: string | null
  processId: number | null
  processCommandLine: string | null
  detectionStatus: string | null
  [key: string]: unknown
}

/** An alert as `GET /api/alerts?$expand=evidence` returns it. */
export interface StubAlert {
  id: string
  incidentId: number | null
  investigationId: number | null
  investigationState: string
  assignedTo: string | null
  severity: 'UnSpecified' | 'Informational' | 'Low' | 'Medium' | 'High'
  status: 'Unknown' | 'New' | 'InProgress' | 'Resolved'
  classification: string | null
  determination: string | null
  detectionSource: string
  detectorId: string | null
  category: string
  threatFamilyName: string | null
  threatName: string | null
  title: string
  description: string
  alertCreationTime: string
  firstEventTime: string
  lastEventTime: string
  lastUpdateTime: string
  resolvedTime: string | null
  machineId: string
  computerDnsName: string
  rbacGroupName: string | null
  aadTenantId: string
  mitreTechniques: string[]
  relatedUser: {userName: string; domainName: string} | null
  comments: {comment: string; createdBy: string; createdTime: string}[]
  evidence: StubEvidence[]
}

export type StubActionStatus = 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'TimeOut' | 'Cancelled'

/** A machine action as `GET /api/machineactions` returns it. */
export interface StubMachineAction {
  id: string
  type: string
  title: string
  requestor: string
  requestorComment: string
  status: StubActionStatus
  machineId: string
  computerDnsName: string
  creationDateTimeUtc: string
  lastUpdateDateTimeUtc: string
  cancellationRequestor: string | null
  cancellationComment: string | null
  cancellationDateTimeUtc: string | null
  errorHResult: number
  scope: string | null
  externalId: string | null
  requestSource: string
  relatedFileInfo: null | {fileIdentifier: string; fileIdentifierType: 'Sha1' | 'Sha256' | 'Md5'}
  commands: unknown[]
  troubleshootInfo: string | null
}

/**
 * The API budget the stub enforces, per API and app: at most `perMinute` calls in any window of
 * `minuteMs` (default 60 s) and `perHour` in any window of `hourMs` (default 1 h). Scale the
 * windows down for benches ("100 per 10 s").
 */
export interface StubBudget {
  perMinute: number
  perHour: number
  minuteMs?: number
  hourMs?: number
}

export interface MicrosoftStubOptions {
  tenantId?: string
  clientId?: string
  /** The accepted client secret (client credentials). Default STUB_CLIENT_SECRET; null accepts none. */
  clientSecret?: string | null
  /** The accepted client certificate (PEM): assertions signed by its key, PS256 or RS256, with x5t#S256 or x5t. */
  certificate?: {certPem: string}
  /** Federated tokens (workload identity) accepted as client assertions. */
  federatedTokens?: string[]
  /** The `roles` claim of each API's token. Defender default: read/write machines and alerts, offboard. */
  roles?: {defender?: string[]; graph?: string[]; arm?: string[]}
  tokenLifetimeSec?: number
  /** Default for Defender: 100 per minute and 1,500 per hour, as documented. */
  budget?: StubBudget
  /** Default: sampleMachines(). */
  machines?: StubMachine[]
  alerts?: StubAlert[]
  /** How long an action stays Pending, then InProgress, and how it ends (default 200 ms, 200 ms, Succeeded). */
  actions?: {pendingMs?: number; inProgressMs?: number; outcome?: (action: StubMachineAction) => 'Succeeded' | 'Failed' | 'TimeOut'}
  /** Azure Resource Manager (issue 13): subscriptions, their settings and the onboarding package. */
  arm?: import('./arm.js').StubArmOptions
  /**
   * Microsoft Graph's Intune side (issue 13), one model: the directory (users, devices, groups),
   * managed devices, the connector, compliance, conditional access, EDR policies, app configurations.
   */
  graph?: GraphState
  /** Machines' riskScore follows their active alerts (the highest severity not resolved), as on a tenant; default: as set. */
  riskFromAlerts?: boolean
}

/** Where a fault applies: a path substring or a pattern tested on `path?query`, and optionally one API and method. */
export interface StubFaultTarget {
  route?: RegExp | string
  api?: StubApi
  method?: string
  /** How many matching requests it hits (default 1). */
  times?: number
}

export type StubFault = StubFaultTarget &
  (
    | {status: 429; retryAfterSec: number}
    | {status: 500 | 502 | 503 | 504; body?: unknown}
    | {delayMs: number}
    | {drop: true}
    | {expireTokens: true}
  )

export interface StubRequestLog {
  api: StubApi
  method: string
  /** The path below the API's base URL, e.g. `/api/machines`. */
  path: string
  query: Record<string, string>
  status: number
  ms: number
  /** Epoch milliseconds when the request arrived. */
  at: number
  /** Whether the request was answered 429 for exceeding the budget. */
  overBudget: boolean
  /** The Authorization header's token, when one came (tests grep logs for it). */
  token?: string
}

export interface MicrosoftStub {
  origin: string
  authorityHost: string
  defenderUrl: string
  graphUrl: string
  armUrl: string
  tenantId: string
  clientId: string
  caFile: string
  caPem: string
  state: {machines: StubMachine[]; alerts: StubAlert[]; machineActions: StubMachineAction[]}
  /** ARM's state (issue 13): change subscriptions, roles, plans and the package in place. */
  arm: import('./arm.js').StubArmState
  /** Microsoft Graph's Intune side, one model, live (tests arrange and inspect it). */
  graph: GraphState
  /** The number of requests in each Graph `$batch` received. */
  graphBatches: number[]
  inject(fault: StubFault): void
  setRoles(api: 'defender' | 'graph' | 'arm', roles: string[]): void
  requests: StubRequestLog[]
  /** Requests answered 429 because they exceeded the budget. */
  overBudget(): number
  /** Actions created while an earlier one of the same type on the same machine had not failed (a client's duplicate). */
  duplicateActions(): number
  /** Access tokens issued so far, per API. */
  tokensIssued(api?: 'defender' | 'graph' | 'arm' | 'other'): number
  watchForEicar(options: {folder: string; machineId: string; delayMs?: number}): void
  close(): Promise<void>
}
