/**
 * Seed 002 on the microsoft backend end to end (issue 13 Proof): bin/run.js against the stub's
 * Azure Resource Manager. Enable Windows on a subscription, then Linux (DC2), refuse a
 * Linux-only disable (DC3), download the subscription's onboarding package (mdeOnboardings) and
 * inspect it — its zip accepted by unzip and Python's zipfile, its signatures and chain verified
 * by openssl (REFERENCE §1.3a), its signer Microsoft once the cloud's root is trusted
 * (--trust-root) — then disable the whole integration; refuse without Defender for Servers
 * (exit 4, how to turn it on) and without Security Admin or Owner (exit 5, DC6).
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {findEnvelope} from '../../src/core/package/carriers.js'
import {parseEnvelope} from '../../src/core/package/envelope.js'
import {runCli, tempHome} from '../helpers/cli.js'
import {subscriptionPackage} from '../helpers/subscription-package.js'
import {requireTool} from '../helpers/tools.js'
import {type MicrosoftStub, startMicrosoftStub, STUB_CLIENT_SECRET, STUB_SUBSCRIPTION_ID} from '../stub/microsoft/index.js'

let stub: MicrosoftStub
let home: string
let cleanup: () => void
let work: string
const SUB = STUB_SUBSCRIPTION_ID
const pkg = subscriptionPackage()
const withTools = requireTool('unzip', 'python3', 'openssl')

const run = (args: string[], options: {input?: string; env?: Record<string, string | undefined>} = {}) => runCli(args, {home, cwd: work, ...options})
const urls = () => ['--authority-host', stub.authorityHost, '--defender-url', stub.defenderUrl, '--graph-url', stub.graphUrl, '--arm-url', stub.armUrl, '--ca-file', stub.caFile]

beforeAll(async () => {
  stub = await startMicrosoftStub({arm: {onboarding: {windows: pkg.windows, linux: pkg.linux}}})
  ;({home, cleanup} = tempHome('atpctl-ms-dfc-e2e-'))
  work = mkdtempSync(join(tmpdir(), 'atpctl-ms-dfc-work-'))
  const init = await run(['init', '--backend', 'microsoft', '--tenant-id', stub.tenantId, '--client-id', stub.clientId, '--client-secret-file', '-', ...urls(), '--json'], {input: STUB_CLIENT_SECRET + '\n'})
  expect(init.code).toBe(0)
})
afterAll(async () => {
  await stub.close()
  cleanup()
  rmSync(work, {recursive: true, force: true})
})

/** Checks a downloaded zip with the standard tools and returns its one script's bytes. */
function checkZipWithTools(file: string, entry: string): Buffer {
  expect(execFileSync('unzip', ['-t', file], {encoding: 'utf8'})).toMatch(/No errors detected/)
  const py = spawnSync('python3', ['-c', 'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint("\\n".join(z.namelist()))', file], {encoding: 'utf8'})
  expect(py.status).toBe(0)
  expect(py.stdout.trim()).toBe(entry)
  return execFileSync('unzip', ['-p', file, entry])
}

/** REFERENCE §1.3a with openssl: the chain verifies to its root, both byte-reversed signatures over the body. */
function verifyWithOpenssl(script: Buffer, entry: string): void {
  const match = findEnvelope(entry, script.toString('utf8'))!
  const envelope = parseEnvelope(match.envelopeText)
  const dir = mkdtempSync(join(work, 'openssl-'))
  const f = (name: string) => join(dir, name)
  writeFileSync(f('leaf.der'), Buffer.from(envelope.cert, 'base64'))
  execFileSync('openssl', ['x509', '-inform', 'DER', '-in', f('leaf.der'), '-out', f('leaf.pem')])
  envelope.chain.forEach((c, i) => {
    writeFileSync(f(`chain${i}.der`), Buffer.from(c, 'base64'))
    execFileSync('openssl', ['x509', '-inform', 'DER', '-in', f(`chain${i}.der`), '-out', f(`chain${i}.pem`)])
  })
  expect(envelope.chain).toHaveLength(2)
  expect(readFileSync(f('chain1.pem'), 'utf8')).toBe(pkg.rootPem)
  // Packages outlive their leaf (§1.3a): the chain is checked, not the leaf's dates.
  expect(execFileSync('openssl', ['verify', '-no_check_time', '-CAfile', f('chain1.pem'), '-untrusted', f('chain0.pem'), f('leaf.pem')], {encoding: 'utf8'})).toMatch(/OK/)
  execFileSync('openssl', ['x509', '-in', f('leaf.pem'), '-pubkey', '-noout', '-out', f('pub.pem')])
  writeFileSync(f('body.txt'), envelope.body)
  for (const [field, digest] of [['sig', '-sha1'], ['sha256sig', '-sha256']] as const) {
    writeFileSync(f(`${field}.bin`), Buffer.from(envelope[field], 'base64').reverse())
    expect(execFileSync('openssl', ['dgst', digest, '-verify', f('pub.pem'), '-signature', f(`${field}.bin`), f('body.txt')], {encoding: 'utf8'}).trim()).toBe('Verified OK')
  }
}

describe('seed 002 on a real tenant (the stub)', () => {
  it('enable Windows, then Linux; a Linux-only disable is refused (DC3); the whole integration goes off', async () => {
    const windows = await run(['integration', 'enable', 'defender-for-cloud', '--subscription', SUB, '--windows-only', '--json'])
    expect(windows.code).toBe(0)
    expect(windows.json()).toMatchObject({kind: 'defender-for-cloud', changed: true, subscription: {subscriptionId: SUB, windows: true, linux: false}})
    expect(stub.arm.subscriptions[0].settings).toMatchObject({WDATP: true, WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW: true})

    const linux = await run(['integration', 'enable', 'defender-for-cloud', '--subscription', SUB, '--linux'])
    expect(linux.code).toBe(0)
    expect(stub.arm.subscriptions[0].settings.WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW).toBe(false)

    const writes = stub.requests.filter((r) => r.api === 'arm' && r.method === 'PUT').length
    const refused = await run(['integration', 'disable', 'defender-for-cloud', '--subscription', SUB, '--linux', '--json'])
    expect(refused.code).toBe(4)
    expect(refused.json().error.code).toBe('REFUSED_DC3')
    expect(stub.requests.filter((r) => r.api === 'arm' && r.method === 'PUT').length).toBe(writes)

    // The onboarding package of the subscription, for each OS the API has.
    for (const [os, entry] of [['windows', 'WindowsDefenderATPLocalOnboardingScript.cmd'], ['linux', 'MicrosoftDefenderATPOnboardingLinuxServer.py']] as const) {
      const out = join(work, `${os}.zip`)
      const got = await run(['package', 'generate', 'onboarding', '--os', os, '--subscription', SUB, '--out', out, '--json'])
      expect(got.code).toBe(0)
      expect(got.json().package).toMatchObject({id: null, kind: 'onboarding', os, method: 'local-script', file: out, entries: [entry], subscriptionId: SUB, orgId: pkg.orgId})
      expect(statSync(out).mode & 0o777).toBe(0o600)
      expect(stub.requests.filter((r) => r.path.endsWith('/mdeOnboardings/default')).at(-1)!.query['api-version']).toBe('2021-10-01-preview')

      // Without the cloud's root the signer is unknown; with it (an administrator's choice), Microsoft.
      const unknown = await run(['package', 'inspect', out, '--json'])
      expect(unknown.code).toBe(0)
      expect(unknown.json()).toMatchObject({kind: 'onboarding', os: os === 'windows' ? 'windows' : 'linux', method: 'local-script', orgId: pkg.orgId, problems: [], signer: {kind: 'unknown'}, signatures: {sha1Valid: true, sha256Valid: true, chainValid: true}})
      const root = pkg.writeRoot(work)
      const trusted = await run(['package', 'inspect', out, '--trust-root', root, '--json'])
      expect(trusted.code).toBe(0)
      expect(trusted.json()).toMatchObject({usable: true, signer: {kind: 'microsoft', trustedBy: 'added-root', rootSha256: pkg.rootSha256}})
      const byEnv = await run(['package', 'inspect', out], {env: {ATPCTL_TRUST_ROOT: root}})
      expect(byEnv.code).toBe(0)
      expect(byEnv.stdout).toMatch(/Signed by:\s+Microsoft \(chains to .*Example Test Root Certificate Authority 2011, a root added with --trust-root\)/)
    }

    // Every other pair, and offboarding, is only in the portal: exit 4 with where to get it.
    for (const args of [['onboarding', '--os', 'windows', '--method', 'group-policy'], ['onboarding', '--os', 'macos'], ['offboarding', '--os', 'windows']]) {
      const refusedPair = await run(['package', 'generate', ...args, '--subscription', SUB, '--json'])
      expect(refusedPair.code).toBe(4)
      expect(refusedPair.json().error).toMatchObject({code: 'UNSUPPORTED', exitCode: 4})
      expect(refusedPair.stderr + JSON.stringify(refusedPair.json())).toMatch(/Settings > Endpoints > (Onboarding|Offboarding)/)
    }

    // Without --subscription a real tenant has no package of its own to generate: exit 2 naming the flag.
    const noSub = await run(['package', 'generate', 'onboarding', '--os', 'linux', '--method', 'local-script'])
    expect(noSub.code).toBe(2)
    expect(noSub.stderr).toMatch(/--subscription/)

    const off = await run(['integration', 'disable', 'defender-for-cloud', '--subscription', SUB, '--yes', '--json'])
    expect(off.code).toBe(0)
    expect(off.json().subscription).toMatchObject({windows: false, linux: false})
  })

  withTools.it("the downloaded zips: unzip and Python's zipfile accept them, the script is the bytes Microsoft sent, openssl verifies the chain and both signatures", async () => {
    for (const [os, entry, bytes] of [['windows-server', 'WindowsDefenderATPLocalOnboardingScript.cmd', pkg.windows], ['linux', 'MicrosoftDefenderATPOnboardingLinuxServer.py', pkg.linux]] as const) {
      const got = await run(['package', 'generate', 'onboarding', '--os', os, '--method', 'local-script', '--subscription', SUB, '--json'])
      expect(got.code).toBe(0)
      // The portal's zip name, in the current directory (a second download replaces the first, atomically).
      expect(got.json().package.file).toBe(join(work, 'WindowsDefenderATPOnboardingPackage.zip'))
      const script = checkZipWithTools(got.json().package.file, entry)
      expect(Buffer.compare(script, bytes)).toBe(0)
      verifyWithOpenssl(script, entry)
    }
  })

  it('without Defender for Servers: exit 4 saying how to turn it on; as a Reader: exit 5 naming the roles', async () => {
    stub.arm.subscriptions[0].serversPlan = 'Free'
    const plan = await run(['integration', 'enable', 'defender-for-cloud', '--subscription', SUB])
    expect(plan.code).toBe(4)
    expect(plan.stderr).toMatch(/Defender for Servers/)
    expect(plan.stderr).toMatch(/Defender plans > Servers: On/)
    expect(plan.stderr).not.toMatch(/\n\s+at /)

    stub.arm.subscriptions[0].serversPlan = 'Standard'
    stub.arm.subscriptions[0].role = 'Reader'
    const reader = await run(['integration', 'enable', 'defender-for-cloud', '--subscription', SUB])
    expect(reader.code).toBe(5)
    expect(reader.stderr).toMatch(/Security Admin/)
    expect(reader.stderr).toMatch(/Owner/)
    stub.arm.subscriptions[0].role = 'Security Admin'
  })
})
