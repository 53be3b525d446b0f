import {randomInt} from 'node:crypto'
import {UsageError} from '../errors.js'
import {ALERT_STATUSES, type Alert, type AlertStatus, SEVERITIES, type Severity} from './types.js'

/** A device's risk: None without active alerts, otherwise the highest active severity. */
export const RISK_LEVELS = ['None', 'Informational', 'Low', 'Medium', 'High'] as const
export type RiskLevel = (typeof RISK_LEVELS)[number]

/** Order of severities, lowest first; UnSpecified counts as Informational for risk. */
export function severityRank(severity: Severity): number {
  return severity === 'UnSpecified' ? 1 : SEVERITIES.indexOf(severity)
}

export function riskRank(risk: RiskLevel): number {
  return RISK_LEVELS.indexOf(risk)
}

/** An alert is active until it is resolved. */
export function isActive(alert: Pick<Alert, 'status'>): boolean {
  return alert.status !== 'Resolved'
}

/**
 * A device's risk level from its alerts (for compliance, IN7): None when no alert is active,
 * otherwise the highest severity among the active ones.
 */
export function deviceRisk(alerts: Pick<Alert, 'status' | 'severity'>[]): RiskLevel {
  let rank = 0
  for (const alert of alerts) if (isActive(alert)) rank = Math.max(rank, severityRank(alert.severity))
  return RISK_LEVELS[rank]
}

/** .NET ticks (100 ns since 0001-01-01) of a JavaScript time. */
export function dotnetTicks(ms: number): bigint {
  return (BigInt(ms) + 62_135_596_800_000n) * 10_000n
}

/** A Microsoft-style alert id: "da" + ticks + "_" + a 10-digit number. */
export function newAlertId(now: Date): string {
  return `da${dotnetTicks(now.getTime())}_${randomInt(1_000_000_000, 2_147_483_647)}`
}

export const ALERT_ID_PATTERN = /^da\d{18}_\d{1,10}$/

function pick<T extends string>(values: readonly T[], text: string, flag: string): T {
  const found = values.find((v) => v.toLowerCase() === text.toLowerCase())
  if (found) return found
  throw new UsageError(`Invalid ${flag} '${text}'.`, {suggestions: [`Use one of: ${values.join(', ')}.`]})
}

export const parseSeverity = (text: string): Severity => pick(SEVERITIES, text, '--severity')
export const parseStatus = (text: string): AlertStatus => pick(ALERT_STATUSES, text, '--status')
