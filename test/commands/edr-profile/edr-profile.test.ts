import {captureOutput} from '@oclif/test'
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
import {PROJECT_ROOT, tempHome} from '../../helpers/cli.js'
import {seedDevices} from '../compliance/seed.js'

describe('edr-profile and intune app-config commands (IN4, IN6)', () => {
  const {home, cleanup} = tempHome()
  const saved = process.env.ATPCTL_HOME
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await captureOutput(() => Init.run(['--location', 'us', '--json'], PROJECT_ROOT))
    await captureOutput(() => IntegrationEnable.run(['intune', '--no-windows', '--json'], PROJECT_ROOT))
    await seedDevices(home, [
      {name: 'LT-1', os: 'Windows 10', version: '10.0.19045', managedBy: 'intune', groups: 'Pilot'},
      {name: 'LT-2', os: 'Windows 10', version: '10.0.19045', managedBy: 'intune'},
    ])
    await captureOutput(() => GroupCreate.run(['Pilot users'], PROJECT_ROOT))
    await captureOutput(() => GroupAdd.run(['Pilot users', '--user', 'dana@contoso.com'], PROJECT_ROOT))
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved
    cleanup()
  })

  it('IN4/IN2: create shows reach; with the Windows toggle off nothing is onboarded, and says why', async () => {
    const created = await captureOutput(() =>
      EdrProfileCreate.run(['--name', 'EDR pilot', '--sample-sharing', 'none', '--expedite-telemetry', '--assign-device-group', 'Pilot', '--assign-user-group', 'Pilot users', '--json'], PROJECT_ROOT),
    )
    expect(created.result?.profile).toMatchObject({platform: 'windows10', sampleSharing: 'none', expediteTelemetry: true, deviceGroups: ['Pilot'], userGroups: ['Pilot users']})
    expect(created.result?.devices).toEqual([
      expect.objectContaining({deviceName: 'LT-1', onboarded: false, reason: expect.stringMatching(/Windows toggle is off/)}),
    ])
    expect(created.result?.waitingUsers).toEqual(['dana@contoso.com'])
  })

  it('IN4: after turning the Windows toggle on, the profile onboards; list and show say so', async () => {
    await captureOutput(() => IntegrationEnable.run(['intune', '--windows', '--json'], PROJECT_ROOT))
    const list = await captureOutput(() => EdrProfileList.run(['--json'], PROJECT_ROOT))
    expect(list.result?.profiles[0]).toMatchObject({name: 'EDR pilot', reached: 1, onboarded: 1, conflicts: 0})
    const show = await captureOutput(() => EdrProfileShow.run(['EDR pilot'], PROJECT_ROOT))
    expect(show.stdout).toMatch(/LT-1\s+-\s+device group 'Pilot'\s+yes\s+onboarded through device group 'Pilot'/)
    expect(show.stdout).toContain('Waiting for a first sign-in (user-group assignments apply only then): dana@contoso.com')
  })

  it('refuses a duplicate name (2), an unknown group (3) and an unknown profile (3)', async () => {
    expect((await captureOutput(() => EdrProfileCreate.run(['--name', 'edr pilot'], PROJECT_ROOT))).error?.oclif?.exit).toBe(2)
    expect((await captureOutput(() => EdrProfileCreate.run(['--name', 'X', '--assign-device-group', 'Nope'], PROJECT_ROOT))).error?.oclif?.exit).toBe(3)
    expect((await captureOutput(() => EdrProfileShow.run(['Nope'], PROJECT_ROOT))).error?.oclif?.exit).toBe(3)
  })

  it('IN6: the iOS supervised app configuration; same name again is a no-op', async () => {
    const first = await captureOutput(() => IntuneAppConfigIosSupervised.run(['--json'], PROJECT_ROOT))
    expect(first.result).toMatchObject({created: true, config: {platform: 'ios', settings: [{key: 'issupervised', valueType: 'string', value: '{{issupervised}}'}], assignment: 'all devices'}})
    expect(first.result?.graph).toMatchObject({'@odata.type': '#microsoft.graph.iosMobileAppConfiguration', settings: [{appConfigKey: 'issupervised', appConfigKeyType: 'stringType', appConfigKeyValue: '{{issupervised}}'}]})
    const again = await captureOutput(() => IntuneAppConfigIosSupervised.run([], PROJECT_ROOT))
    expect(again.stdout).toContain('already exists; unchanged')
    const grouped = await captureOutput(() => IntuneAppConfigIosSupervised.run(['--name', 'Pilot iOS', '--assign-group', 'pilot users', '--json'], PROJECT_ROOT))
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

    const show = await captureOutput(() => EdrProfileShow.run(['EDR pilot'], PROJECT_ROOT))
    expect(show.stdout).toMatch(/Conflicts \(IN5\): 1\n.*\nCO-1\s+sample sharing\s+EDR pilot\s+none\s+CM all \(ConfigMgr Defender ATP policy\)\s+all/)
    const device = await captureOutput(() => DeviceShow.run(['co-1', '--json'], PROJECT_ROOT))
    expect(device.result?.conflicts).toEqual([expect.objectContaining({deviceName: 'CO-1', edrProfile: 'EDR pilot', edrValue: 'none', otherPolicy: 'CM all', otherValue: 'all'})])
    const human = await captureOutput(() => DeviceShow.run(['CO-1'], PROJECT_ROOT))
    expect(human.stdout).toContain('Conflicts (IN5):')
  })
})
