import {captureOutput} from '@oclif/test'
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {openLocalBackend} from '../../../src/backends/local/index.js'
import DetectEicar from '../../../src/commands/detect/eicar.js'
import DetectTestAlert from '../../../src/commands/detect/test-alert.js'
import Init from '../../../src/commands/init.js'
import IntegrationEnable from '../../../src/commands/integration/enable.js'
import type {TestAlertCheckResult} from '../../../src/core/detect/service.js'
import {normaliseRow} from '../../../src/core/device/inventory.js'
import {databasePath} from '../../../src/lib/paths.js'
import {PROJECT_ROOT, tempHome} from '../../helpers/cli.js'

describe('detect eicar / test-alert (command layer, DT1–DT3)', () => {
  const {home, cleanup} = tempHome()
  const saved = process.env.ATPCTL_HOME
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await captureOutput(() => Init.run(['--location', 'eu', '--json'], PROJECT_ROOT))
    await captureOutput(() => IntegrationEnable.run(['third-party', '--provider', 'sentinelone', '--json'], PROJECT_ROOT))
    const backend = await openLocalBackend(databasePath(home, 'default'), {profile: 'default', actor: 'test'})
    await backend.devices.import({records: [normaliseRow({name: 'lnx-01', os: 'Debian 12', managedBy: 'third-party:sentinelone', lastSeen: new Date().toISOString()}, 2)]})
    await backend.close()
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved
    cleanup()
  })

  it('DT1: prints one PASS verdict line on stdout and returns the verdict', async () => {
    const dir = join(home, 'drop')
    const {result, stdout, error} = await captureOutput(() => DetectEicar.run(['--device', 'lnx-01', '--path', dir], PROJECT_ROOT))
    expect(error).toBeUndefined()
    expect(stdout).toMatch(/^PASS alert da\d+_\d+ "'EICAR_Test_File' malware was prevented" \(Informational\) on lnx-01 after [\d.]+s\n$/)
    expect(result).toMatchObject({outcome: 'alert-seen', exitCode: 0, file: {kept: false}})
    expect(readdirSync(dir)).toEqual([])
  })

  it('DT3: --json on failure prints the error envelope with the verdict and exits 11', async () => {
    const {stdout, error} = await captureOutput(() => DetectEicar.run(['--device', 'nobody', '--json'], PROJECT_ROOT))
    expect(error?.oclif?.exit).toBe(11)
    const doc = JSON.parse(stdout)
    expect(doc.error).toEqual({code: 'DETECT_NOT_ONBOARDED', message: "Device 'nobody' is unknown to this tenant.", exitCode: 11, suggestions: expect.any(Array)})
    expect(doc.verdict).toMatchObject({outcome: 'not-onboarded', device: 'nobody'})
  })

  it('DT3: a bad --timeout is a usage error (exit 2)', async () => {
    const {error} = await captureOutput(() => DetectEicar.run(['--device', 'lnx-01', '--timeout', 'soon'], PROJECT_ROOT))
    expect(error?.oclif?.exit).toBe(2)
  })

  it('DT2: prints the procedure without checking anything', async () => {
    const {result, stdout} = await captureOutput<TestAlertCheckResult>(() => DetectTestAlert.run(['--os', 'macos'], PROJECT_ROOT))
    expect(result?.verdict).toBeNull()
    expect(stdout).toContain('macOS EDR Test Alert')
    expect(stdout).toContain('https://aka.ms/mdatpmacosdiy')
  })

  it('DT2: --junit without --run or --wait is refused (exit 2); --run with --wait too', async () => {
    expect((await captureOutput(() => DetectTestAlert.run(['--os', 'linux', '--junit', join(home, 'x.xml')], PROJECT_ROOT))).error?.oclif?.exit).toBe(2)
    expect((await captureOutput(() => DetectTestAlert.run(['--os', 'linux', '--run', '--wait'], PROJECT_ROOT))).error?.oclif?.exit).toBe(2)
  })

  it('DT2/DC8: --run on a Linux device returns procedure and verdict', async () => {
    const {result, error} = await captureOutput<TestAlertCheckResult>(() => DetectTestAlert.run(['--os', 'linux', '--run', '--json'], PROJECT_ROOT))
    expect(error).toBeUndefined()
    expect(result?.verdict).toMatchObject({outcome: 'alert-seen', device: 'lnx-01', alert: {title: 'Enumeration of files with sensitive data', severity: 'Low'}})
  })
})
