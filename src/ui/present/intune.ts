import type {EdrProfile, EdrProfileDetail, GroupDetail, GroupInfo, IosAppConfig, SettingConflict} from '../../core/intune/types.js'
import {style} from '../style.js'
import {renderFields, renderTable} from '../table.js'

export function presentGroups(groups: GroupInfo[]): string {
  if (groups.length === 0) return 'No groups. Create one: atpctl group create NAME, or import devices with a groups column.'
  return renderTable(
    ['GROUP', 'DEVICES', 'USERS', 'SOURCE', 'DESCRIPTION'],
    groups.map((g) => [g.name, String(g.devices), String(g.users), g.createdAt ? 'atpctl' : 'inventory', g.description ?? '']),
  )
}

export function presentGroup(group: GroupDetail): string {
  const fields = renderFields([
    ['Group', group.name],
    ['Description', group.description ?? '-'],
    ['Devices', String(group.devices)],
    ['Users', String(group.users)],
  ])
  if (group.members.length === 0) return `${fields}\n\nNo members yet. Add some: atpctl group add "${group.name}" --device NAME --user UPN`
  return `${fields}\n\n${renderTable(['KIND', 'MEMBER', 'SOURCE'], group.members.map((m) => [m.kind, m.member, m.source]))}`
}

const assignments = (p: EdrProfile) =>
  [...p.deviceGroups.map((g) => `device group '${g}'`), ...p.userGroups.map((g) => `user group '${g}'`)].join(', ') || 'not assigned'

export function presentEdrProfiles(profiles: (EdrProfile & {reached: number; onboarded: number; conflicts: number})[]): string {
  if (profiles.length === 0) return 'No EDR profiles. Create one: atpctl edr-profile create --name NAME --assign-device-group GROUP'
  return renderTable(
    ['PROFILE', 'SAMPLE SHARING', 'EXPEDITE', 'ASSIGNED TO', 'REACHED', 'ONBOARDED', 'CONFLICTS'],
    profiles.map((p) => [
      p.name,
      p.sampleSharing,
      p.expediteTelemetry ? 'yes' : 'no',
      assignments(p),
      String(p.reached),
      String(p.onboarded),
      p.conflicts > 0 ? style.warn(String(p.conflicts)) : '0',
    ]),
  )
}

export function presentConflicts(conflicts: SettingConflict[]): string {
  return renderTable(
    ['DEVICE', 'SETTING', 'EDR PROFILE', 'VALUE', 'OTHER POLICY', 'VALUE'],
    conflicts.map((c) => [c.deviceName, c.setting, c.edrProfile, c.edrValue, `${c.otherPolicy} (${c.otherPolicyType})`, c.otherValue]),
  )
}

export function presentEdrProfile(detail: EdrProfileDetail): string {
  const p = detail.profile
  const onboarded = detail.devices.filter((d) => d.onboarded).length
  const parts = [
    renderFields([
      ['Profile', `${p.name} (${p.id})`],
      ['Platform', 'Windows 10 and later'],
      ['Sample sharing', p.sampleSharing],
      ['Expedite telemetry', p.expediteTelemetry ? 'yes' : 'no'],
      ['Assigned to', assignments(p)],
      ['Devices', `${detail.devices.length} reached, ${onboarded} onboarded`],
    ]),
  ]
  if (detail.devices.length > 0) {
    parts.push(
      renderTable(
        ['DEVICE', 'USER', 'VIA', 'ONBOARDED', 'REASON'],
        detail.devices.map((d) => [d.deviceName, d.user ?? '-', d.via ?? '-', d.onboarded ? style.ok('yes') : style.warn('no'), d.reason]),
      ),
    )
  }

  if (detail.waitingUsers.length > 0) {
    parts.push(`Waiting for a first sign-in (user-group assignments apply only then): ${detail.waitingUsers.join(', ')}`)
  }

  // IN5: conflicting profiles.
  if (detail.conflicts.length > 0) parts.push(`${style.warn(`Conflicts: ${detail.conflicts.length}`)}\n${presentConflicts(detail.conflicts)}`)
  return parts.join('\n\n')
}

/** One app configuration, under a headline ("… created.", "… already exists; unchanged.") when given. */
export function presentAppConfig(config: IosAppConfig, headline: string | null): string {
  return [
    ...(headline === null ? [] : [headline]),
    renderFields([
      ['App configuration', `${config.name} (${config.id})`],
      ['Platform', 'iOS/iPadOS (managed devices)'],
      ['Targeted app', `${config.targetedApp} (${config.bundleId})`],
      ...config.settings.map((s): [string, string] => [`Key ${s.key}`, `${s.valueType} ${s.value}`]),
      ['Assigned to', config.assignment],
    ]),
  ].join('\n')
}

export function presentAppConfigs(configs: IosAppConfig[]): string {
  if (configs.length === 0) return 'No app configurations. Create the iOS supervised-mode one: atpctl intune app-config ios-supervised'
  return renderTable(
    ['APP CONFIGURATION', 'PLATFORM', 'TARGETED APP', 'SETTINGS', 'ASSIGNED TO', 'CREATED'],
    configs.map((c) => [c.name, c.platform, c.targetedApp, c.settings.map((s) => `${s.key}=${s.value}`).join(', '), c.assignment, c.createdAt]),
  )
}

/**
 * What a delete did, and what it affected when the thing was in use (issue 11 item 8). `label`
 * is the kind as it reads mid-sentence ("group", "EDR profile").
 */
export function presentDeletion(label: string, name: string, affects: string[], notes: string[] = []): string {
  const lines = [`${style.ok('✓')} Deleted ${label} '${name}'.`]
  if (affects.length > 0) lines.push('It was in use:', ...affects.map((a) => `  - ${a}`))
  return [...lines, ...notes].join('\n')
}

/** The one line of a create or update: what happened, or that nothing changed. */
export const outcomeLine = (label: string, name: string, verb: 'created' | 'updated', changed: boolean): string =>
  changed ? `${label} '${name}' ${verb}.` : `${label} '${name}' ${verb === 'created' ? 'already exists' : 'already has these settings'}; unchanged.`
