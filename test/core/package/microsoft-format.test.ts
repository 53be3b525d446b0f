import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execFileSync} from 'node:child_process'
import {assertUsable, inspectPackage} from '../../../src/core/package/inspect.js'
import {fillTemplate, microsoftLikeChain, offboardingBody, onboardingBody, ORG, signedEnvelope} from './fixtures.js'
import {pyZip} from './zip-tools.js'
import {requireTool} from '../../helpers/tools.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'atpctl-msfmt-'))
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const NOW = new Date('2026-03-01T00:00:00Z')
const write = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

const msOptions = () => ({now: NOW, trustedRoots: [{sha256: microsoftLikeChain().rootSha256}]})

const withPython = requireTool('python3')

describe('REFERENCE §1.4 carriers in the Microsoft formats', () => {
  const envelope = () => signedEnvelope(onboardingBody())

  it.each([
    ['WindowsDefenderATPOnboardingScript.cmd.tmpl', 'WindowsDefenderATPOnboardingScript.cmd', 'windows-cmd', 'windows', 'group-policy'],
    ['WindowsDefenderATPLocalOnboardingScript.cmd.tmpl', 'WindowsDefenderATPLocalOnboardingScript.cmd', 'windows-cmd', 'windows', 'local-script'],
    ['MicrosoftDefenderATPOnboardingLinuxServer.py.tmpl', 'MicrosoftDefenderATPOnboardingLinuxServer.py', 'linux-python', 'linux', 'local-script'],
    ['MicrosoftDefenderATPOnboardingLinuxServer.sh.tmpl', 'MicrosoftDefenderATPOnboardingLinuxServer.sh', 'gateway-bash', 'linux', 'local-script'],
    ['mdatp_onboard.json.tmpl', 'mdatp_onboard.json', 'mdatp-json', 'linux', 'local-script'],
    ['WindowsDefenderATPOnboarding.plist.tmpl', 'WindowsDefenderATPOnboarding.plist', 'macos-plist', 'macos', 'mdm'],
    ['WindowsDefenderATPOnboarding.xml.tmpl', 'WindowsDefenderATPOnboarding.xml', 'macos-mobileconfig', 'macos', 'mdm'],
  ])('loose %s: every escaping level undone, both signatures verify, signer Microsoft', async (template, name, carrier, os, method) => {
    const path = write(name, fillTemplate(template, envelope()))
    const i = await inspectPackage(path, msOptions())
    expect(i.carriers).toEqual([{path: name, carrier}])
    expect(i.kind).toBe('onboarding')
    expect(i.os).toBe(os)
    expect(i.methodCandidates).toContain(method)
    expect(i.orgId).toBe(ORG)
    expect(i.datacenter).toBe('WestUk')
    expect(i.geo).toBe('UK')
    expect(i.version).toBe('1.33')
    expect(i.signatures).toEqual({sha1Valid: true, sha256Valid: true, sha256PssValid: null, chainValid: true})
    expect(i.signer.kind).toBe('microsoft')
    expect(i.signer.subject).toContain('Seville.Test.example')
    expect(i.belongsToTenant).toBeNull()
    // The leaf expired in 2021: not a reason to reject (REFERENCE §1.3a).
    expect(i.signer.leafNotAfter).toBe('2021-08-06T00:00:00.000Z')
    expect(i.problems).toEqual([])
  })

  it('the .cmd carrier with real quoting is what reg.exe would store: the envelope, byte for byte', async () => {
    const env = envelope()
    const text = fillTemplate('WindowsDefenderATPOnboardingScript.cmd.tmpl', env)
    expect(text).toContain('\\"body\\":\\"{\\\\\\"previousOrgIds\\\\\\":[]')
    expect(text.includes('\r\n')).toBe(true)
    const i = await inspectPackage(write('x.cmd', text), msOptions())
    expect(JSON.parse(JSON.stringify(i.body))).toEqual(JSON.parse(JSON.parse(env).body))
  })

  it('a UTF-16LE carrier with a BOM (as Windows tools save it) is read', async () => {
    const text = fillTemplate('WindowsDefenderATPOnboardingScript.cmd.tmpl', envelope())
    const path = join(dir, 'utf16.cmd')
    writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))
    const i = await inspectPackage(path, msOptions())
    expect(i.problems).toEqual([])
    expect(i.carriers[0].carrier).toBe('windows-cmd')
  })

  it('without the Microsoft root hash the same package is signed by "unknown", naming the root subject', async () => {
    const path = write('WindowsDefenderATP.onboarding', envelope())
    const i = await inspectPackage(path, {now: NOW})
    expect(i.signer.kind).toBe('unknown')
    expect(i.signer.rootSubject).toContain('Example Test Root Certificate Authority 2011')
    expect(i.methodCandidates).toEqual(['intune', 'mdm', 'configmgr'])
    expect(() => assertUsable(i, {requireKnownSigner: true})).toThrow(/unknown issuer/)
  })

  withPython.it('a macOS MDM zip whose entries use backslashes (unzip warns about them) is read', async () => {
    const env = envelope()
    const zip = pyZip(join(dir, 'WindowsDefenderATPOnboardingPackage.zip'), [
      {name: 'intune\\kext.xml', data: fillTemplate('kext.xml', ''), windows: true},
      {name: 'intune\\WindowsDefenderATPOnboarding.xml', data: fillTemplate('WindowsDefenderATPOnboarding.xml.tmpl', env), windows: true},
      {name: 'jamf\\WindowsDefenderATPOnboarding.plist', data: fillTemplate('WindowsDefenderATPOnboarding.plist.tmpl', env), windows: true},
    ])
    const listing = execFileSync('python3', ['-c', 'import sys,zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', zip], {encoding: 'utf8'})
    expect(listing).toContain('jamf\\WindowsDefenderATPOnboarding.plist')
    const i = await inspectPackage(zip, msOptions())
    expect(i.os).toBe('macos')
    expect(i.methodCandidates).toEqual(['mdm', 'intune'])
    expect(i.carriers.map((c) => c.carrier).sort()).toEqual(['macos-mobileconfig', 'macos-plist'])
    expect(i.entryCount).toBe(3)
    expect(i.problems).toEqual([])
  })

  withPython.it('the streamlined (Gateway) zip is recognised by its body fields', async () => {
    const env = signedEnvelope(
      onboardingBody({
        vortexServerUrl: 'https://eu-v20.events.example.test/OneCollector/1.0',
        vortexTicketUrl: 'https://events.example.test',
        partnerGeoLocation: 'GW_EU',
      }),
    )
    const zip = pyZip(join(dir, 'GatewayWindowsDefenderATPOnboardingPackage.zip'), [
      {name: 'MicrosoftDefenderATPOnboardingLinuxServer.py', data: fillTemplate('MicrosoftDefenderATPOnboardingLinuxServer.py.tmpl', env)},
    ])
    const i = await inspectPackage(zip, msOptions())
    expect(i.streamlined).toBe(true)
    expect(i.body.partnerGeoLocation).toBe('GW_EU')
    expect(i.os).toBe('linux')
  })

  it('CM7: an offboarding .cmd carries a FILETIME expiry; valid → days left, expired → PACKAGE_EXPIRED (exit 7)', async () => {
    const expires = new Date('2026-03-08T17:35:00Z')
    const cmd = fillTemplate('WindowsDefenderATPOffboardingScript.cmd.tmpl', signedEnvelope(offboardingBody(expires)))
    const path = write('WindowsDefenderATPOffboardingScript_valid_until_2026-03-08.cmd', cmd)
    const i = await inspectPackage(path, msOptions())
    expect(i.kind).toBe('offboarding')
    expect(i.expiresAt).toBe('2026-03-08T17:35:00.000Z')
    expect(i.daysLeft).toBe(8)
    expect(i.orgIds).toEqual([ORG])
    expect(i.problems).toEqual([])
    const soon = await inspectPackage(path, {...msOptions(), failIfExpiresWithinMs: 10 * 86_400_000})
    expect(soon.problems.map((p) => p.code)).toEqual(['PACKAGE_EXPIRING'])
    const later = await inspectPackage(path, {...msOptions(), now: new Date('2026-03-09T00:00:00Z')})
    expect(later.problems.map((p) => p.code)).toEqual(['PACKAGE_EXPIRED'])
    expect(later.daysLeft).toBeLessThan(0)
    let thrown: any
    try {
      assertUsable(later)
    } catch (error) {
      thrown = error
    }

    expect(thrown.exitCode).toBe(7)
    expect(thrown.code).toBe('PACKAGE_EXPIRED')
  })

  withPython.it('the FILETIME decodes as Python does (OFFCMD example 133108473269484019 → 2022-10-21T17:35Z)', async () => {
    const {filetimeToDate} = await import('../../../src/core/package/envelope.js')
    expect(filetimeToDate('133108473269484019').toISOString().slice(0, 16)).toBe('2022-10-21T17:35')
    const py = execFileSync('python3', ['-c', 'import datetime; print((datetime.datetime(1601,1,1)+datetime.timedelta(microseconds=133108473269484019//10)).isoformat())'], {encoding: 'utf8'})
    expect(py.trim().slice(0, 16)).toBe('2022-10-21T17:35')
  })

  it('a tampered body (signature mismatch) is PACKAGE_TAMPERED, exit 7', async () => {
    const path = write('tampered.cmd', fillTemplate('WindowsDefenderATPOnboardingScript.cmd.tmpl', signedEnvelope(onboardingBody(), {tamper: true})))
    const i = await inspectPackage(path, msOptions())
    expect(i.signatures.sha1Valid).toBe(false)
    expect(i.signatures.sha256Valid).toBe(false)
    expect(i.problems.map((p) => p.code)).toContain('PACKAGE_TAMPERED')
    expect(() => assertUsable(i)).toThrow(expect.objectContaining({exitCode: 7, code: 'PACKAGE_TAMPERED'}))
  })

  it('a swapped certificate (chain broken) is PACKAGE_TAMPERED even when the signatures match the swapped key', async () => {
    const env = JSON.parse(signedEnvelope(onboardingBody()))
    env.chain = [env.chain[1]]
    const i = await inspectPackage(write('swapped.onboarding', JSON.stringify(env)), msOptions())
    expect(i.signatures.chainValid).toBe(false)
    expect(i.problems.map((p) => p.code)).toEqual(['PACKAGE_TAMPERED'])
  })

  it.each([
    ['not JSON', 'WindowsDefenderATP.onboarding', '{"body": '],
    ['no signature', 'WindowsDefenderATP.onboarding', JSON.stringify({body: onboardingBody(), cert: 'AA==', chain: []})],
    ['body without orgId', 'WindowsDefenderATP.onboarding', signedEnvelope('{"version":"1.0"}')],
    ['no carrier', 'readme.cmd', '@echo off\r\necho hello\r\n'],
  ])('malformed (%s) → PACKAGE_MALFORMED, exit 7', async (_what, name, text) => {
    await expect(inspectPackage(write(name, text), {now: NOW})).rejects.toMatchObject({exitCode: 7, code: 'PACKAGE_MALFORMED'})
  })

  withPython.it('malformed (a zip without carriers) → PACKAGE_MALFORMED, exit 7', async () => {
    const path = pyZip(join(dir, 'empty.zip'), [{name: 'notes.txt', data: 'hello'}])
    await expect(inspectPackage(path, {now: NOW})).rejects.toMatchObject({exitCode: 7, code: 'PACKAGE_MALFORMED'})
  })

  withPython.it('carriers that disagree inside one zip are malformed', async () => {
    const zip = pyZip(join(dir, 'mixed.zip'), [
      {name: 'WindowsDefenderATPOnboardingScript.cmd', data: fillTemplate('WindowsDefenderATPOnboardingScript.cmd.tmpl', signedEnvelope(onboardingBody()))},
      {name: 'WindowsDefenderATP.onboarding', data: signedEnvelope(onboardingBody({}, '00000000-0000-4000-8000-0000000000b2'))},
    ])
    await expect(inspectPackage(zip, {now: NOW})).rejects.toThrow(/disagree/)
  })

  withPython.it('a corrupted entry (bad CRC) anywhere in the zip is reported, exit 7', async () => {
    const zip = pyZip(join(dir, 'crc.zip'), [
      {name: 'WindowsDefenderATP.onboarding', data: envelope(), stored: true},
      {name: 'OptionalParamsPolicy/AtpConfiguration.admx', data: 'x'.repeat(2000) + '<policyDefinitions/>', stored: true},
    ])
    const bytes = readFileSync(zip)
    const at = bytes.indexOf('xxxxxxxxxx')
    bytes[at + 5] = 'y'.charCodeAt(0)
    writeFileSync(zip, bytes)
    await expect(inspectPackage(zip, {now: NOW})).rejects.toMatchObject({exitCode: 7, code: 'PACKAGE_TAMPERED'})
  })

  it('a missing file is not found (exit 3)', async () => {
    await expect(inspectPackage(join(dir, 'nope.zip'))).rejects.toMatchObject({exitCode: 3})
  })
})
