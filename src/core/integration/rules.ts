import {RuleError, UsageError} from '../errors.js'
import {escapeName, NAME_RULES, requireName} from '../names.js'
import {type Cloud, CLOUDS} from './catalogue.js'
import type {DefenderForCloudEnableRequest, DefenderForCloudSubscription} from './types.js'

/** DC5: Azure China 21Vianet is not supported; an unknown cloud is a usage error (issue 15 item 3). */
export function assertCloudSupported(cloud: Cloud): void {
  if (!(CLOUDS as readonly string[]).includes(cloud)) {
    throw new UsageError(`Unknown cloud '${escapeName(String(cloud))}'.`, {suggestions: [`Use one of: ${CLOUDS.join(', ')}.`]})
  }

  if (cloud === 'china') {
    throw new RuleError('DC5', 'Defender for Endpoint integration is not available in Azure China 21Vianet.', {
      suggestions: ['Use a subscription in the commercial or government cloud, or a connected AWS account.'],
    })
  }
}

/** DC3: Linux cannot be disabled on its own. */
export function assertCanDisable(linuxOnly: boolean, subscriptionId: string): void {
  if (linuxOnly) {
    throw new RuleError('DC3', 'Defender for Endpoint for Linux cannot be disabled on its own.', {
      suggestions: [`Disable the whole integration: atpctl integration disable defender-for-cloud --subscription ${subscriptionId}`],
    })
  }
}

/**
 * DC1/DC2: the next state of a subscription after an enable request.
 * - never enabled: Windows and Linux together (or Windows only with windowsOnly, as legacy
 *   subscriptions had it);
 * - Windows already on, Linux off: `--linux` is the one-time "enable for Linux" step;
 * - already fully on: no change.
 */
export function nextDefenderForCloudState(
  current: DefenderForCloudSubscription | undefined,
  request: DefenderForCloudEnableRequest,
): {windows: boolean; linux: boolean} {
  requireName(request.subscriptionId, NAME_RULES.subscription)
  assertCloudSupported(request.cloud)
  if (request.linux && request.windowsOnly) {
    throw new UsageError('--linux and --windows-only cannot be used together.')
  }

  if (!current || (!current.windows && !current.linux)) {
    return {windows: true, linux: !request.windowsOnly}
  }

  if (request.windowsOnly && current.linux) {
    throw new RuleError('DC3', 'Linux is already enabled on this subscription and cannot be turned off on its own.', {
      suggestions: ['Disable the whole integration first, then enable it with --windows-only.'],
    })
  }

  return {windows: true, linux: current.linux || request.linux}
}
