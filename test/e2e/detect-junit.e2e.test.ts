import {execFileSync} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {openLocalBackend} from '../../src/backends/local/index.js'
import {normaliseRow} from '../../src/core/device/inventory.js'
import {databasePath} from '../../src/lib/paths.js'
import {runCli, tempHome} from '../helpers/cli.js'
import {requireTool} from '../helpers/tools.js'

const withXmllint = requireTool('xmllint')

/** The README's CI example: `detect eicar … --junit reports/eicar.xml` in a fresh checkout (DT3). */
describe('detect --junit into a folder that does not exist yet', () => {
  const {home, cleanup} = tempHome('atpctl-junit-e2e-')
  const watch = join(home, 'watch')
  beforeAll(async () => {
    expect((await runCli(['init', '--location', 'us'], {home})).code).toBe(0)
    expect((await runCli(['integration', 'enable', 'third-party', '--provider', 'sentinelone'], {home})).code).toBe(0)
    const backend = await openLocalBackend(databasePath(home, 'default'), {profile: 'default', actor: 'e2e:seed'})
    try {
      await backend.devices.import({records: [normaliseRow({name: 'lnx-01', os: 'Ubuntu 22.04', managedBy: 'third-party:sentinelone', lastSeen: new Date().toISOString()}, 2)]})
      await backend.devices.reportFromSensor({name: 'sensor-01', os: 'Ubuntu 22.04', provider: 'sentinelone'})
    } finally {
      await backend.close()
    }

    mkdirSync(watch)
  })
  afterAll(cleanup)

  withXmllint.it('creates the folder (relative to the working directory) and keeps exit 0 and the verdict line', async () => {
    const result = await runCli(['detect', 'eicar', '--device', 'lnx-01', '--path', join(home, 'drop'), '--junit', 'reports/eicar.xml'], {home})
    expect(result.stderr).not.toContain('Unexpected')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^PASS alert /)
    execFileSync('xmllint', ['--noout', join(home, 'reports', 'eicar.xml')])
    expect(readFileSync(join(home, 'reports', 'eicar.xml'), 'utf8')).not.toContain('<failure')
  })

  it('a failed verdict in a nested missing folder keeps its own exit code (10) and its report', async () => {
    const junit = join(home, 'out', 'ci', 'timeout.xml')
    const result = await runCli(['detect', 'eicar', '--device', 'sensor-01', '--path', watch, '--timeout', '1s', '--junit', junit, '--json'], {home})
    expect(result.code).toBe(10)
    expect(result.json().error.code).toBe('DETECT_TIMEOUT')
    expect(readFileSync(junit, 'utf8')).toContain('type="DETECT_TIMEOUT"')
  })

  it('a report that cannot be written at all does not lose the verdict: exit 10 stays, the cause is on stderr', async () => {
    writeFileSync(join(home, 'blocker'), '')
    const result = await runCli(['detect', 'eicar', '--device', 'sensor-01', '--path', watch, '--timeout', '1s', '--junit', 'blocker/x.xml'], {home})
    expect(result.code).toBe(10)
    expect(result.stderr).toMatch(/Error: Cannot write the JUnit report 'blocker\/x\.xml' \((EEXIST|ENOTDIR)\); the check itself ran\./)
    expect(result.stderr).not.toContain('Unexpected')
  })

  it('a passing check whose report cannot be written says so with exit 2, after the verdict line', async () => {
    const result = await runCli(['detect', 'eicar', '--device', 'lnx-01', '--path', join(home, 'drop2'), '--junit', 'blocker/x.xml'], {home})
    expect(result.code).toBe(2)
    expect(result.stdout).toMatch(/^PASS alert /)
    expect(result.stderr).toMatch(/Error: Cannot write the JUnit report 'blocker\/x\.xml' \((EEXIST|ENOTDIR)\); the check itself ran\./)
  })
})
