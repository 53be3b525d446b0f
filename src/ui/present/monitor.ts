import type {HealthCounts, MonitorReport} from '../../core/monitor/types.js'
import {renderTable} from '../table.js'
import {style} from '../style.js'

/** A bar of `width` cells; coloured only when colour is on (style decides). */
export function bar(percent: number, width: number, paint: (s: string) => string): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width)
  return paint('█'.repeat(filled)) + style.dim('░'.repeat(width - filled))
}

const HEALTH_ROWS: [keyof HealthCounts, string, (s: string) => string][] = [
  ['healthy', 'Healthy', style.ok],
  ['inactive', 'Inactive', style.warn],
  ['agentState', 'Agent state', style.warn],
  ['notOnboarded', 'Not onboarded', style.bad],
]

export function presentMonitor(r: MonitorReport): string {
  const d = r.deployment
  const lines = [
    style.bold(`Defender ATP — ${r.collection ? `collection ${r.collection}` : 'all devices'} (period ${r.period})`),
    '',
    style.bold('Agent deployment status'),
    `  ${bar(d.percent, 30, style.ok)} ${d.percent}%  ${d.onboarded} of ${d.eligible} eligible client(s) onboarded`,
    '',
    style.bold('Agent health'),
    ...HEALTH_ROWS.map(([key, label, paint]) => `  ${label.padEnd(14)} ${bar(r.healthPercent[key], 30, paint)} ${String(r.health[key]).padStart(6)}  ${r.healthPercent[key]}%`),
    '',
    `Onboarded by path: ${Object.entries(r.onboardedByPath)
      .map(([p, n]) => `${p} ${n}`)
      .join(', ')} (of ${r.devices} device(s))`,
  ]
  if (r.collections.length > 0) {
    lines.push(
      '',
      renderTable(
        ['COLLECTION', 'MEMBERS', 'ELIGIBLE', 'ONBOARDED', '%', 'HEALTHY', 'INACTIVE', 'AGENT STATE', 'NOT ONBOARDED'],
        r.collections.map((c) => [
          c.name,
          String(c.members),
          String(c.deployment.eligible),
          String(c.deployment.onboarded),
          String(c.deployment.percent),
          String(c.health.healthy),
          String(c.health.inactive),
          String(c.health.agentState),
          String(c.health.notOnboarded),
        ]),
      ),
    )
  }

  return lines.join('\n')
}
