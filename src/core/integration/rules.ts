import {RuleError, UsageError} from '../errors.js'
import {escapeName, NAME_RULES, requireName} from '../names.js'
import {type Cloud, CLOUDS, findProvider} from './catalogue.js'
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

/** An inbound data path of a device (a third-party provider, a Defender for Cloud subscription). */
export interface DataPath {
  /** e.g. "third-party:sentinelone", "defender-for-cloud:<subscription>". */
  integration: string
  enabled: boolean
  /** What to run to turn it on. */
  enableCommand: string
}

/** The data path of a third-party provider's sensors (TP1). */
export function thirdPartyPath(providerId: string, enabled: boolean): DataPath {
  const id = findProvider(providerId).id
  return {integration: `third-party:${id}`, enabled, enableCommand: `atpctl integration enable third-party --provider ${id}`}
}

/**
 * TP3: whether data from a device (or from a provider's sensors, before any device is known)
 * may come in: any of its paths switched off blocks it. The one message of that refusal, for
 * every place that checks it (sensor reports, submitted files, sensor authentication, the
 * detection preflight); null when nothing is blocked. The suggestions say how to turn each
 * path on, and that tokens minted before a third-party toggle went off stay revoked (TP4).
 */
export function blockedInbound(from: {device: string} | {provider: string}, paths: readonly DataPath[]): {message: string; suggestions: string[]} | null {
  const blocked = paths.filter((p) => !p.enabled)
  if (blocked.length === 0) return null
  const source = 'device' in from ? `device '${escapeName(from.device)}'` : `the ${from.provider} sensors`
  const suggestions = blocked.map((p) => `Turn it on: ${p.enableCommand}`)
  if (blocked.some((p) => p.integration.startsWith('third-party:'))) suggestions.push('Then mint a new token and apply it on the endpoints: tokens minted before it was turned off stay revoked.')
  return {message: `Inbound data from ${source} is blocked: its integration${blocked.length > 1 ? 's are' : ' is'} off (${blocked.map((p) => p.integration).join(', ')}).`, suggestions}
}

/** TP3: refuses inbound data on a blocked path (exit 4, REFUSED_TP3), with the message of blockedInbound. */
export function assertInboundAllowed(from: {device: string} | {provider: string}, paths: readonly DataPath[], details?: Record<string, unknown>): void {
  const blocked = blockedInbound(from, paths)
  if (blocked) throw new RuleError('TP3', blocked.message, {suggestions: blocked.suggestions, details})
}
