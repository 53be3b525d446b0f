/**
 * What a backend can do (SPEC §1). Each backend declares every capability, supported or not, and
 * for an unsupported one what to do instead; a call into an unsupported capability fails with
 * one UnsupportedError, so commands never need to know which backend they have.
 */
import {UnsupportedError} from './errors.js'

interface CapabilitySpec {
  /** What it lets a user do, as `atpctl status` lists it. */
  summary: string
  /** Port methods it covers, `resource.method` or `resource.*`. */
  methods: readonly string[]
}

export const CAPABILITIES = {
  // tenant.get is every backend's: it says which tenant the profile reaches.
  tenant: {summary: 'create the tenant and read its secrets', methods: ['tenant.create', 'tenant.secrets']},
  integrations: {summary: 'read the state of every integration', methods: ['integrations.state']},
  'third-party-integrations': {summary: 'turn third-party providers on and off', methods: ['integrations.setThirdParty']},
  'third-party-tokens': {summary: 'mint, list, revoke and verify sensor tokens', methods: ['tokens.*']},
  'intune-connection': {summary: 'the Intune connection and its platform toggles', methods: ['integrations.setIntune']},
  'defender-for-cloud': {summary: 'the Defender for Cloud integration per subscription', methods: ['integrations.enableDefenderForCloud', 'integrations.disableDefenderForCloud']},
  devices: {summary: 'import, list, show and delete devices', methods: ['devices.import', 'devices.get', 'devices.list', 'devices.reportFromSensor', 'devices.delete']},
  'device-offboarding': {summary: 'offboard devices', methods: ['devices.offboard']},
  collections: {summary: 'device collections and their rules', methods: ['collections.*']},
  'configmgr-policies': {summary: 'Configuration Manager policies and deployments', methods: ['policies.*']},
  monitoring: {summary: 'onboarding and agent health counts (monitor)', methods: ['monitor.*']},
  packages: {summary: 'generate and list onboarding and offboarding packages', methods: ['packages.*']},
  // Issue 13: the one package Microsoft hands out by API, a Defender for Cloud subscription's (mdeOnboardings).
  'subscription-packages': {summary: "download a Defender for Cloud subscription's onboarding package", methods: ['packages.subscriptionScript']},
  'api-keys': {summary: 'API keys of an atpctl server', methods: ['apiKeys.*']},
  'intune-groups-and-profiles': {summary: 'groups, EDR profiles and app configurations', methods: ['intune.*']},
  compliance: {summary: 'compliance policies by machine risk', methods: ['compliance.*']},
  // A user's groups are what an access check reads about the user (IN8), so they go with it.
  'conditional-access': {summary: 'conditional access policies and access checks', methods: ['access.*', 'intune.userGroups']},
  alerts: {summary: 'the alert queue', methods: ['alerts.*']},
  detection: {summary: 'EICAR and test-alert detection checks', methods: ['detection.*']},
  audit: {summary: 'the hash-chained audit log', methods: ['audit.*']},
  operations: {summary: 'list and follow long-running operations', methods: ['operations.*']},
  'tenant-as-code': {summary: 'apply a tenant file (atpctl apply)', methods: ['setup.*']},
  serve: {summary: 'serve the tenant to a team with atpctl serve', methods: []},
} as const satisfies Record<string, CapabilitySpec>

export type CapabilityId = keyof typeof CAPABILITIES

export type CapabilityDeclaration = {supported: true} | {supported: false; instead: string}

/** A backend's declaration: every capability, each supported or with what to do instead. */
export type Capabilities = Record<CapabilityId, CapabilityDeclaration>

export const ALL_SUPPORTED: Capabilities = Object.fromEntries(Object.keys(CAPABILITIES).map((id) => [id, {supported: true}])) as Capabilities

/** The capability a port method belongs to, or null for methods every backend has. */
export function capabilityOf(resource: string, method: string): CapabilityId | null {
  const specs = Object.entries(CAPABILITIES) as [CapabilityId, CapabilitySpec][]
  // A method named exactly wins over a whole resource (`intune.userGroups` over `intune.*`).
  for (const [id, spec] of specs) if (spec.methods.includes(`${resource}.${method}`)) return id
  for (const [id, spec] of specs) if (spec.methods.includes(`${resource}.*`)) return id
  return null
}

export function unsupported(id: CapabilityId, backendKind: string, declaration: {instead: string}): UnsupportedError {
  return new UnsupportedError(`The ${backendKind} backend cannot ${CAPABILITIES[id].summary}.`, {suggestions: [declaration.instead]})
}

/** Throws the UnsupportedError of a capability the backend does not declare. */
export function requireCapability(backend: {kind: string; capabilities: Capabilities}, id: CapabilityId): void {
  const declaration = backend.capabilities[id]
  if (!declaration.supported) throw unsupported(id, backend.kind, declaration)
}

/**
 * Wraps a backend's resource APIs so that a method of an unsupported capability rejects with its
 * UnsupportedError instead of running: the one place every backend's refusals come from.
 */
export function guardCapabilities<B extends {kind: string; capabilities: Capabilities}>(backend: B): B {
  const guarded = new Map<string, unknown>()
  return new Proxy(backend, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown
      if (typeof prop !== 'string' || typeof value !== 'object' || value === null || !Object.values(CAPABILITIES).some((c) => c.methods.some((m) => m.startsWith(`${prop}.`)))) return value
      if (!guarded.has(prop)) {
        guarded.set(
          prop,
          new Proxy(value, {
            get(api, method, r) {
              const fn = Reflect.get(api, method, r) as unknown
              if (typeof method !== 'string' || method === 'then') return fn
              const id = capabilityOf(prop, method)
              const declaration = id ? target.capabilities[id] : undefined
              if (id && declaration && !declaration.supported) return async () => Promise.reject(unsupported(id, target.kind, declaration))
              return fn
            },
          }),
        )
      }

      return guarded.get(prop)
    },
  })
}

/**
 * What a backend without Azure subscriptions says instead (the embedded tenant, an atpctl
 * server): it builds its own packages.
 */
export const SUBSCRIPTION_PACKAGES_INSTEAD =
  'An atpctl tenant builds its own packages: atpctl package generate onboarding --os OS --method METHOD, without --subscription (--subscription names an Azure subscription of a real tenant).'
