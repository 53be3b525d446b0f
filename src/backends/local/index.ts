import {ALL_SUPPORTED, type Capabilities, SUBSCRIPTION_PACKAGES_INSTEAD} from '../../core/capabilities.js'
import type {Backend, BackendContext} from '../../core/port/types.js'
import {busyTimeoutOf, type Database, openDatabase, translateBusy} from './database.js'
import {createLocalStore, type LocalStore} from './store.js'

/**
 * Each resource API of the embedded backend and the module that builds it. Modules are
 * imported on first use, so a command pays start-up time only for the resources it calls
 * (importing all of them costs about 25 ms, a sixth of a typical command).
 */
export const LOCAL_RESOURCES = {
  tenant: async (s: LocalStore) => (await import('./tenant.js')).localTenantApi(s),
  integrations: async (s: LocalStore) => (await import('./integrations.js')).localIntegrationApi(s),
  tokens: async (s: LocalStore) => (await import('./tokens.js')).localTokenApi(s),
  audit: async (s: LocalStore) => (await import('./audit.js')).localAuditApi(s.db, s.now, s.hold),
  devices: async (s: LocalStore) => (await import('./devices.js')).localDeviceApi(s),
  collections: async (s: LocalStore) => (await import('./collections.js')).localCollectionApi(s),
  policies: async (s: LocalStore) => (await import('./policies.js')).localPolicyApi(s),
  monitor: async (s: LocalStore) => (await import('./policies.js')).localMonitorApi(s),
  packages: async (s: LocalStore) => (await import('./packages.js')).localPackageApi(s),
  apiKeys: async (s: LocalStore) => (await import('./apikeys.js')).localApiKeyApi(s),
  intune: async (s: LocalStore) => (await import('./intune.js')).localIntuneApi(s),
  compliance: async (s: LocalStore) => (await import('./compliance.js')).localComplianceApi(s),
  access: async (s: LocalStore) => (await import('./access.js')).localAccessApi(s),
  alerts: async (s: LocalStore) => (await import('./alerts.js')).localAlertsApi(s),
  detection: async (s: LocalStore) => (await import('./detection.js')).localDetectionApi(s),
  operations: async (s: LocalStore) => (await import('./operations.js')).localOperationApi(s),
  setup: async (s: LocalStore) => (await import('./setup.js')).localSetupApi(s, loadLocalResources, LOCAL_CAPABILITIES),
} satisfies {[K in Exclude<keyof Backend, 'kind' | 'location' | 'capabilities' | 'close'>]: (store: LocalStore) => Promise<Backend[K]>}

type ResourceName = keyof typeof LOCAL_RESOURCES

/**
 * A resource API whose module loads on the first method call. Every method of a resource
 * API is async, so a call can wait for the import without changing its signature.
 */
function lazyApi<T extends object>(db: Database, load: () => Promise<T>): T {
  let api: Promise<T> | undefined
  return new Proxy({} as T, {
    get(_target, method) {
      // Not a thenable: `await backend.devices` must not call a `then` method.
      if (typeof method !== 'string' || method === 'then') return undefined
      return async (...args: unknown[]) => {
        const loaded = (await (api ??= load())) as Record<string, unknown>
        const fn = loaded[method]
        if (typeof fn !== 'function') throw new TypeError(`The embedded backend has no method ${method}.`)
        try {
          return await fn.apply(loaded, args)
        } catch (error) {
          // A read or a single-statement write still busy after the wait is exit 6, like a transaction.
          throw translateBusy(error, busyTimeoutOf(db))
        }
      }
    },
  })
}

/**
 * The embedded backend does everything, serving its tenant included, except download a Defender
 * for Cloud subscription's package: it has no Azure subscription and builds its own packages.
 */
export const LOCAL_CAPABILITIES: Capabilities = {...ALL_SUPPORTED, 'subscription-packages': {supported: false, instead: SUBSCRIPTION_PACKAGES_INSTEAD}}

/** The embedded backend: one SQLite database per profile. */
export async function openLocalBackend(databasePath: string, context: BackendContext): Promise<Backend> {
  return (await openLocalBackendWithStore(databasePath, context)).backend
}

/** The embedded backend and its store, for server code that batches writes (see sensor-ingest.ts). */
export async function openLocalBackendWithStore(databasePath: string, context: BackendContext): Promise<{backend: Backend; store: LocalStore}> {
  const db = await openDatabase(databasePath)
  const store = createLocalStore(db, context)
  const resources = Object.fromEntries(
    (Object.keys(LOCAL_RESOURCES) as ResourceName[]).map((name) => [name, lazyApi(db, () => LOCAL_RESOURCES[name](store) as Promise<object>)]),
  ) as unknown as Pick<Backend, ResourceName>
  const backend: Backend = {
    kind: 'local',
    location: databasePath,
    capabilities: LOCAL_CAPABILITIES,
    ...resources,
    async close() {
      db.close()
    },
  }
  return {backend, store}
}

/** Every resource API loaded (for tests and tools that enumerate methods). */
export async function loadLocalResources(store: LocalStore): Promise<Pick<Backend, ResourceName>> {
  const resources: Record<string, object> = {}
  // One at a time: jest's ESM loader does not support concurrent imports of shared modules.
  for (const name of Object.keys(LOCAL_RESOURCES) as ResourceName[]) resources[name] = await LOCAL_RESOURCES[name](store)
  return resources as unknown as Pick<Backend, ResourceName>
}
