import type {ImportResult} from '../../core/device/service.js'
import type {Device, Health} from '../../core/device/types.js'
import {moreFooter, renderFields, renderTable, withFooter} from '../table.js'
import {style} from '../style.js'

export function healthText(h: Health): string {
  switch (h) {
    case 'healthy':
      return style.ok('healthy')
    case 'inactive':
      return style.warn('inactive')
    case 'agent-state':
      return style.warn('agent-state')
    default:
      return style.bad('not-onboarded')
  }
}

const levelText = (l: string) => (l === 'up-level' ? l : l === 'down-level' ? style.warn(l) : style.dim(l))

export function presentImport(result: ImportResult): string {
  const s = result.summary
  const lines = [
    `${style.ok('✓')} Imported ${s.total} device(s) from ${result.file} (${result.format}): ${s.created} new, ${s.updated} updated${s.unchanged ? `, ${s.unchanged} unchanged` : ''}${s.skipped ? `, ${style.warn(`${s.skipped} invalid row(s) skipped`)}` : ''}.`,
  ]
  if (!s.changed && s.total > 0) lines.push(style.dim('Every device was already in the inventory as given; unchanged.'))
  if (s.collectionsCreated.length > 0) lines.push(`Collections created: ${s.collectionsCreated.join(', ')}`)
  for (const e of result.invalid.slice(0, 20)) lines.push(style.warn(`  ${result.format === 'csv' ? 'line' : 'record'} ${e.line}: ${e.message}`))
  const more = moreFooter({shown: Math.min(20, result.invalid.length), total: result.invalid.length, flag: null})
  if (more) lines.push(style.dim(`  ${more}`))
  return lines.join('\n')
}

/** What `device delete` did, and what it affected. */
export function presentDeviceDelete(result: {devices: string[]}): string {
  return `${style.ok('✓')} Deleted ${result.devices.length} device(s) from the inventory: ${result.devices.join(', ')}.`
}

export function presentDevices(devices: Device[]): string {
  if (devices.length === 0) return 'No devices match. Import an inventory: atpctl device import inventory.csv'
  const table = renderTable(
    ['NAME', 'OS', 'LEVEL', 'MANAGED BY', 'ONBOARDED', 'HEALTH'],
    devices.map((d) => [
      d.name,
      d.osName,
      levelText(d.level),
      d.managedBy.join(',') || '-',
      d.onboarded ? style.ok(d.onboarding.path ?? 'yes') : style.dim('no'),
      healthText(d.health),
    ]),
  )
  return table
}

export function presentDevice(d: Device): string {
  // A real tenant's machine carries the tenant's own facts (core/device/machine.ts).
  const m = (d as Device & {machine?: {id: string; healthStatus: string | null; onboardingStatus: string | null; riskScore: string | null; exposureLevel: string | null; lastIpAddress: string | null}}).machine
  const machine: [string, string][] = m
    ? [
        ['Machine id', style.id(m.id)],
        ['Tenant says', `onboardingStatus ${m.onboardingStatus ?? '-'}, healthStatus ${m.healthStatus ?? '-'}`],
        ['Risk', `${m.riskScore ?? '-'} (exposure ${m.exposureLevel ?? '-'})`],
        ['Last IP', m.lastIpAddress ?? '-'],
      ]
    : []
  return renderFields([
    ...machine,
    ['Name', style.bold(d.name)],
    ['OS', `${d.osName} (${d.os}${d.version ? `, ${d.version}` : ''})`],
    ['Family', d.osFamily],
    ['Build', d.build === null ? '-' : `${d.build}${d.release ? ` (release ${d.release})` : ''}`],
    ['Level', levelText(d.level)],
    // CM1: the ConfigMgr versions that support the OS.
    ['ConfigMgr', d.minConfigMgr === null ? 'not supported' : d.minConfigMgr === 0 ? 'any version' : `${d.minConfigMgr} or later`],
    ['Managed by', d.managedBy.join(', ') || '-'],
    ['Environment', d.environment ?? '-'],
    ['Subscription', d.subscription ?? '-'],
    ['Collections', d.collections.join(', ') || '-'],
    ['User', d.user ?? '-'],
    ['Groups', d.groups.join(', ') || '-'],
    ['Last seen', d.lastSeen ?? 'never'],
    ['Sensor service', d.sensorService],
    ['Onboarded', d.onboarded ? style.ok(d.onboarding.path ? `yes, via ${d.onboarding.path}` : 'yes') : style.bad('no')],
    ['Why', d.onboarding.reason],
    ...(d.offboarded ? ([['Offboarded', `${d.offboarded.at}: ${d.offboarded.comment}`]] as [string, string][]) : []),
    ['Health', healthText(d.health)],
  ])
}
