import DeviceShow from '../../../src/commands/device/show.js'
import EdrProfileCreate from '../../../src/commands/edr-profile/create.js'
import EdrProfileList from '../../../src/commands/edr-profile/list.js'
import EdrProfileShow from '../../../src/commands/edr-profile/show.js'
import GroupAdd from '../../../src/commands/group/add.js'
import GroupCreate from '../../../src/commands/group/create.js'
import Init from '../../../src/commands/init.js'
import IntegrationEnable from '../../../src/commands/integration/enable.js'
import IntuneAppConfigIosSupervised from '../../../src/commands/intune/app-config/ios-supervised.js'
import {openLocalBackend} from '../../../src/backends/local/index.js'
import {databasePath} from '../../../src/lib/paths.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand, runJson} from '../../helpers/command.js'
import {seedDevices} from '../compliance/seed.js'

describe('edr-profile and intune app-config commands (IN4, IN6)', () => {
  const {home, cleanup} = tempHome()
  const saved = process.env.ATPCTL_HOME
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await runCommand(Init, ['--location', 'us', '--json'])
    await runCommand(IntegrationEnable, ['intune', '--no-windows', '--json'])
    await seedDevices(home, [
      {name: 'LT-1', os: 'Windows 10', version: '10.0.19045', managedBy: 'intune', groups: 'Pilot'},
      {name: 'LT-2', os: 'Windows 10', version: '10.0.19045', managedBy: 'intune'},
    ])
    await runCommand(GroupCreate, ['Pilot users'])
    await runCommand(GroupAdd, ['Pilot users', '--user', 'dana@contoso.com'])
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved
    cleanup()
  })

  it('IN4/IN2: create shows reach; with the Windows toggle off nothing is onboarded, and says why', async () => {
    const created = await runCommand(EdrProfileCreate, ['--name', 'EDR pilot', '--sample-sharing', 'none', '--expedite-telemetry', '--assign-device-group', 'Pilot', '--assign-user-group', 'Pilot users', '--json'])
    expect(created.result?.profile).toMatchObject({platform: 'windows10', sampleSharing: 'none', expediteTelemetry: true, deviceGroups: ['Pilot'], userGroups: ['Pilot users']})
    expect(created.result?.devices).toEqual([
      expect.objectContaining({deviceName: 'LT-1', onboarded: false, reason: expect.stringMatching(/Windows toggle is off/)}),
    ])
    expect(created.result?.waitingUsers).toEqual(['dana@contoso.com'])
  })

  it('IN4: after turning the Windows toggle on, the profile onboards; list and show say so', async () => {
    await runCommand(IntegrationEnable, ['intune', '--windows', '--json'])
    const list = await runJson(EdrProfileList, ['--json'])
    expect(list.result?.profiles[0]).toMatchObject({name: 'EDR pilot', reached: 1, onboarded: 1, conflicts: 0})
    const show = await runCommand(EdrProfileShow, ['EDR pilot'])
    expect(show.stdout).toMatch(/LT-1\s+-\s+device group 'Pilot'\s+yes\s+onboarded through device group 'Pilot'/)
    expect(show.stdout).toContain('Waiting for a first sign-in (user-group assignments apply only then): dana@contoso.com')
  })

  it('refuses the name with other settings (4, CONFLICT), an unknown group (3) and an unknown profile (3)', async () => {
    const conflict = await runCommand(EdrProfileCreate, ['--name', 'edr pilot', '--json'])
    expect(conflict.error?.oclif?.exit).toBe(4)
    expect(conflict.stdout).toContain('"code": "CONFLICT"')
    expect(conflict.stdout).toContain("device groups: 'Pilot' (requested none)")
    expect((await runCommand(EdrProfileCreate, ['--name', 'X', '--assign-device-group', 'Nope'])).error?.oclif?.exit).toBe(3)
    expect((await runCommand(EdrProfileShow, ['Nope'])).error?.oclif?.exit).toBe(3)
  })

  it('IN6: the iOS supervised app configuration; same name again is a no-op', async () => {
    const first = await runCommand(IntuneAppConfigIosSupervised, ['--json'])
    expect(first.result).toMatchObject({created: true, config: {platform: 'ios', settings: [{key: 'issupervised', valueType: 'string', value: '{{issupervised}}'}], assignment: 'all devices'}})
    expect(first.result?.graph).toMatchObject({'@odata.type': '#microsoft.graph.iosMobileAppConfiguration', settings: [{appConfigKey: 'issupervised', appConfigKeyType: 'stringType', appConfigKeyValue: '{{issupervised}}'}]})
    const again = await runCommand(IntuneAppConfigIosSupervised, [])
    expect(again.stdout).toContain('already exists; unchanged')
    const grouped = await runCommand(IntuneAppConfigIosSupervised, ['--name', 'Pilot iOS', '--assign-group', 'pilot users', '--json'])
    expect(grouped.result?.config.assignment).toBe("group 'Pilot users'")
  })

  it('IN5: edr-profile show and device show report a ConfigMgr policy that sets sample sharing differently', async () => {
    await seedDevices(home, [{name: 'CO-1', os: 'Windows 10', version: '10.0.19045', managedBy: 'intune;configmgr', groups: 'Pilot', collections: 'Workstations'}])
    const backend = await openLocalBackend(databasePath(home, 'default'), {profile: 'default', actor: 'test:seed'})
    try {
      const tenant = (await backend.tenant.get())!
      const {workspaceKey} = await backend.tenant.secrets()
      await backend.policies.create({name: 'CM all', description: '', type: 'onboarding', configFile: null, workspaceId: tenant.workspaceId, workspaceKey, sampleSharing: 'all', configMgrVersion: 2103})
      await backend.policies.deploy({name: 'CM all', collections: ['Workstations'], dryRun: false, force: true})
    } finally {
      await backend.close()
    }

    const show = await runCommand(EdrProfileShow, ['EDR pilot'])
    expect(show.stdout).toMatch(/Conflicts: 1\n.*\nCO-1\s+sample sharing\s+EDR pilot\s+none\s+CM all \(ConfigMgr Defender ATP policy\)\s+all/)
    const device = await runCommand(DeviceShow, ['co-1', '--json'])
    expect(device.result?.conflicts).toEqual([expect.objectContaining({deviceName: 'CO-1', edrProfile: 'EDR pilot', edrValue: 'none', otherPolicy: 'CM all', otherValue: 'all'})])
    const human = await runCommand(DeviceShow, ['CO-1'])
    expect(human.stdout).toContain('Conflicts:') // IN5
  })
})
