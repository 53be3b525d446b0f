import type {Backend} from '../../backends/types.js'
import {UsageError} from '../errors.js'
import {requireTenant} from '../tenant/service.js'
import type {Alert, AlertFilter} from './types.js'

export async function listAlerts(backend: Backend, options: AlertFilter & {profile: string}): Promise<{alerts: Alert[]}> {
  await requireTenant(backend, options.profile)
  const {profile: _profile, ...filter} = options
  return {alerts: await backend.alerts.list(filter)}
}

export async function showAlert(backend: Backend, options: {id: string; profile: string}): Promise<{alert: Alert}> {
  await requireTenant(backend, options.profile)
  return {alert: await backend.alerts.get(options.id.trim())}
}

/** Resolves an alert; the device's risk drops once none of its alerts is active. */
export async function resolveAlert(backend: Backend, options: {id: string; comment?: string; profile: string}): Promise<{alert: Alert; changed: boolean}> {
  await requireTenant(backend, options.profile)
  const comment = options.comment?.trim()
  if (options.comment !== undefined && comment === '') throw new UsageError('The comment is empty.', {suggestions: ['Pass --comment "why it is resolved", or leave it out.']})
  const before = await backend.alerts.get(options.id.trim())
  const alert = await backend.alerts.resolve(before.id, comment)
  return {alert, changed: before.status !== 'Resolved'}
}

/**
 * Parses --since: an ISO-8601 date/time, or a duration back from now ("24h", "7d").
 */
export function parseSince(text: string, now: Date): string {
  const duration = /^(\d+)\s*([smhd])$/i.exec(text.trim())
  if (duration) {
    const unit = {s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}[duration[2].toLowerCase() as 's' | 'm' | 'h' | 'd']
    return new Date(now.getTime() - Number(duration[1]) * unit).toISOString()
  }

  const time = Date.parse(text)
  if (Number.isNaN(time)) {
    throw new UsageError(`Invalid --since '${text}'.`, {suggestions: ['Use a duration back from now (24h, 7d) or an ISO date (2026-11-01 or 2026-11-01T08:00:00Z).']})
  }

  return new Date(time).toISOString()
}
