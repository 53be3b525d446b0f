/**
 * Test packages in the Microsoft formats: a made-up three-level chain shaped like the real one
 * (root → "Secure Server CA" → a "Seville"-style leaf), envelopes signed the real way
 * (REFERENCE §1.3a), and the Microsoft-format carrier templates (src/core/package/microsoft-layouts.ts) filled in with the escaping
 * of REFERENCE §1.4, done here independently of the generator so the two check each other.
 */
import {createHash, createSign, generateKeyPairSync, type KeyObject} from 'node:crypto'
import {buildCertificate} from '../../../src/lib/x509.js'
import {microsoftTemplate} from '../../../src/core/package/microsoft-layouts.js'

export interface TestChain {
  leafKey: KeyObject
  leafDer: Buffer
  chain: Buffer[]
  rootSha256: string
}

let cached: TestChain | undefined

/** A made-up chain: never real Microsoft certificates. The leaf is expired on purpose. */
export function microsoftLikeChain(): TestChain {
  if (cached) return cached
  const gen = () => generateKeyPairSync('rsa', {modulusLength: 2048})
  const root = gen()
  const inter = gen()
  const leaf = gen()
  const org = 'Example Test Corporation'
  const rootDer = buildCertificate({
    subjectCommonName: 'Example Test Root Certificate Authority 2011',
    issuerCommonName: 'Example Test Root Certificate Authority 2011',
    organization: org,
    subjectPublicKey: root.publicKey,
    issuerPrivateKey: root.privateKey,
    notBefore: new Date('2011-03-22T00:00:00Z'),
    notAfter: new Date('2036-03-22T00:00:00Z'),
    isCa: true,
  })
  const interDer = buildCertificate({
    subjectCommonName: 'Example Test Secure Server CA 2011',
    issuerCommonName: 'Example Test Root Certificate Authority 2011',
    organization: org,
    subjectPublicKey: inter.publicKey,
    issuerPrivateKey: root.privateKey,
    notBefore: new Date('2011-10-18T00:00:00Z'),
    notAfter: new Date('2036-01-01T00:00:00Z'),
    isCa: true,
  })
  const leafDer = buildCertificate({
    subjectCommonName: 'Seville.Test.example',
    issuerCommonName: 'Example Test Secure Server CA 2011',
    organization: org,
    subjectPublicKey: leaf.publicKey,
    issuerPrivateKey: inter.privateKey,
    // Expired leaf: packages outlive their leaf and must still verify (REFERENCE §1.3a).
    notBefore: new Date('2020-08-06T00:00:00Z'),
    notAfter: new Date('2021-08-06T00:00:00Z'),
    isCa: false,
  })
  cached = {leafKey: leaf.privateKey, leafDer, chain: [interDer, rootDer], rootSha256: createHash('sha256').update(rootDer).digest('hex')}
  return cached
}

const rev = (b: Buffer) => Buffer.from(b).reverse()

/** Envelope JSON text signed like a real package. */
export function signedEnvelope(body: string, options: {chain?: TestChain; tamper?: boolean} = {}): string {
  const chain = options.chain ?? microsoftLikeChain()
  const sig = rev(createSign('sha1').update(body).sign(chain.leafKey)).toString('base64')
  const sha256sig = rev(createSign('sha256').update(body).sign(chain.leafKey)).toString('base64')
  const signedBody = options.tamper ? body.replace(/"datacenter":"[^"]*"/, '"datacenter":"Elsewhere"').replace(/"orgIds":\[/, '"orgIds":["00000000-0000-4000-8000-0000000000ff",') : body
  return JSON.stringify({body: signedBody, sig, sha256sig, cert: chain.leafDer.toString('base64'), chain: chain.chain.map((c) => c.toString('base64'))})
}

export const ORG = '00000000-0000-4000-8000-00000000a7c1'

export function onboardingBody(extra: Record<string, string> = {}, org = ORG): string {
  return JSON.stringify({
    previousOrgIds: [],
    orgId: org,
    geoLocationUrl: 'https://lab-gw.example.test/',
    datacenter: 'WestUk',
    vortexGeoLocation: 'UK',
    ...extra,
    version: '1.33',
  })
}

/** FILETIME of a date (100 ns ticks since 1601), as exact digits. */
export function filetime(date: Date): string {
  return (BigInt(date.getTime()) * 10_000n + 116_444_736_000_000_000n).toString()
}

export function offboardingBody(expires: Date, org = ORG): string {
  return `{"orgIds":["${org}"],"orgId":"${org}","expirationTimestamp":${filetime(expires)},"version":"1.4"}`
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/**
 * Fills a Microsoft-format template (src/core/package/microsoft-layouts.ts; `.tmpl` names are
 * accepted for the file they describe) with the escaping depths of REFERENCE §1.4, done here
 * independently of the checker's own filling, and made-up payload UUIDs.
 */
export function fillTemplate(name: string, envelope: string, org = ORG): string {
  const text = microsoftTemplate(name.replace(/\.tmpl$/, '')).text
  const jsonBlob = JSON.stringify(envelope).slice(1, -1)
  const cmdBlob = envelope.replace(/\\/g, '\\\\').replace(/"/g, '\\"')
  const pyBlob = jsonBlob.replace(/\\/g, '\\\\').replace(/"/g, '\\"')
  let uuid = 0
  const filled = text
    .replaceAll('@@CMD_BLOB@@', () => cmdBlob)
    .replaceAll('@@PY_BLOB@@', () => pyBlob)
    .replaceAll('@@JSON_BLOB@@', () => jsonBlob)
    .replaceAll('@@XML_BLOB@@', () => xml(envelope))
    .replaceAll('@@BLOB@@', () => envelope)
    .replaceAll('@@ORG_ID@@', org)
    .replaceAll('@@UUID@@', () => `00000000-0000-4000-8000-0000000000a${++uuid}`)
  return name.includes('.cmd') ? filled.replace(/\r?\n/g, '\r\n') + '\r\n' : filled + '\n'
}
