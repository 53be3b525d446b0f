import {randomUUID} from 'node:crypto'
import {
  findProvider,
  INTUNE_CONNECTOR_ID,
  INTUNE_PLATFORMS,
  type IntunePlatform,
  PROVIDERS,
} from '../../core/integration/catalogue.js'
import {assertCanDisable, nextDefenderForCloudState} from '../../core/integration/rules.js'
import type {DefenderForCloudSubscription, IntuneState, ThirdPartyState} from '../../core/integration/types.js'
import type {Cloud} from '../../core/integration/catalogue.js'
import {NotFoundError} from '../../core/errors.js'
import type {IntegrationApi} from '../../core/port/types.js'
import type {LocalStore, StoreSql} from './store.js'
import {requireTenantRow} from './tenant.js'

/** Name of the protected policy the Intune connection creates (IN3). */
export const CLASSIC_POLICY_NAME = '[Classic] Device-based conditional access (Microsoft Defender for Endpoint)'

interface DfcRow {
  subscription_id: string
  cloud: Cloud
  windows: number
  linux: number
  changed_at: string
}

const toSubscription = (r: DfcRow): DefenderForCloudSubscription => ({
  subscriptionId: r.subscription_id,
  cloud: r.cloud,
  windows: r.windows === 1,
  linux: r.linux === 1,
  changedAt: r.changed_at,
})

export async function readThirdParty(store: LocalStore, providerId: string): Promise<ThirdPartyState> {
  const provider = findProvider(providerId)
  const row = await store.get<{enabled: number; changed_at: string | null}>('SELECT enabled, changed_at FROM third_party_integration WHERE provider = ?', provider.id)
  const active = (await store.get<{n: number}>('SELECT COUNT(*) AS n FROM token WHERE provider = ? AND revoked_at IS NULL AND expires_at > ?', provider.id, store.now().toISOString()))!
  return {
    provider: provider.id,
    name: provider.name,
    platforms: provider.platforms,
    enabled: row?.enabled === 1,
    changedAt: row?.changed_at ?? null,
    activeTokens: active.n,
  }
}

export async function readIntune(store: LocalStore): Promise<IntuneState> {
  const row = await store.get<{enabled: number; android: number; ios: number; windows: number; changed_at: string | null}>('SELECT * FROM intune_connection WHERE id = 1')
  const classic = await store.get<{id: string}>("SELECT id FROM access_policy WHERE kind = 'classic'")
  const platforms = {} as IntuneState['platforms']
  for (const platform of Object.keys(INTUNE_PLATFORMS) as IntunePlatform[]) {
    platforms[platform] = {enabled: row?.[platform] === 1, minimumVersion: INTUNE_PLATFORMS[platform].minimumVersion}
  }

  return {enabled: row?.enabled === 1, connectorId: INTUNE_CONNECTOR_ID, platforms, changedAt: row?.changed_at ?? null, classicPolicyId: classic?.id ?? null}
}

export function localIntegrationApi(store: LocalStore): IntegrationApi {
  const db: StoreSql = store
  return {
    async state() {
      await requireTenantRow(store)
      const dfc = await db.all<DfcRow>('SELECT * FROM dfc_subscription ORDER BY subscription_id')
      const thirdParty: ThirdPartyState[] = []
      for (const p of PROVIDERS) thirdParty.push(await readThirdParty(store, p.id))
      return {
        thirdParty,
        intune: await readIntune(store),
        defenderForCloud: dfc.map(toSubscription),
      }
    },

    async setThirdParty(providerId, enabled) {
      const provider = findProvider(providerId)
      await requireTenantRow(store)
      return store.mutate(enabled ? 'integration.enable' : 'integration.disable', `third-party:${provider.id}`, async (tx) => {
        const before = await readThirdParty(tx, provider.id)
        let revokedTokens = 0
        const now = store.now().toISOString()
        if (before.enabled !== enabled) {
          tx.run(
            `INSERT INTO third_party_integration (provider, enabled, changed_at) VALUES (?, ?, ?)
             ON CONFLICT(provider) DO UPDATE SET enabled = excluded.enabled, changed_at = excluded.changed_at`,
            provider.id, enabled ? 1 : 0, now,
          )
        }

        if (!enabled) {
          // TP3: every token of the provider dies with the toggle, expired ones included, so that
          // TP4 holds: re-enabling never revives anything minted before.
          revokedTokens = tx.run("UPDATE token SET revoked_at = ?, revoked_reason = 'integration disabled' WHERE provider = ? AND revoked_at IS NULL", now, provider.id).changes
        }

        return {state: await readThirdParty(tx, provider.id), changed: before.enabled !== enabled, revokedTokens}
      })
    },

    async setIntune(enabled, toggles) {
      await requireTenantRow(store)
      return store.mutate(enabled ? 'integration.enable' : 'integration.disable', 'intune', async (tx) => {
        const before = await readIntune(tx)
        const now = store.now().toISOString()
        const next = {
          android: enabled ? (toggles.android ?? before.platforms.android.enabled) : false,
          ios: enabled ? (toggles.ios ?? before.platforms.ios.enabled) : false,
          windows: enabled ? (toggles.windows ?? before.platforms.windows.enabled) : false,
        }
        tx.run(
          `INSERT INTO intune_connection (id, enabled, android, ios, windows, changed_at) VALUES (1, @enabled, @android, @ios, @windows, @now)
           ON CONFLICT(id) DO UPDATE SET enabled = @enabled, android = @android, ios = @ios, windows = @windows, changed_at = @now`,
          {enabled: enabled ? 1 : 0, android: +next.android, ios: +next.ios, windows: +next.windows, now},
        )
        // IN3: the connection owns one classic policy; off and on again recreates a missing one.
        if (enabled && !before.classicPolicyId) {
          tx.run("INSERT INTO access_policy (id, name, kind, protected, enabled, definition, created_at) VALUES (?, ?, 'classic', 1, 1, ?, ?)",
            randomUUID(),
            CLASSIC_POLICY_NAME,
            JSON.stringify({connectorId: INTUNE_CONNECTOR_ID, grant: 'compliant-device'}),
            now,
          )
        }

        if (!enabled) tx.run("DELETE FROM access_policy WHERE kind = 'classic'")
        const after = await readIntune(tx)
        return {state: after, changed: JSON.stringify(after.platforms) !== JSON.stringify(before.platforms) || after.enabled !== before.enabled}
      })
    },

    async enableDefenderForCloud(request) {
      await requireTenantRow(store)
      return store.mutate('integration.enable', `defender-for-cloud:${request.subscriptionId}`, async (tx) => {
        const row = await tx.get<DfcRow>('SELECT * FROM dfc_subscription WHERE subscription_id = ?', request.subscriptionId)
        const current = row ? toSubscription(row) : undefined
        const next = nextDefenderForCloudState(current, request)
        const changed = !current || current.windows !== next.windows || current.linux !== next.linux || current.cloud !== request.cloud
        if (changed) {
          tx.run(
            `INSERT INTO dfc_subscription (subscription_id, cloud, windows, linux, changed_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT(subscription_id) DO UPDATE SET cloud = excluded.cloud, windows = excluded.windows, linux = excluded.linux, changed_at = excluded.changed_at`,
            request.subscriptionId, request.cloud, +next.windows, +next.linux, store.now().toISOString(),
          )
        }

        return {state: toSubscription((await tx.get<DfcRow>('SELECT * FROM dfc_subscription WHERE subscription_id = ?', request.subscriptionId))!), changed}
      })
    },

    async disableDefenderForCloud(request) {
      await requireTenantRow(store)
      return store.mutate('integration.disable', `defender-for-cloud:${request.subscriptionId}`, async (tx) => {
        assertCanDisable(request.linuxOnly, request.subscriptionId)
        const row = await tx.get<DfcRow>('SELECT * FROM dfc_subscription WHERE subscription_id = ?', request.subscriptionId)
        if (!row) {
          throw new NotFoundError(`Subscription '${request.subscriptionId}' has no Defender for Cloud integration.`, {
            suggestions: ['Run `atpctl integration show defender-for-cloud` to see the subscriptions.'],
          })
        }

        const changed = row.windows === 1 || row.linux === 1
        tx.run('UPDATE dfc_subscription SET windows = 0, linux = 0, changed_at = ? WHERE subscription_id = ?',
          store.now().toISOString(),
          request.subscriptionId,
        )
        return {state: toSubscription((await tx.get<DfcRow>('SELECT * FROM dfc_subscription WHERE subscription_id = ?', request.subscriptionId))!), changed}
      })
    },
  }
}
