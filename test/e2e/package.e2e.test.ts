import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli, tempHome} from '../helpers/cli.js'
import {requireTool} from '../helpers/tools.js'

const withUnzip = requireTool('unzip')
const withPython = requireTool('python3')

describe('e2e: packages (issue 3)', () => {
  const {home, cleanup} = tempHome('atpctl-e2e-pkg-')
  beforeAll(async () => {
    expect((await runCli(['init', '--location', 'eu'], {home})).code).toBe(0)
  })
  afterAll(cleanup)

  withUnzip.it('generate (default name in the cwd) → inspect --json → extract, all consistent; T2: no key on stdout', async () => {
    const gen = await runCli(['package', 'generate', 'onboarding', '--os', 'linux', '--method', 'local-script', '--json'], {home})
    expect(gen.code).toBe(0)
    const pkg = gen.json().package
    expect(pkg.file).toBe(join(home, 'WindowsDefenderATPOnboardingPackage.zip'))
    expect(statSync(pkg.file).mode & 0o777).toBe(0o600)
    execFileSync('unzip', ['-tq', pkg.file])
    const insp = await runCli(['package', 'inspect', pkg.file, '--json'], {home})
    expect(insp.code).toBe(0)
    expect(insp.json()).toMatchObject({kind: 'onboarding', os: 'linux', method: 'local-script', orgId: pkg.orgId, sha256: pkg.sha256, belongsToTenant: true, signer: {kind: 'tenant'}, signatures: {sha1Valid: true, sha256Valid: true}})
    const ext = await runCli(['package', 'extract', pkg.file, '--dir', join(home, 'x'), '--json'], {home})
    expect(ext.code).toBe(0)
    expect(ext.json().files).toEqual([{path: 'MicrosoftDefenderATPOnboardingLinuxServer.py', bytes: expect.any(Number)}])
    const ws = await runCli(['workspace', 'show', '--json'], {home})
    const revealed = await runCli(['workspace', 'show', '--reveal', '--json'], {home})
    expect(ws.stdout).not.toContain(revealed.json().workspace.workspaceKey)
    const list = await runCli(['package', 'list', '--json'], {home})
    expect(list.json().packages.map((p: {sha256: string}) => p.sha256)).toContain(pkg.sha256)
  })

  withPython.it('exit 7: tampered, expiring within --fail-if-expires-within, and unsafe zips (nothing extracted)', async () => {
    const off = join(home, 'off.zip')
    expect((await runCli(['package', 'generate', 'offboarding', '--os', 'windows', '--method', 'mdm', '--valid-days', '3', '--out', off], {home})).code).toBe(0)
    const soon = await runCli(['package', 'inspect', off, '--fail-if-expires-within', '7d', '--json'], {home})
    expect(soon.code).toBe(7)
    expect(soon.json().error.code).toBe('PACKAGE_EXPIRING')
    // Tamper with the loose .offboarding file: change the FILETIME by one tick.
    expect((await runCli(['package', 'extract', off, '--dir', join(home, 'offx')], {home})).code).toBe(0)
    const name = readdirSync(join(home, 'offx'))[0]
    const blob = join(home, 'offx', name)
    writeFileSync(blob, readFileSync(blob, 'utf8').replace(/(expirationTimestamp\\":\d+)(\d)/, (_m, a, d) => a + ((Number(d) + 1) % 10)))
    const tampered = await runCli(['package', 'inspect', blob], {home})
    expect(tampered.code).toBe(7)
    expect(tampered.stderr).toMatch(/^Error: .*does not match the body/m)
    expect(tampered.stdout).toMatch(/SHA-1 signature:\s+INVALID/)
    const evil = join(home, 'evil.zip')
    execFileSync('python3', ['-c', "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w'); z.writestr('ok.txt','x'); z.writestr('../escape.txt','x'); z.close()", evil])
    const bad = await runCli(['package', 'extract', evil, '--dir', join(home, 'evil-out')], {home})
    expect(bad.code).toBe(7)
    expect(readdirSync(home).filter((n) => n.startsWith('evil-out') || n.startsWith('.evil-out') || n === 'escape.txt')).toEqual([])
  })
})
