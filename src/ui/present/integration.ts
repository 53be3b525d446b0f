import type {IntegrationChangeResult, IntegrationShowResult} from '../../core/integration/service.js'
import type {DefenderForCloudSubscription, IntegrationsState, IntuneState, ThirdPartyState} from '../../core/integration/types.js'
import {renderTable} from '../table.js'
import {style} from '../style.js'

const thirdPartyRow = (p: ThirdPartyState) => [
  'third-party',
  p.provider,
  style.onOff(p.enabled),
  `${p.name} (${p.platforms.join(', ')}); ${p.activeTokens} active token${p.activeTokens === 1 ? '' : 's'}`,
]

const intuneRow = (i: IntuneState) => [
  'intune',
  'connection',
  style.onOff(i.enabled),
  (Object.entries(i.platforms) as [string, {enabled: boolean; minimumVersion: string}][])
    .map(([name, p]) => `${name} ${p.enabled ? 'on' : 'off'} (>= ${p.minimumVersion})`)
    .join(', '),
]

const dfcRow = (s: DefenderForCloudSubscription) => [
  'defender-for-cloud',
  s.subscriptionId,
  style.onOff(s.windows || s.linux),
  `windows ${s.windows ? 'on' : 'off'}, linux ${s.linux ? 'on' : 'off'}; cloud ${s.cloud}`,
]

const HEADERS = ['KIND', 'TARGET', 'STATE', 'DETAILS']

export function presentIntegrations(state: IntegrationsState): string {
  const rows = [...state.thirdParty.map(thirdPartyRow), intuneRow(state.intune), ...state.defenderForCloud.map(dfcRow)]
  return renderTable(HEADERS, rows)
}

export function presentIntegrationShow(result: IntegrationShowResult): string {
  switch (result.kind) {
    case 'third-party': {
      return renderTable(HEADERS, result.providers.map(thirdPartyRow))
    }

    case 'intune': {
      const policy = result.intune.classicPolicyId ? `classic conditional access policy ${result.intune.classicPolicyId} (protected)` : 'no classic policy'
      return `${renderTable(HEADERS, [intuneRow(result.intune)])}\n${style.dim(policy)}`
    }

    case 'defender-for-cloud': {
      if (result.subscriptions.length === 0) return 'No subscription has the Defender for Cloud integration.'
      return renderTable(HEADERS, result.subscriptions.map(dfcRow))
    }
  }
}

export function presentIntegrationChange(result: IntegrationChangeResult): string {
  switch (result.kind) {
    case 'third-party': {
      const p = result.provider
      const verb = p.enabled ? 'enabled' : 'disabled'
      const base = result.changed ? `${p.name} integration ${verb}.` : `${p.name} integration was already ${verb}.`
      return result.revokedTokens > 0 ? `${base} Revoked ${result.revokedTokens} token(s).` : base
    }

    case 'intune': {
      const verb = result.intune.enabled ? 'on' : 'off'
      return `${result.changed ? 'Intune connection is now' : 'Intune connection was already'} ${verb}.\n${intuneRow(result.intune)[3]}`
    }

    case 'defender-for-cloud': {
      const s = result.subscription
      return `${result.changed ? 'Defender for Cloud integration updated' : 'No change'} for ${s.subscriptionId}: windows ${s.windows ? 'on' : 'off'}, linux ${s.linux ? 'on' : 'off'}.`
    }
  }
}
