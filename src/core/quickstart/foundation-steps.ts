import {changeIntegration} from '../integration/service.js'
import {getStatus} from '../status.js'
import {resolveDatacenter} from '../tenant/model.js'
import {initTenant} from '../tenant/service.js'
import {mintToken} from '../token/service.js'
import type {QuickstartStep} from './types.js'

const PROVIDER = 'sentinelone'

/** The foundation's part of the walk-through: tenant, integration, token, status. */
export const foundationSteps: QuickstartStep[] = [
  {
    id: 'init',
    title: 'Create the tenant',
    why: 'Every profile has one tenant: an org id, a data location that can never change, a workspace ID/key for down-level machines, and a signing identity for packages.',
    command: 'atpctl init --location us',
    async run(ctx) {
      const existing = await ctx.backend.tenant.get()
      const location = existing?.location ?? ctx.location
      const result = await initTenant(ctx.backend, {location, datacenter: existing?.datacenter ?? resolveDatacenter(location), profile: ctx.profile})
      return {
        summary: result.created
          ? `Tenant ${result.tenant.orgId} created in ${result.tenant.location} (${result.tenant.datacenter}).`
          : `Tenant ${result.tenant.orgId} already exists in ${result.tenant.location}; reusing it.`,
        data: result.tenant,
      }
    },
  },
  {
    id: 'integration',
    title: 'Turn on a third-party integration',
    why: 'Non-Windows machines report through a third-party sensor; its provider must be switched on before it can send data.',
    command: `atpctl integration enable third-party --provider ${PROVIDER}`,
    async run(ctx) {
      const result = await changeIntegration(ctx.backend, {kind: 'third-party', enabled: true, provider: PROVIDER, profile: ctx.profile})
      return {summary: `${PROVIDER} integration is on.`, data: result}
    },
  },
  {
    id: 'token',
    title: 'Mint an access token for its sensors',
    why: "The provider's sensors authenticate with a short-lived token; only its hash is stored and the secret is shown once.",
    command: `atpctl token mint --provider ${PROVIDER} --ttl 24h`,
    async run(ctx) {
      const {token} = await mintToken(ctx.backend, {provider: PROVIDER, ttlMs: 24 * 3_600_000, profile: ctx.profile})
      ctx.shared.tokenId = token.id
      return {
        summary: `Token ${token.id} minted, valid until ${token.expiresAt}.`,
        details: ['The secret is not shown here; `atpctl token mint` prints it once when you need one for a real sensor.'],
        data: {id: token.id, provider: token.provider, createdAt: token.createdAt, expiresAt: token.expiresAt},
      }
    },
  },
  {
    id: 'status',
    title: 'Check the status',
    why: 'One view of tenant, backend, integrations and tokens.',
    command: 'atpctl status',
    async run(ctx) {
      const status = await getStatus(ctx.backend, ctx.profile)
      const on = (status.integrations?.thirdParty ?? []).filter((p) => p.enabled).map((p) => p.provider)
      return {
        summary: `${on.length} third-party integration(s) on (${on.join(', ') || 'none'}); ${status.tokens?.active ?? 0} active token(s).`,
        data: {tokens: status.tokens, thirdPartyEnabled: on},
      }
    },
  },
]
