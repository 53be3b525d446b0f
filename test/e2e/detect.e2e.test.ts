import {execFileSync, spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {openLocalBackend} from '../../src/backends/local/index.js'
import {EICAR_SHA256} from '../../src/core/detect/eicar.js'
import {TEST_ALERTS} from '../../src/core/detect/test-alerts.js'
import {normaliseRow, type RawRow} from '../../src/core/device/inventory.js'
import {databasePath} from '../../src/lib/paths.js'
import {PROJECT_ROOT, runCli, tempHome} from '../helpers/cli.js'
import {requireTool} from '../helpers/tools.js'

/**
 * The inventory goes straight into the profile's database (the same code `device import`
 * runs); everything under test goes through the built CLI.
 */
async function withBackend<T>(home: string, fn: (b: Awaited<ReturnType<typeof openLocalBackend>>) => Promise<T>): Promise<T> {
  const backend = await openLocalBackend(databasePath(home, 'default'), {profile: 'default', actor: 'e2e:seed'})
  try {
    return await fn(backend)
  } finally {
    await backend.close()
  }
}

const now = () => new Date().toISOString()
const INVENTORY: RawRow[] = [
  {name: 'lnx-01', os: 'Ubuntu 22.04', managedBy: 'third-party:sentinelone', lastSeen: now()},
  {name: 'mac-01', os: 'macOS 14.4', managedBy: 'third-party:sentinelone', lastSeen: now()},
  {name: 'az-win-01', os: 'Windows Server 2019 Datacenter', managedBy: 'defender-for-cloud', environment: 'azure-vm', subscription: 'sub-1', lastSeen: now()},
  {name: 'cm-01', os: 'Windows 10 Enterprise', version: '1809', managedBy: 'configmgr', lastSeen: now()},
  {name: 'lnx-stale', os: 'Ubuntu 22.04', managedBy: 'third-party:sentinelone', lastSeen: '2020-01-01T00:00:00Z'},
  {name: 'lnx-stopped', os: 'Ubuntu 22.04', managedBy: 'third-party:sentinelone', lastSeen: now(), sensorService: 'stopped'},
  {name: 'bd-01', os: 'Ubuntu 22.04', managedBy: 'third-party:bitdefender', lastSeen: now()},
]

const withXmllint = requireTool('xmllint')

describe('atpctl detect and alert, end to end (SPEC DT1–DT3, DC8, TP5)', () => {
  const {home, cleanup} = tempHome('atpctl-detect-e2e-')
  const watch = join(home, 'watch')
  beforeAll(async () => {
    expect((await runCli(['init', '--location', 'us'], {home})).code).toBe(0)
    expect((await runCli(['integration', 'enable', 'third-party', '--provider', 'sentinelone'], {home})).code).toBe(0)
    expect((await runCli(['integration', 'enable', 'defender-for-cloud', '--subscription', 'sub-1'], {home})).code).toBe(0)
    await withBackend(home, async (b) => {
      await b.devices.import({records: INVENTORY.map((r, i) => normaliseRow(r, i + 2))})
      // A machine known only through a live sensor (issue 7) that is not running now.
      await b.devices.reportFromSensor({name: 'sensor-01', os: 'Ubuntu 22.04', provider: 'sentinelone'})
    })
    mkdirSync(watch)
  })
  afterAll(cleanup)

  it('DT1/DT3 alert seen: exit 0, one verdict line, the file removed afterwards (TP5)', async () => {
    const dir = join(home, 'drop-pass')
    const result = await runCli(['detect', 'eicar', '--device', 'lnx-01', '--path', dir], {home})
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^PASS alert da\d{18}_\d+ "'EICAR_Test_File' malware was prevented" \(Informational\) on lnx-01 after \d+\.\ds\n$/)
    expect(result.stderr).toContain('✓ sensor: healthy')
    expect(readdirSync(dir)).toEqual([])
  })

  it('DT1 --keep leaves a valid EICAR file (SHA-256 of DT1) and --json gives the verdict document', async () => {
    const dir = join(home, 'drop-keep')
    const result = await runCli(['detect', 'eicar', '--device', 'lnx-01', '--path', dir, '--keep', '--json'], {home})
    expect(result.code).toBe(0)
    const verdict = result.json()
    expect(verdict).toMatchObject({check: 'eicar', outcome: 'alert-seen', passed: true, exitCode: 0, device: 'lnx-01', reportedBy: 'atpctl', file: {kept: true, size: 68, sha256: EICAR_SHA256}})
    expect(verdict.alert).toMatchObject({threatName: 'Virus:DOS/EICAR_Test_File', evidence: [{sha256: EICAR_SHA256, filePath: verdict.file.path}]})
    expect(typeof verdict.seconds).toBe('number')
    const [name] = readdirSync(dir)
    expect(join(dir, name)).toBe(verdict.file.path)
    expect(createHash('sha256').update(readFileSync(verdict.file.path)).digest('hex')).toBe(EICAR_SHA256)
  })

  it('DT3 device unknown (11) and not onboarded (11)', async () => {
    const unknown = await runCli(['detect', 'eicar', '--device', 'ghost', '--json'], {home})
    expect(unknown.code).toBe(11)
    expect(unknown.json()).toMatchObject({error: {code: 'DETECT_NOT_ONBOARDED', exitCode: 11}, verdict: {outcome: 'not-onboarded', file: null}})
    const notOnboarded = await runCli(['detect', 'eicar', '--device', 'cm-01'], {home})
    expect(notOnboarded.code).toBe(11)
    expect(notOnboarded.stderr).toMatch(/Error: Device 'cm-01' is not onboarded/)
    expect(notOnboarded.stderr).toMatch(/Try this: /)
    expect(notOnboarded.stdout).toBe('')
  })

  it('DT3 sensor inactive (12) and agent state (12), before any file is written', async () => {
    const dir = join(home, 'drop-12')
    for (const device of ['lnx-stale', 'lnx-stopped']) {
      const result = await runCli(['detect', 'eicar', '--device', device, '--path', dir, '--json'], {home})
      expect({device, code: result.code}).toEqual({device, code: 12})
      expect(result.json().verdict.outcome).toBe('sensor-inactive')
    }

    expect(existsSync(dir)).toBe(false)
  })

  it('DT3/TP3 integration off (13), and again after turning a working provider off', async () => {
    const off = await runCli(['detect', 'eicar', '--device', 'bd-01'], {home})
    expect(off.code).toBe(13)
    expect(off.stderr).toContain('Try this: Turn it on: atpctl integration enable third-party --provider bitdefender')
    expect((await runCli(['integration', 'disable', 'third-party', '--provider', 'sentinelone', '--yes'], {home})).code).toBe(0)
    try {
      const blocked = await runCli(['detect', 'test-alert', '--os', 'linux', '--device', 'lnx-01', '--run', '--json'], {home})
      expect(blocked.code).toBe(13)
      expect(blocked.json().error.code).toBe('DETECT_BLOCKED')
    } finally {
      expect((await runCli(['integration', 'enable', 'third-party', '--provider', 'sentinelone'], {home})).code).toBe(0)
    }
  })

  withXmllint.it('DT3 timeout (10): a live-sensor device whose sensor is not running; JUnit accepted by xmllint', async () => {
    const junit = join(home, 'timeout.xml')
    const result = await runCli(['detect', 'eicar', '--device', 'sensor-01', '--path', watch, '--timeout', '2s', '--junit', junit, '--json'], {home})
    expect(result.code).toBe(10)
    const doc = result.json()
    expect(doc.error).toMatchObject({code: 'DETECT_TIMEOUT', exitCode: 10})
    expect(doc.verdict).toMatchObject({outcome: 'timeout', reportedBy: 'live-sensor', file: {kept: false}})
    expect(doc.verdict.seconds).toBeGreaterThanOrEqual(1.5)
    expect(doc.verdict.polls).toBeLessThanOrEqual(6)
    expect(readdirSync(watch)).toEqual([])
    execFileSync('xmllint', ['--noout', junit])
    const xml = readFileSync(junit, 'utf8')
    expect(xml).toContain('type="DETECT_TIMEOUT"')
    expect(xml).toMatch(/failures="1"/)
  })

  it('live sensor rule: atpctl only writes into the watched directory; the sensor reports it', async () => {
    const child = runCli(['detect', 'eicar', '--device', 'sensor-01', '--path', watch, '--timeout', '60s', '--json'], {home})
    // Play the sensor: wait for the file to appear, then report what is on disk.
    let name: string | undefined
    for (let i = 0; i < 200 && !name; i++) {
      name = readdirSync(watch).find((f) => f.endsWith('.com'))
      if (!name) await new Promise((r) => setTimeout(r, 50))
    }

    expect(name).toBeDefined()
    await withBackend(home, async (b) => {
      await b.devices.reportFromSensor({name: 'sensor-01', os: 'Ubuntu 22.04', provider: 'sentinelone'})
      const content = readFileSync(join(watch, name!))
      const r = await b.detection.submitFile({device: 'sensor-01', fileName: name!, path: join(watch, name!), contentBase64: content.toString('base64')})
      expect(r.detected).toBe(true)
    })
    const result = await child
    expect(result.code).toBe(0)
    expect(result.json()).toMatchObject({outcome: 'alert-seen', reportedBy: 'live-sensor', device: 'sensor-01'})
  })

  it('Ctrl-C while waiting exits 130 and still removes the EICAR file', async () => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'run.js'), 'detect', 'eicar', '--device', 'sensor-01', '--path', watch, '--timeout', '60s'], {
      env: {PATH: process.env.PATH, HOME: home, ATPCTL_HOME: home, NO_COLOR: '1', CI: '1'},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    let name: string | undefined
    for (let i = 0; i < 200 && !name; i++) {
      name = readdirSync(watch).find((f) => f.endsWith('.com'))
      if (!name) await new Promise((r) => setTimeout(r, 50))
    }

    expect(name).toBeDefined()
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    expect(stderr).toContain('Cancelled.')
    expect(readdirSync(watch)).toEqual([])
  })

  it('DT2 --wait: prints the procedure, then sees the alert once the device performs it', async () => {
    const child = runCli(['detect', 'test-alert', '--os', 'linux', '--device', 'lnx-01', '--wait', '--timeout', '60s', '--json'], {home})
    // Play the device: a little later, its sensor reports the DIY script's activity.
    await new Promise((r) => setTimeout(r, 1500))
    await withBackend(home, (b) => b.detection.submitActivity({device: 'lnx-01', os: 'linux', activity: TEST_ALERTS.linux.activity}))
    const result = await child
    expect(result.code).toBe(0)
    expect(result.json().verdict).toMatchObject({outcome: 'alert-seen', reportedBy: 'manual', alert: {title: 'Enumeration of files with sensitive data'}})
  })

  it('DT1: a live-sensor device without --path is a usage error naming --path', async () => {
    const result = await runCli(['detect', 'eicar', '--device', 'sensor-01'], {home})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--path')
  })

  withXmllint.it.each([
    ['windows', 'az-win-01', '[TestAlert] Suspicious PowerShell CommandLine', 'Informational'],
    ['linux', 'lnx-01', 'Enumeration of files with sensitive data', 'Low'],
    ['macos', 'mac-01', 'macOS EDR Test Alert', 'Informational'],
  ])('DT2/DC8 test-alert --os %s --run on %s raises "%s" (%s)', async (os, device, title, severity) => {
    const junit = join(home, `test-alert-${os}.xml`)
    const result = await runCli(['detect', 'test-alert', '--os', os, '--device', device, '--run', '--junit', junit, '--json'], {home})
    expect(result.code).toBe(0)
    const {procedure, verdict} = result.json()
    expect(procedure.title).toBe(title)
    expect(verdict).toMatchObject({check: 'test-alert', os, outcome: 'alert-seen', alert: {title, severity, computerDnsName: device}})
    execFileSync('xmllint', ['--noout', junit])
    expect(readFileSync(junit, 'utf8')).not.toContain('<failure')
  })

  it('DT2: without --run prints the seed 002 procedure and checks nothing', async () => {
    const result = await runCli(['detect', 'test-alert', '--os', 'windows'], {home})
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(
      String.raw`powershell.exe -NoExit -ExecutionPolicy Bypass -WindowStyle Hidden (New-Object System.Net.WebClient).DownloadFile('http://127.0.0.1/1.exe', 'C:\\test-MDATP-test\\invoice.exe'); Start-Process 'C:\\test-MDATP-test\\invoice.exe'`,
    )
    const linux = await runCli(['detect', 'test-alert', '--os', 'linux'], {home})
    expect(linux.stdout).toContain('https://aka.ms/LinuxDIY')
    expect(linux.stdout).toContain('./mde_linux_edr_diy')
    expect((await runCli(['detect', 'test-alert', '--os', 'beos'], {home})).code).toBe(2)
  })

  it('alert list / show / resolve, and unknown ids exit 3', async () => {
    const list = await runCli(['alert', 'list', '--device', 'lnx-01', '--json'], {home})
    expect(list.code).toBe(0)
    const {alerts} = list.json()
    expect(alerts.length).toBeGreaterThanOrEqual(3)
    expect(alerts.map((a: {alertCreationTime: string}) => a.alertCreationTime)).toEqual([...alerts.map((a: {alertCreationTime: string}) => a.alertCreationTime)].sort().reverse())
    const low = await runCli(['alert', 'list', '--severity', 'low', '--since', '1h', '--json'], {home})
    expect(low.json().alerts.every((a: {severity: string}) => a.severity === 'Low')).toBe(true)
    const show = await runCli(['alert', 'show', alerts[0].id], {home})
    expect(show.code).toBe(0)
    expect(show.stdout).toContain(`Id:`)
    expect(show.stdout).toContain(alerts[0].title)
    const resolved = await runCli(['alert', 'resolve', alerts[0].id, '--comment', 'detection test', '--json'], {home})
    expect(resolved.json()).toMatchObject({changed: true, alert: {status: 'Resolved', comments: [{comment: 'detection test'}]}})
    const table = await runCli(['alert', 'list', '--status', 'Resolved'], {home})
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+CREATED\s+SEVERITY\s+STATUS\s+DEVICE\s+TITLE$/)
    expect((await runCli(['alert', 'show', 'da1_1'], {home})).code).toBe(3)
    expect((await runCli(['alert', 'list', '--severity', 'Severe'], {home})).code).toBe(2)
    expect((await runCli(['alert', 'list', '--since', 'yesterday-ish'], {home})).code).toBe(2)
  })
})
