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

export function presentAppConfig(config: IosAppConfig, created: boolean): string {
  return [
    created ? `App configuration '${config.name}' created.` : `App configuration '${config.name}' already exists; unchanged.`,
    renderFields([
      ['Platform', 'iOS/iPadOS (managed devices)'],
      ['Targeted app', `${config.targetedApp} (${config.bundleId})`],
      ...config.settings.map((s): [string, string] => [`Key ${s.key}`, `${s.valueType} ${s.value}`]),
      ['Assigned to', config.assignment],
    ]),
  ].join('\n')
}
