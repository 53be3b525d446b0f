import type {Backend} from '../port/types.js'
import {UsageError} from '../errors.js'
import {requireTenant} from '../tenant/service.js'
import {type Cloud, findProvider, type IntegrationKind, INTUNE_PLATFORMS} from './catalogue.js'
import type {DefenderForCloudSubscription, IntegrationsState, IntuneState, ThirdPartyState} from './types.js'

/** What enable/disable asked for; which fields matter depends on the kind. */
export interface IntegrationChangeOptions {
  kind: IntegrationKind
  enabled: boolean
  provider?: string
  subscription?: string
  cloud?: Cloud
  linux?: boolean
  windowsOnly?: boolean
  platforms?: {android?: boolean; ios?: boolean; windows?: boolean}
}

export type IntegrationChangeResult =
  | {kind: 'third-party'; changed: boolean; revokedTokens: number; provider: ThirdPartyState}
  | {kind: 'intune'; changed: boolean; intune: IntuneState}
  | {kind: 'defender-for-cloud'; changed: boolean; subscription: DefenderForCloudSubscription}

export type IntegrationShowResult =
  | {kind: 'third-party'; providers: ThirdPartyState[]}
  | {kind: 'intune'; intune: IntuneState}
  | {kind: 'defender-for-cloud'; subscriptions: DefenderForCloudSubscription[]}

export async function listIntegrations(backend: Backend, profile: string): Promise<IntegrationsState> {
  await requireTenant(backend, profile)
  return backend.integrations.state()
}

export async function showIntegration(
  backend: Backend,
  options: {kind: IntegrationKind; provider?: string; profile: string},
): Promise<IntegrationShowResult> {
  const state = await listIntegrations(backend, options.profile)
  switch (options.kind) {
    case 'third-party': {
      const wanted = options.provider ? findProvider(options.provider).id : undefined
      return {kind: 'third-party', providers: state.thirdParty.filter((p) => !wanted || p.provider === wanted)}
    }

    case 'intune': {
      return {kind: 'intune', intune: state.intune}
    }

    case 'defender-for-cloud': {
      return {kind: 'defender-for-cloud', subscriptions: state.defenderForCloud}
    }
  }
}

function required<V>(value: V | undefined, flag: string, kind: string): V {
  if (value === undefined || value === '') {
    throw new UsageError(`The ${kind} integration needs ${flag}.`, {suggestions: [`Pass ${flag}.`]})
  }

  return value
}

/** Turns one integration on or off, by the rules of its kind (TP1/TP3, IN1–IN3, DC1–DC5). */
export async function changeIntegration(backend: Backend, options: IntegrationChangeOptions & {profile: string}): Promise<IntegrationChangeResult> {
  await requireTenant(backend, options.profile)
  switch (options.kind) {
    case 'third-party': {
      const provider = required(options.provider, '--provider', 'third-party')
      const result = await backend.integrations.setThirdParty(provider, options.enabled)
      return {kind: 'third-party', changed: result.changed, revokedTokens: result.revokedTokens, provider: result.state}
    }

    case 'intune': {
      const platforms = options.platforms ?? {}
      if (!options.enabled && Object.values(platforms).some((v) => v !== undefined)) {
        throw new UsageError('Platform toggles apply when enabling; `disable intune` turns the whole connection off.', {
          suggestions: ['To turn one platform off: atpctl integration enable intune --no-android (or --no-ios, --no-windows)'],
        })
      }

      const result = await backend.integrations.setIntune(options.enabled, platforms)
      return {kind: 'intune', changed: result.changed, intune: result.state}
    }

    case 'defender-for-cloud': {
      const subscriptionId = required(options.subscription, '--subscription', 'defender-for-cloud')
      const result = options.enabled
        ? await backend.integrations.enableDefenderForCloud({
            subscriptionId,
            cloud: options.cloud ?? 'commercial',
            linux: Boolean(options.linux),
            windowsOnly: Boolean(options.windowsOnly),
          })
        : await backend.integrations.disableDefenderForCloud({subscriptionId, linuxOnly: Boolean(options.linux)})
      return {kind: 'defender-for-cloud', changed: result.changed, subscription: result.state}
    }
  }
}

export const INTUNE_PLATFORM_NAMES = Object.keys(INTUNE_PLATFORMS) as (keyof typeof INTUNE_PLATFORMS)[]
