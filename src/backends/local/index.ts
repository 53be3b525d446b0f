import type {Backend, BackendContext} from '../types.js'
import {localAccessApi} from './access.js'
import {localAlertsApi} from './alerts.js'
import {localApiKeyApi} from './apikeys.js'
import {localAuditApi} from './audit.js'
import {localCollectionApi} from './collections.js'
import {localDeviceApi} from './devices.js'
import {localMonitorApi, localPolicyApi} from './policies.js'
import {localComplianceApi} from './compliance.js'
import {openDatabase} from './database.js'
import {localDetectionApi} from './detection.js'
import {localIntegrationApi} from './integrations.js'
import {localIntuneApi} from './intune.js'
import {localPackageApi} from './packages.js'
import {createLocalStore} from './store.js'
import {localTenantApi} from './tenant.js'
import {localTokenApi} from './tokens.js'

/** The embedded backend: one SQLite database per profile. */
export async function openLocalBackend(databasePath: string, context: BackendContext): Promise<Backend> {
  const db = await openDatabase(databasePath)
  const store = createLocalStore(db, context)
  return {
    kind: 'local',
    location: databasePath,
    tenant: localTenantApi(store),
    integrations: localIntegrationApi(store),
    tokens: localTokenApi(store),
    audit: localAuditApi(db),
    devices: localDeviceApi(store),
    collections: localCollectionApi(store),
    policies: localPolicyApi(store),
    monitor: localMonitorApi(store),
    packages: localPackageApi(store),
    apiKeys: localApiKeyApi(store),
    intune: localIntuneApi(store),
    compliance: localComplianceApi(store),
    access: localAccessApi(store),
    alerts: localAlertsApi(store),
    detection: localDetectionApi(store),
    async close() {
      db.close()
    },
  }
}
