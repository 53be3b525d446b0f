/**
 * Our generated packages checked by the standard tools: openssl (certificate, signatures over
 * the body, chain), xmllint (ADMX/ADML/plists), Python's plistlib and zipfile, and python3
 * running the Linux scripts in a test root.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {Backend} from '../../../src/core/port/types.js'
import {buildPackageContent, generatePackage} from '../../../src/core/package/generate.js'
import type {PackageKind, PackageMethod, PackageOs} from '../../../src/core/package/layout.js'
import {buildZip} from '../../../src/lib/zip-writer.js'
import {tempBackend} from '../../helpers/backend.js'
import {requireTool} from '../../helpers/tools.js'

let backend: Backend
let cleanup: () => Promise<void>
let dir: string
const NOW = new Date('2026-03-01T12:00:00Z')

beforeAll(async () => {
  ;({backend, cleanup} = await tempBackend({withTenant: true}))
  dir = mkdtempSync(join(tmpdir(), 'atpctl-tools-'))
})
afterAll(async () => {
  await cleanup()
  rmSync(dir, {recursive: true, force: true})
})

async function content(kind: PackageKind, os: PackageOs, method: PackageMethod, now = NOW) {
  const tenant = (await backend.tenant.get())!
  return buildPackageContent(tenant, await backend.tenant.secrets(), {kind, os, method, now})
}

const file = (c: {files: {name: string; data: Buffer}[]}, suffix: string) => c.files.find((f) => f.name.endsWith(suffix))!.data.toString('utf8')

function envelopeOfWindowsBlob(text: string) {
  return JSON.parse(text) as {body: string; sig: string; sha256sig: string; cert: string; chain: string[]}
}

const withOpenssl = requireTool('openssl')
const withPython = requireTool('python3')
const withXmllint = requireTool('xmllint')
const withPythonAndUnzip = requireTool('python3', 'unzip')

describe('REFERENCE §1.3a: openssl verifies what we sign', () => {
  withOpenssl.it('the certificate parses, chains to the tenant CA, and both byte-reversed signatures verify over the body', async () => {
    const c = await content('onboarding', 'windows', 'intune')
    const env = envelopeOfWindowsBlob(file(c, 'WindowsDefenderATP.onboarding'))
    const leaf = join(dir, 'leaf.der')
    const ca = join(dir, 'ca.der')
    writeFileSync(leaf, Buffer.from(env.cert, 'base64'))
    writeFileSync(ca, Buffer.from(env.chain[0], 'base64'))
    execFileSync('openssl', ['x509', '-inform', 'DER', '-in', leaf, '-out', join(dir, 'leaf.pem')])
    execFileSync('openssl', ['x509', '-inform', 'DER', '-in', ca, '-out', join(dir, 'ca.pem')])
    expect(execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'leaf.pem')], {encoding: 'utf8'})).toContain('OK')
    execFileSync('openssl', ['x509', '-in', join(dir, 'leaf.pem'), '-pubkey', '-noout', '-out', join(dir, 'pub.pem')])
    writeFileSync(join(dir, 'body.txt'), env.body)
    expect(Buffer.from(env.sig, 'base64')).toHaveLength(256)
    expect(Buffer.from(env.sha256sig, 'base64')).toHaveLength(256)
    for (const [field, digest] of [['sig', '-sha1'], ['sha256sig', '-sha256']] as const) {
      writeFileSync(join(dir, `${field}.bin`), Buffer.from(env[field], 'base64').reverse())
      const out = execFileSync('openssl', ['dgst', digest, '-verify', join(dir, 'pub.pem'), '-signature', join(dir, `${field}.bin`), join(dir, 'body.txt')], {encoding: 'utf8'})
      expect(out.trim()).toBe('Verified OK')
    }

    // Not reversed, the signature must NOT verify: proves the byte order is the CryptoAPI one.
    writeFileSync(join(dir, 'raw.bin'), Buffer.from(env.sha256sig, 'base64'))
    const raw = spawnSync('openssl', ['dgst', '-sha256', '-verify', join(dir, 'pub.pem'), '-signature', join(dir, 'raw.bin'), join(dir, 'body.txt')])
    expect(raw.status).not.toBe(0)
  })

  withPython.it('the body is a compact string with the real key order; offboarding carries a FILETIME integer', async () => {
    const tenant = (await backend.tenant.get())!
    const on = envelopeOfWindowsBlob(file(await content('onboarding', 'windows', 'configmgr'), '.onboarding'))
    expect(Object.keys(JSON.parse(on.body))).toEqual(['previousOrgIds', 'orgId', 'geoLocationUrl', 'datacenter', 'vortexGeoLocation', 'version'])
    expect(on.body).toBe(JSON.stringify(JSON.parse(on.body)))
    expect(Object.keys(on)).toEqual(['body', 'sig', 'sha256sig', 'cert', 'chain'])
    const off = envelopeOfWindowsBlob(file(await content('offboarding', 'windows', 'mdm'), '.offboarding'))
    expect(off.body).toMatch(new RegExp(`^\\{"orgIds":\\["${tenant.orgId}"\\],"orgId":"${tenant.orgId}","expirationTimestamp":\\d{18},"version":"1\\.65"\\}$`))
    const ticks = /"expirationTimestamp":(\d+)/.exec(off.body)![1]
    const py = execFileSync('python3', ['-c', `import datetime; print((datetime.datetime(1601,1,1)+datetime.timedelta(microseconds=${ticks}//10)).isoformat())`], {encoding: 'utf8'})
    expect(py.trim()).toBe('2026-03-31T12:00:00')
  })
})

describe('the carriers parse with the real tools', () => {
  withXmllint.it('xmllint accepts the ADMX, ADML, plist and mobileconfigs', async () => {
    const gp = await content('onboarding', 'windows', 'group-policy')
    const mac = await content('onboarding', 'macos', 'mdm')
    const macOff = await content('offboarding', 'macos', 'intune')
    for (const f of [...gp.files.filter((f) => /\.adm[xl]$/.test(f.name)), ...mac.files, ...macOff.files]) {
      const path = join(dir, f.name.replace(/[\\/]/g, '_'))
      writeFileSync(path, f.data)
      execFileSync('xmllint', ['--noout', path])
    }
  })

  withPython.it('plistlib reads the JAMF plist and the Intune mobileconfig, and their OnboardingInfo is the envelope', async () => {
    const tenant = (await backend.tenant.get())!
    const mac = await content('onboarding', 'macos', 'mdm')
    const plist = join(dir, 'jamf.plist')
    const mobile = join(dir, 'intune.xml')
    writeFileSync(plist, file(mac, 'WindowsDefenderATPOnboarding.plist'))
    writeFileSync(mobile, file(mac, 'WindowsDefenderATPOnboarding.xml'))
    const script = `import plistlib,sys,json
p = plistlib.load(open(sys.argv[1],'rb'))
m = plistlib.load(open(sys.argv[2],'rb'))['PayloadContent'][0]
assert p['OnboardingInfo'] == m['OnboardingInfo']
print(json.dumps({'org': p['OrgId'], 'over': p['AllowUserOverrides'], 'type': m['PayloadType'], 'body': json.loads(json.loads(p['OnboardingInfo'])['body'])}))`
    const out = JSON.parse(execFileSync('python3', ['-c', script, plist, mobile], {encoding: 'utf8'}))
    expect(out).toMatchObject({org: tenant.orgId, over: true, type: 'com.microsoft.wdav.atp', body: {orgId: tenant.orgId}})
  })

  it('the .cmd files use CRLF line endings and the reg add quoting of real scripts', async () => {
    const cmd = file(await content('onboarding', 'windows', 'local-script'), '.cmd')
    expect(cmd.split('\n').every((line, i, all) => i === all.length - 1 || line.endsWith('\r'))).toBe(true)
    expect(cmd).toContain('/v OnboardingInfo /t REG_SZ /f /d "{\\"body\\":\\"{\\\\\\"previousOrgIds\\\\\\":[]')
    expect(cmd).toContain('Press (Y) to confirm')
    expect(cmd).toContain('/v latency /t REG_SZ /f /d "Demo"')
    const gp = file(await content('onboarding', 'windows', 'group-policy'), '.cmd')
    expect(gp).not.toContain('Press (Y)')
    expect(gp).toContain('MpCmdRun.exe" -ReloadEngine')
  })
})

withPython.describe('the Linux scripts really work (python3 in a test root)', () => {
  it('onboarding writes etc/opt/microsoft/mdatp/mdatp_onboard.json with {"onboardingInfo": <envelope>}, owner-only', async () => {
    const c = await content('onboarding', 'linux', 'local-script')
    const script = join(dir, 'MicrosoftDefenderATPOnboardingLinuxServer.py')
    writeFileSync(script, c.files[0].data)
    const root = join(dir, 'root-on')
    mkdirSync(root)
    execFileSync('python3', [script, '--root', root], {encoding: 'utf8'})
    const written = join(root, 'etc/opt/microsoft/mdatp/mdatp_onboard.json')
    expect(statSync(written).mode & 0o777).toBe(0o600)
    const json = JSON.parse(readFileSync(written, 'utf8'))
    expect(Object.keys(json)).toEqual(['onboardingInfo'])
    const env = JSON.parse(json.onboardingInfo)
    const body = JSON.parse(env.body)
    const tenant = (await backend.tenant.get())!
    expect(body).toMatchObject({orgId: tenant.orgId, datacenter: tenant.datacenter, vortexGeoLocation: tenant.vortexGeoLocation, deviceType: 'Server'})
    expect(Object.keys(body).slice(-2)).toEqual(['deviceType', 'packageGuid'])
  })

  it('CM7: the offboarding script writes mdatp_offboard.json before its expiry and refuses after it', async () => {
    const valid = await content('offboarding', 'linux', 'local-script', new Date())
    const script = join(dir, 'off.py')
    writeFileSync(script, valid.files[0].data)
    const root = join(dir, 'root-off')
    mkdirSync(root)
    execFileSync('python3', [script, '--root', root])
    expect(JSON.parse(readFileSync(join(root, 'etc/opt/microsoft/mdatp/mdatp_offboard.json'), 'utf8'))).toHaveProperty('offboardingInfo')
    const expired = await content('offboarding', 'linux', 'local-script', new Date(Date.now() - 40 * 86_400_000))
    writeFileSync(script, expired.files[0].data)
    const root2 = join(dir, 'root-off2')
    mkdirSync(root2)
    const run = spawnSync('python3', [script, '--root', root2], {encoding: 'utf8'})
    expect(run.status).toBe(1)
    expect(run.stdout).toContain('expired')
    expect(existsSync(join(root2, 'etc'))).toBe(false)
  })

  it('the macOS local script writes a plist plistlib reads', async () => {
    const c = await content('onboarding', 'macos', 'local-script')
    const script = join(dir, 'mac.py')
    writeFileSync(script, c.files[0].data)
    const root = join(dir, 'root-mac')
    mkdirSync(root)
    execFileSync('python3', [script, '--root', root])
    const out = execFileSync('python3', ['-c', "import plistlib,sys; p=plistlib.load(open(sys.argv[1],'rb')); print(p['OrgId'])", join(root, 'Library/Application Support/Microsoft/Defender/com.microsoft.wdav.atp.plist')], {encoding: 'utf8'})
    expect(out.trim()).toBe((await backend.tenant.get())!.orgId)
  })
})

describe('zips: reproducible, owner-only, real layouts', () => {
  it('same input gives the same bytes (fixed timestamps, sorted entries)', async () => {
    for (const [kind, os, method] of [['onboarding', 'windows', 'group-policy'], ['offboarding', 'macos', 'mdm'], ['onboarding', 'linux', 'local-script']] as const) {
      const a = buildZip((await content(kind, os, method)).files)
      const b = buildZip((await content(kind, os, method)).files.reverse())
      expect(a.equals(b)).toBe(true)
    }

    const one = join(dir, 'one.zip')
    const two = join(dir, 'two.zip')
    await generatePackage(backend, {kind: 'onboarding', os: 'windows', method: 'vdi', out: one, directory: dir, profile: 'test', now: NOW})
    await generatePackage(backend, {kind: 'onboarding', os: 'windows-server', method: 'vdi', out: two, directory: dir, profile: 'test', now: new Date()})
    // CM8: Windows and Windows Server share one onboarding file; onboarding has no clock in it.
    expect(readFileSync(one).equals(readFileSync(two))).toBe(true)
  })

  withPythonAndUnzip.it('macOS MDM zips store backslash entry names, as real ones do (unzip warns, python lists them)', async () => {
    const zip = join(dir, 'mac.zip')
    await generatePackage(backend, {kind: 'onboarding', os: 'macos', method: 'mdm', out: zip, directory: dir, profile: 'test', now: NOW})
    const names = execFileSync('python3', ['-c', 'import sys,zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', zip], {encoding: 'utf8'}).trim().split('\n')
    expect(names).toEqual(['intune\\WindowsDefenderATPOnboarding.xml', 'intune\\kext.xml', 'jamf\\WindowsDefenderATPOnboarding.plist'])
    const t = spawnSync('unzip', ['-o', zip, '-d', join(dir, 'mac-unzipped')], {encoding: 'utf8'})
    expect(t.stderr).toMatch(/appears to use backslashes as path separators/)
    expect(existsSync(join(dir, 'mac-unzipped', 'jamf', 'WindowsDefenderATPOnboarding.plist'))).toBe(true)
  })

  it('down-level writes the Workspace ID and key (T2) as a 0600 file, not a blob', async () => {
    const out = join(dir, 'downlevel.json')
    const {package: pkg} = await generatePackage(backend, {kind: 'onboarding', os: 'down-level', method: 'configmgr', out, directory: dir, profile: 'test', now: NOW})
    expect(statSync(out).mode & 0o777).toBe(0o600)
    const json = JSON.parse(readFileSync(out, 'utf8'))
    const tenant = (await backend.tenant.get())!
    expect(json.workspaceId).toBe(tenant.workspaceId)
    expect(json.workspaceKey).toBe((await backend.tenant.secrets()).workspaceKey)
    expect(pkg.entries).toEqual([])
    // It carries no signed blob: inspect says what it is instead of guessing.
    const {inspectPackage} = await import('../../../src/core/package/inspect.js')
    await expect(inspectPackage(out)).rejects.toMatchObject({exitCode: 7, message: expect.stringContaining('down-level workspace file')})
  })

  it('offboarding names carry _valid_until_ and --valid-days is 1–30 (CM7)', async () => {
    const c = await content('offboarding', 'windows', 'group-policy')
    expect(c.fileName).toBe('WindowsDefenderATPOffboardingPackage_valid_until_2026-03-31.zip')
    expect(c.files.map((f) => f.name)).toEqual(['WindowsDefenderATPOffboardingScript_valid_until_2026-03-31.cmd'])
    const tenant = (await backend.tenant.get())!
    const secrets = await backend.tenant.secrets()
    expect(buildPackageContent(tenant, secrets, {kind: 'offboarding', os: 'linux', method: 'local-script', validDays: 7, now: NOW}).fileName).toContain('_valid_until_2026-03-08')
    expect(() => buildPackageContent(tenant, secrets, {kind: 'offboarding', os: 'linux', method: 'local-script', validDays: 31, now: NOW})).toThrow(expect.objectContaining({exitCode: 2}))
  })

  it('--streamlined: Gateway zip name and the gateway body fields in the real order', async () => {
    const tenant = (await backend.tenant.get())!
    const c = buildPackageContent(tenant, await backend.tenant.secrets(), {kind: 'onboarding', os: 'linux', method: 'local-script', streamlined: true, now: NOW})
    expect(c.fileName).toBe('GatewayWindowsDefenderATPOnboardingPackage.zip')
    const out = join(dir, c.fileName)
    writeFileSync(out, buildZip(c.files))
    const {inspectPackage} = await import('../../../src/core/package/inspect.js')
    const i = await inspectPackage(out, {tenant, now: NOW})
    expect(i.streamlined).toBe(true)
    expect(Object.keys(i.body)).toEqual(['previousOrgIds', 'orgId', 'geoLocationUrl', 'datacenter', 'vortexGeoLocation', 'vortexServerUrl', 'vortexTicketUrl', 'partnerGeoLocation', 'version', 'deviceType', 'packageGuid'])
    expect(i.body.partnerGeoLocation).toBe(`GW_${tenant.vortexGeoLocation}`)
    expect(i.problems).toEqual([])
  })

  it('invalid OS × method pairs are usage errors listing the valid methods', async () => {
    await expect(content('onboarding', 'linux', 'group-policy')).rejects.toMatchObject({exitCode: 2, suggestions: ['Valid methods for --os linux: local-script.']})
    await expect(content('offboarding', 'down-level', 'configmgr')).rejects.toMatchObject({exitCode: 2})
  })

  it('every generated package is recorded in the tenant (kind, OS, method, sha256, created, expires)', async () => {
    const out = join(dir, 'rec.zip')
    const {package: pkg} = await generatePackage(backend, {kind: 'offboarding', os: 'windows', method: 'intune', out, directory: dir, profile: 'test', now: NOW})
    const records = (await backend.packages.list({kind: 'offboarding'})).items
    expect(records.find((r) => r.id === pkg.id)).toMatchObject({kind: 'offboarding', os: 'windows', method: 'intune', sha256: pkg.sha256, createdAt: NOW.toISOString(), expiresAt: '2026-03-31T12:00:00.000Z', path: out})
    const audit = (await backend.audit.list({operation: 'package.generate'})).items
    expect(audit.length).toBeGreaterThan(0)
  })
})
