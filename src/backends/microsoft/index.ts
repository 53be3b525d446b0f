/**
 * The microsoft backend (issue 12): the port on a real tenant through the Defender for Endpoint
 * API, signed in with @azure/identity. It declares every capability: supported ones go to the
 * API (defender.ts); for the others Microsoft has no API (or atpctl does not use it yet), and the
 * declaration says where in which portal to do it instead.
 */
import type {TokenCredential} from '@azure/identity'
import {type Capabilities, type CapabilityId, unsupported} from '../../core/capabilities.js'
import type {UnsupportedError} from '../../core/errors.js'
import type {GrantedRoles, PermissionApiKey} from '../../core/permissions.js'
import type {OperationApi} from '../../core/port/operations-api.js'
import {listAll} from '../../core/port/page.js'
import type {Backend, BackendContext} from '../../core/port/types.js'
import type {SignInReporter} from '../../core/status.js'
import {applyTenantDocument} from '../../core/tenant-file/apply-service.js'
import {journalFileIn} from '../../lib/journal-file.js'
import {defenderForCloud} from './arm.js'
import {armPackages} from './arm-package.js'
import {endpointsFor, type MicrosoftApi} from './cloud.js'
import {createCredential, describeCredential, type Env, signInContext} from './credential.js'
import {defaultHostname, defenderAlerts, defenderDetection, defenderDevices, defenderMonitor, defenderOperations, type MicrosoftDeviceApi} from './defender.js'
import {graphIntune} from './graph-intune-resources.js'
import {type ApiClient, createApiClient} from './http.js'
import {graphAccess} from './graph-access.js'
import {graphCompliance} from './graph-compliance.js'
import {graphIntuneConnection} from './graph-intune.js'
import {createMicrosoftIntegrations} from './integrations.js'
import type {BudgetLimit} from './scheduler.js'
import type {MicrosoftSettings} from './settings.js'

const DEFENDER_PORTAL = 'Microsoft Defender portal (security.microsoft.com)'
const INTUNE_CENTER = 'Microsoft Intune admin center (intune.microsoft.com)'

/**
 * What a real tenant does through atpctl, and where to do the rest. Intune, Defender for Cloud
 * and integration state come with Microsoft Graph and Azure Resource Manager (issue 13).
 */
export const MICROSOFT_CAPABILITIES: Capabilities = {
  tenant: {
    supported: false,
    instead: `The tenant exists with your subscription; atpctl init --backend microsoft connects a profile to it. The Workspace key for down-level machines is in the ${DEFENDER_PORTAL}: Settings > Endpoints > Onboarding, Windows Server 2012 R2 and 2016 with Microsoft Monitoring Agent.`,
  },
  // Issue 13 (G1): the Intune connection, compliance and conditional access through Microsoft Graph.
  integrations: {supported: true},
  'third-party-integrations': {supported: false, instead: `Turn partner integrations on and off in the ${DEFENDER_PORTAL}: Settings > Endpoints > Advanced features, and Partners and APIs > Partner applications.`},
  'third-party-tokens': {
    supported: false,
    instead: `Microsoft has no API that mints a partner's token: create it in the ${DEFENDER_PORTAL}: Settings > Endpoints > Onboarding, pick the partner's operating system, and copy the token into the partner's console.`,
  },
  'intune-connection': {supported: true},
  // issue 13 (G3): Azure Resource Manager, arm.ts.
  'defender-for-cloud': {supported: true},
  devices: {supported: true},
  'device-offboarding': {supported: true},
  operations: {supported: true},
  collections: {
    supported: false,
    instead: `On a real tenant collections are machine tags: tag machines in the ${DEFENDER_PORTAL}: Assets > Devices > (device) > Manage tags, or group them under Settings > Endpoints > Device groups; then atpctl device list --collection TAG.`,
  },
  'configmgr-policies': {supported: false, instead: 'Create and deploy the Defender for Endpoint onboarding policy in the Configuration Manager console: Assets and Compliance > Endpoint Protection > Microsoft Defender ATP Policies.'},
  monitoring: {supported: true},
  packages: {supported: false, instead: `Download the package in the ${DEFENDER_PORTAL}: Settings > Endpoints > Onboarding (or Offboarding), pick the operating system and deployment method, Download package.`},
  // Issue 13: the one package Microsoft hands out by API, a subscription's (arm-package.ts).
  'subscription-packages': {supported: true},
  'api-keys': {supported: false, instead: 'API keys belong to an atpctl server. On a real tenant each admin or pipeline signs in with its own app registration (Microsoft Entra admin center > App registrations).'},
  'intune-groups-and-profiles': {supported: true},
  compliance: {supported: true},
  'conditional-access': {supported: true},
  alerts: {supported: true},
  detection: {supported: true},
  audit: {supported: false, instead: `Machine actions are recorded in the ${DEFENDER_PORTAL}: Actions & submissions > Action center > History; portal changes in Microsoft Purview: Audit.`},
  // Issue 14: applied in order through the journal (setup below); the kinds above that are unsupported are refused with their own "instead".
  'tenant-as-code': {supported: true},
  serve: {supported: false, instead: 'atpctl serve shares an embedded tenant. With a real tenant every admin and pipeline uses its own profile: atpctl init --backend microsoft.'},
}

export interface MicrosoftBackendOptions {
  settings: MicrosoftSettings
  context: BackendContext
  env?: Env
  /** A credential already built (init with a secret from stdin, tests). */
  credential?: TokenCredential
  /** A secret already in memory (read from stdin by init). */
  secret?: string
  /** Where device-code sign-in keeps its token cache (the profile's folder). */
  cacheDir?: string
  /** Where `apply` keeps its journals (the profile's `journals/` folder), so a rerun continues where it stopped. */
  journalDir?: string
  /** Client-side budget of the Defender API (default the documented 100/min and 1,500/h). */
  budget?: readonly BudgetLimit[]
  /** How long one call may wait for the budget before it is throttled (exit 8). */
  maxWaitMs?: number
  timeoutMs?: number
  log?: (line: string) => void
  hostname?: () => string
  platform?: NodeJS.Platform
  /** Device code sign-in: where the prompt goes, and whether one may appear now. */
  prompt?: (message: string) => void
  interactive?: boolean
}

export interface MicrosoftBackend extends Backend, SignInReporter {
  readonly kind: 'microsoft'
  readonly devices: MicrosoftDeviceApi
  readonly operations: OperationApi
  /** The API client of one API (defender now), signed in on first use. */
  client(api: MicrosoftApi): Promise<ApiClient>
}

/** The error of an unsupported capability, the same one the capability guard raises. */
function refusal(id: CapabilityId): UnsupportedError {
  const declaration = MICROSOFT_CAPABILITIES[id]
  return unsupported(id, 'microsoft', declaration.supported ? {instead: ''} : declaration)
}

/** Resources of a capability the backend does not have: every method refuses, with what to do instead. */
function refusing<T extends object>(id: CapabilityId): T {
  return new Proxy({} as T, {
    get(_target, method) {
      if (typeof method !== 'string' || method === 'then') return undefined
      return async () => Promise.reject(refusal(id))
    },
  })
}

export function openMicrosoftBackend(options: MicrosoftBackendOptions): MicrosoftBackend {
  const env = options.env ?? process.env
  const {settings} = options
  const endpoints = endpointsFor(settings.cloud, settings)
  const signIn = signInContext(settings, env)
  let credential: TokenCredential | undefined = options.credential
  const clients = new Map<MicrosoftApi, ApiClient>()
  const baseUrls: Record<MicrosoftApi, string> = {defender: endpoints.defenderUrl, graph: endpoints.graphUrl, arm: endpoints.armUrl}

  async function client(api: MicrosoftApi): Promise<ApiClient> {
    let c = clients.get(api)
    if (!c) {
      credential ??= createCredential(settings, env, {secret: options.secret, cacheDir: options.cacheDir, prompt: options.prompt, interactive: options.interactive})
      c = createApiClient({
        api,
        baseUrl: baseUrls[api],
        scope: endpoints.scopes[api],
        credential,
        signIn,
        budget: api === 'defender' ? options.budget : undefined,
        maxWaitMs: options.maxWaitMs,
        timeoutMs: options.timeoutMs,
        caFile: settings.caFile,
        env,
        log: options.log,
      })
      clients.set(api, c)
    }

    return c
  }

  const ctx = {
    client: () => client('defender'),
    now: options.context.now ?? (() => new Date()),
    hostname: options.hostname ?? defaultHostname,
    platform: options.platform ?? process.platform,
  }
  const devices = defenderDevices(ctx)
  // issue 13 (G3): Defender for Cloud through ARM; the lead plugs it into the integrations composition.
  const dfc = defenderForCloud({client: () => client('arm'), cloud: settings.cloud})
  // Issue 13 (G1): Microsoft Graph for the Intune connection, compliance and conditional access.
  const graphCtx = {client: () => client('graph'), now: ctx.now}
  const intuneConnection = graphIntuneConnection(graphCtx)
  const access = graphAccess(graphCtx)
  const compliance = graphCompliance({
    ...graphCtx,
    defender: () => client('defender'),
    connection: () => intuneConnection.state(),
    enabledAccessPolicies: async () => (await listAll((page) => access.listPolicies(page))).filter((p) => p.enabled).map((p) => p.name),
  })
  const integrations = createMicrosoftIntegrations({
    intune: intuneConnection,
    defenderForCloud: {subscriptions: dfc.list, enable: dfc.enable, disable: dfc.disable},
    refuse: (id) => refusal(id),
  })
  const backend: MicrosoftBackend = {
    kind: 'microsoft',
    location: `${endpoints.defenderUrl} (tenant ${settings.tenantId})`,
    capabilities: MICROSOFT_CAPABILITIES,
    tenant: {
      // atpctl keeps no tenant record of a real tenant: there is nothing of its own to show.
      async get() {
        return null
      },
      create: async () => Promise.reject(refusal('tenant')),
      secrets: async () => Promise.reject(refusal('tenant')),
    },
    integrations,
    tokens: refusing('third-party-tokens'),
    audit: refusing('audit'),
    devices,
    collections: refusing('collections'),
    policies: refusing('configmgr-policies'),
    monitor: defenderMonitor(ctx, devices),
    // Microsoft keeps no record of downloads atpctl could list; a subscription's package is ARM's (arm-package.ts).
    packages: {
      record: async () => Promise.reject(refusal('packages')),
      list: async () => Promise.reject(refusal('packages')),
      subscriptionScript: armPackages({client: () => client('arm')}).onboardingScript,
    },
    apiKeys: refusing('api-keys'),
    // A user's groups for an access check (IN8) come with conditional access (graph-access.ts).
    intune: {...graphIntune({client: () => client('graph')}), userGroups: access.userGroups},
    compliance,
    access,
    alerts: defenderAlerts(ctx),
    detection: defenderDetection(ctx),
    operations: defenderOperations(ctx),
    // Issue 14: ordered, idempotent, resumable: each finished step is journalled before the next one is sent.
    setup: {
      apply: async (request) =>
        applyTenantDocument(backend, request, {
          profile: options.context.profile,
          now: ctx.now,
          journal: options.journalDir === undefined ? undefined : (name) => journalFileIn(options.journalDir!, name),
        }),
    },
    client,

    async signIn() {
      const granted = {} as GrantedRoles
      // Defender first: it is the API every supported capability uses; a sign-in error there is the command's error.
      granted.defender = {roles: await (await client('defender')).roles()}
      for (const api of ['graph', 'arm'] as const satisfies PermissionApiKey[]) {
        try {
          granted[api] = {roles: await (await client(api)).roles()}
        } catch (error) {
          granted[api] = {roles: null, error: (error as Error).message}
        }
      }

      return {tenantId: settings.tenantId, clientId: settings.clientId, cloud: settings.cloud, credential: describeCredential(settings, env), granted, urls: baseUrls}
    },

    async close() {
      for (const c of clients.values()) c.close()
      clients.clear()
    },
  }
  return backend
}

