/**
 * The integrations of a real tenant (issue 13): the Intune connection through Microsoft Graph
 * (graph-intune.ts) and Defender for Cloud through Azure Resource Manager, plugged in as a seam
 * so each API's module stays its own. Third-party partner toggles have no Microsoft API: their
 * writes refuse with the portal path, and the state lists none (atpctl cannot read them).
 */
import type {UnsupportedError} from '../../core/errors.js'
import type {DefenderForCloudSubscription} from '../../core/integration/types.js'
import type {IntegrationApi} from '../../core/port/types.js'
import type {GraphIntuneConnection} from './graph-intune.js'

/** The Defender for Cloud part: the subscriptions the credential sees, and the per-subscription switch. */
export interface DefenderForCloudIntegration {
  subscriptions(): Promise<DefenderForCloudSubscription[]>
  enable: IntegrationApi['enableDefenderForCloud']
  disable: IntegrationApi['disableDefenderForCloud']
}

export interface MicrosoftIntegrationsOptions {
  intune: GraphIntuneConnection
  /** null: not built on this backend; its writes refuse with `refuse('defender-for-cloud')` and the state lists no subscription. */
  defenderForCloud: DefenderForCloudIntegration | null
  /** The error of an unsupported capability, as the capability guard raises it. */
  refuse(capability: 'third-party-integrations' | 'defender-for-cloud'): UnsupportedError
}

export function createMicrosoftIntegrations(options: MicrosoftIntegrationsOptions): IntegrationApi {
  const {intune, defenderForCloud, refuse} = options
  return {
    async state() {
      const [connection, subscriptions] = await Promise.all([intune.state(), defenderForCloud ? defenderForCloud.subscriptions() : Promise.resolve([])])
      return {thirdParty: [], intune: connection, defenderForCloud: subscriptions}
    },
    setThirdParty: async () => Promise.reject(refuse('third-party-integrations')),
    setIntune: async (enabled, toggles) => intune.setIntune(enabled, toggles),
    enableDefenderForCloud: async (request) => (defenderForCloud ? defenderForCloud.enable(request) : Promise.reject(refuse('defender-for-cloud'))),
    disableDefenderForCloud: async (request) => (defenderForCloud ? defenderForCloud.disable(request) : Promise.reject(refuse('defender-for-cloud'))),
  }
}
