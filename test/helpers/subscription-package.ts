/**
 * What a real Defender for Cloud subscription's `mdeOnboardings/default` carries (REFERENCE
 * §1.3, §1.3a, §3.2), for the stub to serve: the Windows local onboarding script and the Linux
 * server script of the portal, each carrying the same envelope — a compact body string with the
 * real key order, `sig` (SHA-1) and `sha256sig` (SHA-256) RSA signatures byte-reversed as
 * CryptoAPI writes them, the leaf certificate, and a two-certificate chain to a root. The chain
 * is the made-up look-alike of test/core/package/fixtures.ts (never Microsoft's certificates),
 * so `package inspect` trusts it only when told its root (`--trust-root`, written here as PEM).
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fillTemplate, microsoftLikeChain, signedEnvelope} from '../core/package/fixtures.js'
import {STUB_TENANT_ID} from '../stub/microsoft/index.js'

export interface SubscriptionPackage {
  /** The bytes `onboardingPackageWindows` / `onboardingPackageLinux` decode to. */
  windows: Buffer
  linux: Buffer
  /** The envelope JSON text each script carries. */
  envelopes: {windows: string; linux: string}
  orgId: string
  /** The chain's root as PEM, and its DER SHA-256. */
  rootPem: string
  rootSha256: string
  /** Writes the root to `dir/name` (for --trust-root) and returns the path. */
  writeRoot(dir: string, name?: string): string
}

const pem = (der: Buffer) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`

/** The subscription's package of a tenant (org id = the Entra tenant id, as on a real tenant). */
export function subscriptionPackage(orgId: string = STUB_TENANT_ID): SubscriptionPackage {
  const chain = microsoftLikeChain()
  // Bodies in the real key order (REFERENCE §1.3); a Linux server package adds deviceType and packageGuid.
  const common = {previousOrgIds: [], orgId, geoLocationUrl: 'https://winatp-gw-weu.example.test/', datacenter: 'WestEurope', vortexGeoLocation: 'EU', version: '1.45'}
  const windowsEnvelope = signedEnvelope(JSON.stringify(common), {chain})
  const linuxEnvelope = signedEnvelope(JSON.stringify({...common, deviceType: 'Server', packageGuid: '00000000-0000-4000-8000-0000000000c1'}), {chain})
  const rootPem = pem(chain.chain[chain.chain.length - 1])
  return {
    windows: Buffer.from(fillTemplate('WindowsDefenderATPLocalOnboardingScript.cmd', windowsEnvelope, orgId), 'utf8'),
    linux: Buffer.from(fillTemplate('MicrosoftDefenderATPOnboardingLinuxServer.py', linuxEnvelope, orgId), 'utf8'),
    envelopes: {windows: windowsEnvelope, linux: linuxEnvelope},
    orgId,
    rootPem,
    rootSha256: chain.rootSha256,
    writeRoot(dir, name = 'private-cloud-root.pem') {
      const file = join(dir, name)
      writeFileSync(file, rootPem)
      return file
    },
  }
}
