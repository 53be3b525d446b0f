/**
 * A tenant with every kind an atpctl.yaml holds, arranged through the port only (so the same
 * seed runs on the embedded backend and through a served one), for the tenant-as-code tests.
 */
import {normaliseRow} from '../../src/core/device/inventory.js'
import type {Backend} from '../../src/core/port/types.js'

const seen = () => new Date(Date.now() - 3_600_000).toISOString()

/** The SHA-256 of the configuration file the seeded "Any OS" policy holds. */
export const SEEDED_FILE_SHA = 'a'.repeat(64)

export async function seedEveryKind(backend: Backend): Promise<void> {
  const tenant = (await backend.tenant.get())!
  const {workspaceKey} = await backend.tenant.secrets()
  await backend.devices.import({
    records: [
      normaliseRow({name: 'w10-01', os: 'Windows 10 Enterprise', version: '1803', managedBy: 'configmgr', collections: 'Workstations', user: 'ann@contoso.com', groups: 'Inventory group', lastSeen: seen()}, 2),
      normaliseRow({name: 'w81-01', os: 'Windows 8.1 Pro', managedBy: 'configmgr', collections: 'Workstations', lastSeen: seen()}, 3),
      normaliseRow({name: 'srv-01', os: 'Windows Server 2019 Standard', managedBy: 'configmgr', lastSeen: seen()}, 4),
      normaliseRow({name: 'lt-01', os: 'Windows 11 Enterprise', version: '10.0.22631', managedBy: 'intune', user: 'bob@contoso.com', lastSeen: seen()}, 5),
    ],
  })
  await backend.integrations.setThirdParty('sentinelone', true)
  await backend.integrations.setIntune(true, {windows: true, android: true, ios: false})
  await backend.integrations.enableDefenderForCloud({subscriptionId: 'sub-0001', cloud: 'commercial', linux: true, windowsOnly: false})
  await backend.intune.createGroup({name: 'Finance', description: 'Finance team'})
  await backend.intune.addGroupMembers({group: 'Finance', devices: ['lt-01'], users: ['bob@contoso.com']})
  await backend.intune.createGroup({name: 'Sales'})
  await backend.collections.create({name: 'All Windows', rules: ["os ~ 'Windows'"]})
  await backend.collections.create({name: 'Servers', limitTo: 'All Windows', rules: ["os ~ 'Server'"]})
  await backend.collections.addMembers('Servers', ['w10-01'])
  await backend.policies.create({
    name: 'Any OS',
    description: 'file, key and ID',
    type: 'onboarding',
    configFile: {name: 'WindowsDefenderATPOnboardingPackage.zip', sha256: SEEDED_FILE_SHA, orgId: tenant.orgId, expiresAt: null},
    workspaceId: tenant.workspaceId,
    workspaceKey,
    sampleSharing: 'all',
    configMgrVersion: 2103,
  })
  await backend.policies.deploy({name: 'Any OS', collections: ['Servers'], dryRun: false, force: true})
  await backend.intune.createEdrProfile({name: 'EDR Finance', description: 'EDR for finance', sampleSharing: 'all', expediteTelemetry: true, deviceGroups: ['Finance'], userGroups: ['Sales']})
  await backend.compliance.create({name: 'Windows medium', platform: 'windows', maxRisk: 'medium', assignGroup: 'Finance'})
  await backend.access.createPolicy({name: 'Require compliant', enabled: true, includeGroups: ['Finance'], excludeGroups: ['Sales'], apps: ['sharepoint'], clients: ['browser'], grant: 'compliant-device'})
  await backend.intune.createIosAppConfig({name: 'iOS supervised', assignGroup: 'Sales'})
}
