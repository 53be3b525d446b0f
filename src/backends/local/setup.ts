/**
 * Tenant as code on the embedded backend (issue 14): an apply is one transaction. The plan is
 * computed, checked and carried out inside one `setup.apply` mutate, on resource APIs built on
 * the transaction's own handle, so every resource's writes join it as savepoints: a refusal or
 * a failure half-way rolls the whole apply back and the tenant is exactly as it was. The one
 * audit record of the apply carries the plan's hashes and counts; the refusal of a failed one
 * is audited as `refused:CODE`.
 */
import {applyAuditTarget, type SetupApplyResult} from '../../core/tenant-file/apply.js'
import {applyTenantDocument} from '../../core/tenant-file/apply-service.js'
import type {SetupApi} from '../../core/port/setup-api.js'
import type {Backend} from '../../core/port/types.js'
import type {LocalStore} from './store.js'

/** Builds every resource API of the embedded backend on a store handle (index.ts's loadLocalResources). */
export type ResourceLoader = (store: LocalStore) => Promise<Omit<Backend, 'kind' | 'location' | 'capabilities' | 'close' | 'setup'>>

export function localSetupApi(store: LocalStore, load: ResourceLoader, capabilities: Backend['capabilities']): SetupApi {
  return {
    async apply(request) {
      return store.hold(async (held) =>
        held.mutate('setup.apply', (result: SetupApplyResult) => applyAuditTarget(result), async () => {
          // The APIs on the held handle: their mutates are savepoints of this transaction.
          const resources = await load(held)
          const inTransaction: Backend = {
            kind: 'local',
            location: held.db.name,
            capabilities,
            ...resources,
            setup: {apply: async () => Promise.reject(new TypeError('setup.apply does not nest.'))},
            async close() {},
          }
          return applyTenantDocument(inTransaction, request, {profile: held.context.profile, now: held.now})
        }),
      )
    },
  }
}
