/**
 * The one interface every backend implements (SPEC §1). Methods are grouped by resource, speak
 * only core types, are JSON-serialisable both ways (the remote backend sends them over HTTP),
 * and throw only core errors, so commands and exit codes never depend on the backend.
 */
import type {AuditHead, AuditRecord, AuditVerification} from '../audit/chain.js'
import type {Capabilities} from '../capabilities.js'
import type {ApiKeyApi} from './apikey-api.js'
import type {AlertsApi, DetectionApi} from './detection-api.js'
import type {CollectionApi} from './collections-api.js'
import type {DeviceApi} from './devices-api.js'
import type {MonitorApi, PolicyApi} from './policies-api.js'
import type {AccessApi, ComplianceApi, IntuneApi} from './intune-api.js'
import type {OperationApi} from './operations-api.js'
import type {PackageApi} from './packages-api.js'
import type {SetupApi} from './setup-api.js'
import type {Page, PageRequest} from './page.js'
import type {
  DefenderForCloudDisableRequest,
  DefenderForCloudEnableRequest,
  DefenderForCloudSubscription,
  IntegrationsState,
  IntuneState,
  IntuneToggleRequest,
  ThirdPartyState,
} from '../integration/types.js'
import type {Location, Tenant, TenantSecrets} from '../tenant/model.js'
import type {MintedToken, TokenInfo, TokenVerification} from '../token/rules.js'

/** The backend kinds atpctl ships; a backend may be added without changing commands (ARCHITECTURE.md). */
export type BackendKind = 'local' | 'remote' | 'microsoft'

export interface TenantCreateRequest {
  location: Location
  datacenter: string
}

export interface TenantApi {
  /** The profile's tenant, or null before `atpctl init`. */
  get(): Promise<Tenant | null>
  /** Creates the tenant; same location again is a no-op (created: false), another is refused (T1). */
  create(request: TenantCreateRequest): Promise<{tenant: Tenant; created: boolean}>
  /** Workspace key and signing identity (T2). */
  secrets(): Promise<TenantSecrets>
}

export interface IntegrationApi {
  state(): Promise<IntegrationsState>
  /** TP1/TP3: turning a provider off revokes all its tokens and blocks its inbound data. */
  setThirdParty(provider: string, enabled: boolean): Promise<{state: ThirdPartyState; changed: boolean; revokedTokens: number}>
  /** IN1–IN3: the connection and its platform toggles; on creates the protected classic policy. */
  setIntune(enabled: boolean, toggles: IntuneToggleRequest): Promise<{state: IntuneState; changed: boolean}>
  enableDefenderForCloud(request: DefenderForCloudEnableRequest): Promise<{state: DefenderForCloudSubscription; changed: boolean}>
  disableDefenderForCloud(request: DefenderForCloudDisableRequest): Promise<{state: DefenderForCloudSubscription; changed: boolean}>
}

export interface TokenApi {
  /** TP2: only for an enabled provider; the secret is returned once and stored hashed. */
  mint(request: {provider: string; ttlMs: number}): Promise<MintedToken>
  /** Oldest first (created, id). */
  list(filter?: {provider?: string} & PageRequest): Promise<Page<TokenInfo>>
  /** Revoking twice is a no-op (`changed: false`). */
  revoke(id: string): Promise<{token: TokenInfo; changed: boolean}>
  /** Checks a presented secret; a valid one has its last use recorded. */
  verify(secret: string): Promise<TokenVerification>
}

export interface AuditApi {
  /** In chain order (oldest first), or newest first with `newestFirst`. */
  list(filter?: {operation?: string; newestFirst?: boolean} & PageRequest): Promise<Page<AuditRecord>>
  /** The newest point of the chain (record count and last hash), for a CI job to keep. */
  head(): Promise<AuditHead>
  /** Checks the keyed chain and the head checkpoint; `head` is a head kept elsewhere that the chain must still contain. */
  verify(options?: {head?: string}): Promise<AuditVerification>
}

export interface Backend {
  readonly kind: BackendKind
  /** Where the data lives: a database path or a server URL. */
  readonly location: string
  /** What this backend can do; calls into the rest fail with UnsupportedError (exit 4). */
  readonly capabilities: Capabilities
  readonly tenant: TenantApi
  readonly integrations: IntegrationApi
  readonly tokens: TokenApi
  readonly audit: AuditApi
  /** Device inventory with computed onboarding and health; collections (issue 4; CM1–CM8). */
  readonly devices: DeviceApi
  readonly collections: CollectionApi
  readonly policies: PolicyApi
  readonly monitor: MonitorApi
  /** Generated onboarding/offboarding packages (issue 3). */
  readonly packages: PackageApi
  /** Admin API keys of `atpctl serve` (issue 7). */
  readonly apiKeys: ApiKeyApi
  /** Intune groups, EDR profiles, app configuration; compliance; conditional access (IN1–IN8). */
  readonly intune: IntuneApi
  readonly compliance: ComplianceApi
  readonly access: AccessApi
  /** The alert queue and the detection engine (issue 5; DT1–DT3, DC8, TP5). */
  readonly alerts: AlertsApi
  readonly detection: DetectionApi
  /** Writes that may finish later (a deployment, an offboarding), newest first (issue 11 item 5). */
  readonly operations: OperationApi
  /** Tenant as code: apply a tenant file (issue 14). */
  readonly setup: SetupApi
  close(): Promise<void>
}

/** Who is acting and on which profile; recorded in the audit log. */
export interface BackendContext {
  profile: string
  actor: string
  /** Injected clock, so core rules and tests agree on "now". */
  now?: () => Date
}
