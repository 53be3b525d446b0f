import type {Backend} from '../port/types.js'
import {listPages, type PagedList} from '../port/page.js'
import {UsageError} from '../errors.js'
import {parseDuration} from '../duration.js'
import {requireTenant} from '../tenant/service.js'
import type {Alert, AlertFilter} from './types.js'
import {checkResolution} from './wire.js'

export async function listAlerts(backend: Backend, options: AlertFilter & {profile: string; limit?: number}): Promise<{alerts: PagedList<Alert>}> {
  await requireTenant(backend, options.profile)
  const {profile: _profile, limit, ...filter} = options
  return {alerts: await listPages((page) => backend.alerts.list({...filter, ...page}), {limit})}
}

export async function showAlert(backend: Backend, options: {id: string; profile: string}): Promise<{alert: Alert}> {
  await requireTenant(backend, options.profile)
  return {alert: await backend.alerts.get(options.id.trim())}
}

/**
 * Resolves an alert, with its classification and determination when given; the device's risk
 * drops once none of its alerts is active.
 */
export async function resolveAlert(
  backend: Backend,
  options: {id: string; comment?: string; classification?: string; determination?: string; profile: string},
): Promise<{alert: Alert; changed: boolean}> {
  await requireTenant(backend, options.profile)
  const resolution = checkResolution(options)
  const before = await backend.alerts.get(options.id.trim())
  const alert = await backend.alerts.resolve(before.id, resolution)
  return {alert, changed: before.status !== 'Resolved' || alert.classification !== before.classification || alert.determination !== before.determination}
}

/**
 * Parses --since: an ISO-8601 date/time, or a duration back from now ("24h", "7d").
 */
export function parseSince(text: string, now: Date): string {
  // A number, with or without a unit, is a duration: parseDuration decides (a bare one is refused).
  if (/^\d+(?:\.\d+)?\s*[a-z]*$/i.test(text.trim())) return new Date(now.getTime() - parseDuration(text, '--since')).toISOString()

  const time = Date.parse(text)
  if (Number.isNaN(time)) {
    throw new UsageError(`Invalid --since '${text}'.`, {suggestions: ['Use a duration back from now (24h, 7d) or an ISO date (2026-11-01 or 2026-11-01T08:00:00Z).']})
  }

  return new Date(time).toISOString()
}
