/**
 * The tenant's onboarding package through ARM (issue 13): mdeOnboardings/default at
 * 2021-10-01-preview, the script written exactly as received in the portal's zip layout, and
 * `package inspect` of it: signed by the chain Microsoft's packages carry (REFERENCE §1.3a).
 * The stub serves a package in Microsoft's format signed by the test look-alike chain, so the
 * inspector is told that chain's root; with the real root hash it says `unknown`, as it must.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {armPackages} from '../../../src/backends/microsoft/arm-package.js'
import {inspectPackage} from '../../../src/core/package/inspect.js'
import {tenantPackageLayout, tenantPackageZip} from '../../../src/core/package/tenant-package.js'
import {openZipReader} from '../../../src/lib/zip-reader.js'
import {fillTemplate, microsoftLikeChain, onboardingBody, ORG, signedEnvelope} from '../../core/package/fixtures.js'
import {expectAtpError} from '../contract/expect.js'
import {type MicrosoftTarget, openMicrosoftTarget} from '../contract/microsoft.js'
import {STUB_SUBSCRIPTION_ID} from '../../stub/microsoft/index.js'

let t: MicrosoftTarget
let dir: string
const envelope = signedEnvelope(onboardingBody())
const WINDOWS = Buffer.from(fillTemplate('WindowsDefenderATPLocalOnboardingScript.cmd', envelope), 'utf8')
const LINUX = Buffer.from(fillTemplate('MicrosoftDefenderATPOnboardingLinuxServer.py', envelope), 'utf8')

beforeEach(async () => {
  t = await openMicrosoftTarget()
  t.stub.arm.onboarding = {windows: WINDOWS, linux: LINUX}
  dir = mkdtempSync(join(tmpdir(), 'atpctl-armpkg-'))
})
afterEach(async () => {
  await t.cleanup()
  rmSync(dir, {recursive: true, force: true})
})

describe('the onboarding package of a subscription', () => {
  it.each([
    ['windows', WINDOWS, 'WindowsDefenderATPLocalOnboardingScript.cmd', 'windows-cmd'],
    ['windows-server', WINDOWS, 'WindowsDefenderATPLocalOnboardingScript.cmd', 'windows-cmd'],
    ['linux', LINUX, 'MicrosoftDefenderATPOnboardingLinuxServer.py', 'linux-python'],
  ] as const)('--os %s: the script exactly as received, in the portal zip; inspect verifies it and names the signer', async (os, bytes, entry, carrier) => {
    const layout = tenantPackageLayout('onboarding', os, 'local-script')
    expect(layout.zipName).toBe('WindowsDefenderATPOnboardingPackage.zip')
    const got = await armPackages({client: async () => t.raw.client('arm')}).onboardingScript({subscriptionId: STUB_SUBSCRIPTION_ID, script: layout.script})
    const call = t.stub.requests.find((r) => r.path.endsWith('/mdeOnboardings/default'))!
    expect(call.query['api-version']).toBe('2021-10-01-preview')
    const file = join(dir, layout.zipName)
    writeFileSync(file, tenantPackageZip(layout, Buffer.from(got.contentBase64, 'base64')))
    const zip = await openZipReader(file)
    expect(zip.entries.map((e) => e.name)).toEqual([entry])
    expect(Buffer.compare(await zip.readEntry(zip.entries[0], 1_048_576), bytes)).toBe(0)
    await zip.close()

    const inspection = await inspectPackage(file, {trustedRoots: [{sha256: microsoftLikeChain().rootSha256}]})
    expect(inspection.signer.kind).toBe('microsoft')
    expect(inspection.carriers).toEqual([{path: entry, carrier}])
    expect(inspection.orgId).toBe(ORG)
    expect(inspection.problems).toEqual([])
    // Only Microsoft's real root makes a package Microsoft's: the look-alike chain is not it.
    expect((await inspectPackage(file, {})).signer.kind).toBe('unknown')
  })

  it('other OS/method pairs and offboarding exist only in the portal: exit 4 with the portal path', () => {
    for (const [kind, os, method] of [['onboarding', 'macos', 'mdm'], ['onboarding', 'windows', 'group-policy'], ['onboarding', 'down-level', 'local-script'], ['offboarding', 'windows', 'local-script']] as const) {
      expect(() => tenantPackageLayout(kind, os, method)).toThrow(expect.objectContaining({code: 'UNSUPPORTED', exitCode: 4}))
      try {
        tenantPackageLayout(kind, os, method)
      } catch (error) {
        expect((error as {suggestions: string[]}).suggestions.join(' ')).toMatch(/Settings > Endpoints > (Onboarding|Offboarding)/)
      }
    }
  })

  it('a subscription without the package property is not found (exit 3); the app without a role on it is refused (exit 5)', async () => {
    t.stub.arm.onboarding = {windows: WINDOWS}
    const packages = armPackages({client: async () => t.raw.client('arm')})
    await expectAtpError(packages.onboardingScript({subscriptionId: STUB_SUBSCRIPTION_ID, script: 'linux'}), {exitCode: 3})
    t.stub.arm.subscriptions[0].role = null
    await expectAtpError(packages.onboardingScript({subscriptionId: STUB_SUBSCRIPTION_ID, script: 'windows'}), {exitCode: 5})
  })
})
