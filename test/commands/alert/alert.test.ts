import {captureOutput} from '@oclif/test'
import {openLocalBackend} from '../../../src/backends/local/index.js'
import AlertList from '../../../src/commands/alert/list.js'
import AlertResolve from '../../../src/commands/alert/resolve.js'
import AlertShow from '../../../src/commands/alert/show.js'
import Init from '../../../src/commands/init.js'
import IntegrationEnable from '../../../src/commands/integration/enable.js'
import type {Alert} from '../../../src/core/alert/types.js'
import {eicarBytes} from '../../../src/core/detect/eicar.js'
import {normaliseRow} from '../../../src/core/device/inventory.js'
import {databasePath} from '../../../src/lib/paths.js'
import {PROJECT_ROOT, tempHome} from '../../helpers/cli.js'
import {runJson} from '../../helpers/command.js'

describe('alert list / show / resolve (command layer)', () => {
  const {home, cleanup} = tempHome()
  const saved = process.env.ATPCTL_HOME
  let alertId = ''
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await captureOutput(() => Init.run(['--location', 'us', '--json'], PROJECT_ROOT))
    await captureOutput(() => IntegrationEnable.run(['third-party', '--provider', 'sentinelone', '--json'], PROJECT_ROOT))
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved
    cleanup()
  })

  it('says how to raise one when there are no alerts', async () => {
    const {stdout} = await captureOutput(() => AlertList.run([], PROJECT_ROOT))
    expect((await runJson(AlertList, ['--json'])).result).toEqual({alerts: []})
    expect(stdout).toContain('No alerts. Raise a test one: atpctl detect eicar --device NAME')
  })

  it('lists, shows with evidence, and resolves once', async () => {
    const backend = await openLocalBackend(databasePath(home, 'default'), {profile: 'default', actor: 'test'})
    await backend.devices.import({records: [normaliseRow({name: 'lnx-02', os: 'Ubuntu 24.04', managedBy: 'third-party:sentinelone', lastSeen: new Date().toISOString()}, 2)]})
    const submitted = await backend.detection.submitFile({device: 'lnx-02', fileName: 'e.com', path: '/tmp/e.com', contentBase64: eicarBytes().toString('base64')})
    await backend.close()
    alertId = submitted.alert!.id

    const list = await captureOutput(() => AlertList.run(['--device', 'LNX-02', '--status', 'new'], PROJECT_ROOT))
    expect((await runJson(AlertList, ['--device', 'LNX-02', '--status', 'new', '--json'])).result?.alerts.map((a: Alert) => a.id)).toEqual([alertId])
    expect(list.stdout).toContain(alertId)
    const show = await captureOutput(() => AlertShow.run([alertId], PROJECT_ROOT))
    expect(show.stdout).toContain('Threat:')
    expect(show.stdout).toContain('Virus:DOS/EICAR_Test_File')
    expect(show.stdout).toContain('File /tmp/e.com  sha256 275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f')
    const first = await captureOutput(() => AlertResolve.run([alertId, '--comment', 'lab test', '--json'], PROJECT_ROOT))
    expect(first.result).toMatchObject({changed: true, alert: {status: 'Resolved'}})
    const second = await captureOutput<{changed: boolean}>(() => AlertResolve.run([alertId, '--json'], PROJECT_ROOT))
    expect(second.result?.changed).toBe(false)
  })

  it('refuses an empty comment (2) and an unknown id (3)', async () => {
    expect((await captureOutput(() => AlertResolve.run([alertId, '--comment', '  '], PROJECT_ROOT))).error?.oclif?.exit).toBe(2)
    expect((await captureOutput(() => AlertShow.run(['da0_0'], PROJECT_ROOT))).error?.oclif?.exit).toBe(3)
  })
})
