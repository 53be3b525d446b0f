import EdrProfileCreate from '../../../src/commands/edr-profile/create.js'
import EdrProfileDelete from '../../../src/commands/edr-profile/delete.js'
import EdrProfileShow from '../../../src/commands/edr-profile/show.js'
import EdrProfileUpdate from '../../../src/commands/edr-profile/update.js'
import GroupCreate from '../../../src/commands/group/create.js'
import Init from '../../../src/commands/init.js'
import IntegrationEnable from '../../../src/commands/integration/enable.js'
import IntuneAppConfigDelete from '../../../src/commands/intune/app-config/delete.js'
import IntuneAppConfigIosSupervised from '../../../src/commands/intune/app-config/ios-supervised.js'
import IntuneAppConfigList from '../../../src/commands/intune/app-config/list.js'
import IntuneAppConfigShow from '../../../src/commands/intune/app-config/show.js'
import IntuneAppConfigUpdate from '../../../src/commands/intune/app-config/update.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand} from '../../helpers/command.js'
import {seedDevices} from '../compliance/seed.js'

// Issue 11 items 4 and 8 for EDR profiles (IN4) and app configurations (IN6).
describe('edr-profile and intune app-config update/delete', () => {
  const {home, cleanup} = tempHome()
  const saved = process.env.ATPCTL_HOME
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await runCommand(Init, ['--location', 'us', '--json'])
    await runCommand(IntegrationEnable, ['intune', '--windows', '--ios', '--json'])
    await seedDevices(home, [{name: 'LT-1', os: 'Windows 11', version: '10.0.22631', managedBy: 'intune', groups: 'Pilot'}])
    await runCommand(GroupCreate, ['iOS fleet'])
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved
    cleanup()
  })

  const ensureProfile = () => runCommand(EdrProfileCreate, ['--name', 'EDR life', '--sample-sharing', 'all', '--assign-device-group', 'Pilot', '--json'])

  it('create twice is changed: false; update changes only what is passed and re-checks groups', async () => {
    expect((await ensureProfile()).error).toBeUndefined()
    const again = await ensureProfile()
    expect(again.result).toMatchObject({changed: false, profile: {name: 'EDR life'}})
    const updated = await runCommand(EdrProfileUpdate, ['edr life', '--sample-sharing', 'none', '--expedite-telemetry', '--json'])
    expect(updated.result).toMatchObject({changed: true, profile: {sampleSharing: 'none', expediteTelemetry: true, deviceGroups: ['Pilot']}})
    expect(updated.result?.devices).toEqual([expect.objectContaining({deviceName: 'LT-1', onboarded: true})])
    const same = await runCommand(EdrProfileUpdate, ['EDR life', '--sample-sharing', 'none'])
    expect(same.stdout).toContain("EDR profile 'EDR life' already has these settings; unchanged.")
    expect((await runCommand(EdrProfileUpdate, ['EDR life', '--assign-user-group', 'Nope'])).error?.oclif?.exit).toBe(3)
    expect((await runCommand(EdrProfileUpdate, ['Nope', '--sample-sharing', 'none'])).error?.oclif?.exit).toBe(3)
    const cleared = await runCommand(EdrProfileUpdate, ['EDR life', '--no-device-groups', '--no-expedite-telemetry', '--json'])
    expect(cleared.result).toMatchObject({changed: true, profile: {deviceGroups: [], expediteTelemetry: false}, devices: []})
  })

  it('delete asks while the profile is assigned (exit 2 without a terminal); --yes says what it affected', async () => {
    await ensureProfile() // when this test runs alone
    await runCommand(EdrProfileUpdate, ['EDR life', '--assign-device-group', 'Pilot'])
    const refused = await runCommand(EdrProfileDelete, ['EDR life', '--json'])
    expect(refused.error?.oclif?.exit).toBe(2)
    expect(JSON.parse(refused.stdout).error.message).toContain("which is in use (it is assigned to device group 'Pilot'; it onboards 1 device(s): LT-1)")
    const deleted = await runCommand(EdrProfileDelete, ['EDR life', '--yes'])
    expect(deleted.stdout).toContain("✓ Deleted EDR profile 'EDR life'.\nIt was in use:\n  - it is assigned to device group 'Pilot'\n  - it onboards 1 device(s): LT-1")
    expect((await runCommand(EdrProfileShow, ['EDR life'])).error?.oclif?.exit).toBe(3)
  })

  it('app configurations: list, show with the Graph body, retarget, conflict on create, delete with --yes', async () => {
    await runCommand(IntuneAppConfigIosSupervised, ['--json'])
    const list = await runCommand(IntuneAppConfigList, [])
    expect(list.stdout).toMatch(/Defender for iOS: supervised mode\s+ios\s+Microsoft Defender for iOS\s+issupervised=\{\{issupervised\}\}\s+all devices/)
    const show = await runCommand(IntuneAppConfigShow, ['defender for ios: supervised mode', '--json'])
    expect(show.result).toMatchObject({config: {assignGroup: null}, graph: {bundleId: 'com.microsoft.scmx'}})
    const retarget = await runCommand(IntuneAppConfigUpdate, ['Defender for iOS: supervised mode', '--assign-group', 'ios fleet', '--json'])
    expect(retarget.result).toMatchObject({changed: true, config: {assignment: "group 'iOS fleet'"}})
    expect((await runCommand(IntuneAppConfigUpdate, ['Defender for iOS: supervised mode'])).error?.oclif?.exit).toBe(2)
    const conflict = await runCommand(IntuneAppConfigIosSupervised, [])
    expect(conflict.error?.oclif?.exit).toBe(4)
    expect(conflict.stderr).toContain("assigned group: 'iOS fleet' (requested none)")
    expect((await runCommand(IntuneAppConfigDelete, ['Defender for iOS: supervised mode'])).error?.oclif?.exit).toBe(2)
    const deleted = await runCommand(IntuneAppConfigDelete, ['Defender for iOS: supervised mode', '--yes', '--json'])
    expect(deleted.result).toMatchObject({changed: true, affects: ["it targets group 'iOS fleet'"]})
    expect(JSON.parse((await runCommand(IntuneAppConfigList, ['--json'])).stdout).configs).toEqual([])
  })
})
