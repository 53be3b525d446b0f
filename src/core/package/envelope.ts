/**
 * The onboarding/offboarding blob (REFERENCE §1.3, §1.3a, §1.6): an envelope whose `body` is a
 * JSON *string* (kept verbatim: the signatures cover its exact UTF-8 bytes), signed twice with
 * RSA PKCS#1 v1.5 (SHA-1 in `sig`, SHA-256 in `sha256sig`), each signature byte-reversed the
 * way Windows CryptoAPI emits it, plus the DER leaf certificate and its issuers.
 */
import {createHash, createPrivateKey, createSign, createVerify, X509Certificate} from 'node:crypto'
import {InvalidInputError} from '../errors.js'

export interface Envelope {
  body: string
  sig: string
  sha256sig: string
  sha256sigPss?: string
  cert: string
  chain: string[]
}

export interface OnboardingBody {
  previousOrgIds: string[]
  orgId: string
  geoLocationUrl: string
  datacenter: string
  vortexGeoLocation: string
  vortexServerUrl?: string
  vortexTicketUrl?: string
  partnerGeoLocation?: string
  version: string
  deviceType?: string
  packageGuid?: string
}

export interface OffboardingBody {
  orgIds: string[]
  orgId: string
  /** Windows FILETIME: 100-ns ticks since 1601-01-01 UTC. */
  expirationTimestamp: number
  version: string
}

/** SHA-256 of the DER of "Microsoft Root Certificate Authority 2011" (REFERENCE §1.3a). */
export const MICROSOFT_ROOT_SHA256 = '847df6a78497943f27fc72eb93f9a637320a02b561d0a91b09e87a7807ed7c61'

/** Ticks between 1601-01-01 and 1970-01-01 (FILETIME epoch offset), in 100 ns. */
const FILETIME_EPOCH_OFFSET = 116_444_736_000_000_000n

export function dateToFiletime(date: Date): number {
  // Exceeds 2^53 but JSON numbers in real blobs are printed as integers; BigInt keeps the digits exact.
  return Number(BigInt(date.getTime()) * 10_000n + FILETIME_EPOCH_OFFSET)
}

export function filetimeToDate(filetime: number | bigint | string): Date {
  const ticks = BigInt(filetime)
  return new Date(Number((ticks - FILETIME_EPOCH_OFFSET) / 10_000n))
}

/** Compact JSON with the real key order of every sample (REFERENCE §1.3). */
export function serializeOnboardingBody(body: OnboardingBody): string {
  const ordered: Record<string, unknown> = {
    previousOrgIds: body.previousOrgIds,
    orgId: body.orgId,
    geoLocationUrl: body.geoLocationUrl,
    datacenter: body.datacenter,
    vortexGeoLocation: body.vortexGeoLocation,
  }
  if (body.vortexServerUrl !== undefined) ordered.vortexServerUrl = body.vortexServerUrl
  if (body.vortexTicketUrl !== undefined) ordered.vortexTicketUrl = body.vortexTicketUrl
  if (body.partnerGeoLocation !== undefined) ordered.partnerGeoLocation = body.partnerGeoLocation
  ordered.version = body.version
  if (body.deviceType !== undefined) ordered.deviceType = body.deviceType
  if (body.packageGuid !== undefined) ordered.packageGuid = body.packageGuid
  return JSON.stringify(ordered)
}

/** Offboarding body (REFERENCE §1.6). The FILETIME is written as an exact integer. */
export function serializeOffboardingBody(body: OffboardingBody): string {
  const ticks = body.expirationTimestamp
  return `{"orgIds":${JSON.stringify(body.orgIds)},"orgId":${JSON.stringify(body.orgId)},"expirationTimestamp":${BigInt(Math.round(ticks))},"version":${JSON.stringify(body.version)}}`
}

const reversed = (b: Buffer) => Buffer.from(b).reverse()

/** Signs a body string the way real packages are signed (REFERENCE §1.3a). */
export function signEnvelope(body: string, identity: {signingKeyPem: string; signingCertDer: string; chain: string[]}): Envelope {
  const key = createPrivateKey(identity.signingKeyPem)
  const data = Buffer.from(body, 'utf8')
  const sig = reversed(createSign('sha1').update(data).sign(key)).toString('base64')
  const sha256sig = reversed(createSign('sha256').update(data).sign(key)).toString('base64')
  return {body, sig, sha256sig, cert: identity.signingCertDer, chain: identity.chain}
}

/** The envelope JSON text: compact, fields in the real order. */
export function serializeEnvelope(envelope: Envelope): string {
  const ordered: Record<string, unknown> = {body: envelope.body, sig: envelope.sig, sha256sig: envelope.sha256sig}
  if (envelope.sha256sigPss !== undefined) ordered.sha256sigPss = envelope.sha256sigPss
  ordered.cert = envelope.cert
  ordered.chain = envelope.chain
  return JSON.stringify(ordered)
}

function malformed(reason: string): InvalidInputError {
  return new InvalidInputError(`The package is malformed: ${reason}.`, {
    code: 'PACKAGE_MALFORMED',
    suggestions: ['Download the package again from the portal, or regenerate it: atpctl package generate onboarding --os windows --method local-script'],
  })
}

const isBase64 = (s: unknown): s is string => typeof s === 'string' && s.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s)

/** Parses and shape-checks an envelope from its JSON text. Throws PACKAGE_MALFORMED. */
export function parseEnvelope(text: string): Envelope {
  let value: unknown
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch {
    throw malformed('the onboarding information is not valid JSON')
  }

  return checkEnvelope(value)
}

export function checkEnvelope(value: unknown): Envelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed('the onboarding information is not a JSON object')
  const v = value as Record<string, unknown>
  if (typeof v.body !== 'string') throw malformed('the envelope has no "body" string')
  for (const field of ['sig', 'sha256sig', 'cert'] as const) {
    if (!isBase64(v[field])) throw malformed(`the envelope field "${field}" is missing or not base64`)
  }

  if (v.sha256sigPss !== undefined && !isBase64(v.sha256sigPss)) throw malformed('the envelope field "sha256sigPss" is not base64')
  if (!Array.isArray(v.chain) || !v.chain.every(isBase64)) throw malformed('the envelope field "chain" is not an array of base64 certificates')
  return {
    body: v.body,
    sig: v.sig as string,
    sha256sig: v.sha256sig as string,
    ...(v.sha256sigPss === undefined ? {} : {sha256sigPss: v.sha256sigPss as string}),
    cert: v.cert as string,
    chain: v.chain as string[],
  }
}

export type ParsedBody =
  | {kind: 'onboarding'; body: OnboardingBody}
  | {kind: 'offboarding'; body: OffboardingBody; expiresAt: Date}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Decodes the body string into an onboarding or offboarding body. Throws PACKAGE_MALFORMED. */
export function parseBody(bodyText: string): ParsedBody {
  let value: unknown
  try {
    value = JSON.parse(bodyText)
  } catch {
    throw malformed('the envelope "body" is not valid JSON')
  }

  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed('the envelope "body" is not a JSON object')
  const b = value as Record<string, unknown>
  if (typeof b.orgId !== 'string' || !GUID.test(b.orgId)) throw malformed('the body has no valid "orgId" GUID')
  if (typeof b.version !== 'string') throw malformed('the body has no "version" string')
  if ('expirationTimestamp' in b || 'orgIds' in b) {
    if (!Array.isArray(b.orgIds) || !b.orgIds.every((o) => typeof o === 'string')) throw malformed('the offboarding body has no "orgIds" array')
    // Read the FILETIME digits from the text: it exceeds 2^53, so JSON.parse rounds it.
    const match = /"expirationTimestamp"\s*:\s*(\d+)/.exec(bodyText)
    if (!match) throw malformed('the offboarding body has no integer "expirationTimestamp" (FILETIME)')
    const expiresAt = filetimeToDate(match[1])
    if (Number.isNaN(expiresAt.getTime())) throw malformed('the offboarding "expirationTimestamp" is not a valid FILETIME')
    return {kind: 'offboarding', body: {orgIds: b.orgIds as string[], orgId: b.orgId, expirationTimestamp: Number(match[1]), version: b.version}, expiresAt}
  }

  for (const field of ['geoLocationUrl', 'datacenter', 'vortexGeoLocation'] as const) {
    if (typeof b[field] !== 'string') throw malformed(`the onboarding body has no "${field}" string`)
  }

  return {kind: 'onboarding', body: b as unknown as OnboardingBody}
}

export interface SignatureCheck {
  sha1Valid: boolean
  sha256Valid: boolean
  /** Null when the envelope has no sha256sigPss. */
  sha256PssValid: boolean | null
  /** The leaf is signed by chain[0], each chain element by the next, and the last is self-signed. */
  chainValid: boolean
  leafSubject: string
  leafNotAfter: string
  leafSha256: string
  rootSubject: string
  rootSha256: string
}

function verifyReversed(algorithm: string, data: Buffer, key: X509Certificate['publicKey'], signatureBase64: string, pss = false): boolean {
  try {
    const signature = reversed(Buffer.from(signatureBase64, 'base64'))
    const verifier = createVerify(algorithm).update(data)
    if (pss) {
      // Try the byte order as stored first and reversed second: no public sample pins it down.
      const options = {key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: -2 /* auto */}
      if (createVerify(algorithm).update(data).verify(options, Buffer.from(signatureBase64, 'base64'))) return true
      return verifier.verify(options, signature)
    }

    return verifier.verify(key, signature)
  } catch {
    return false
  }
}

const subjectOf = (cert: X509Certificate) => cert.subject.replace(/\n/g, ', ')

/** Verifies both signatures against the embedded certificate and the certificate chain. */
export function verifyEnvelope(envelope: Envelope): SignatureCheck {
  let leaf: X509Certificate
  let chain: X509Certificate[]
  try {
    leaf = new X509Certificate(Buffer.from(envelope.cert, 'base64'))
    chain = envelope.chain.map((c) => new X509Certificate(Buffer.from(c, 'base64')))
  } catch {
    throw malformed('the embedded certificate or chain is not a valid DER X.509 certificate')
  }

  const data = Buffer.from(envelope.body, 'utf8')
  const sha1Valid = verifyReversed('sha1', data, leaf.publicKey, envelope.sig)
  const sha256Valid = verifyReversed('sha256', data, leaf.publicKey, envelope.sha256sig)
  const sha256PssValid = envelope.sha256sigPss === undefined ? null : verifyReversed('sha256', data, leaf.publicKey, envelope.sha256sigPss, true)
  // Expiry of the leaf is deliberately not checked: packages outlive their leaf (REFERENCE §1.3a).
  let chainValid = chain.length > 0
  let current = leaf
  for (const issuer of chain) {
    if (!chainValid) break
    chainValid = current.checkIssued(issuer) && current.verify(issuer.publicKey)
    current = issuer
  }

  const root = chain.length > 0 ? chain[chain.length - 1] : leaf
  if (chainValid) chainValid = root.checkIssued(root) && root.verify(root.publicKey)
  return {
    sha1Valid,
    sha256Valid,
    sha256PssValid,
    chainValid,
    leafSubject: subjectOf(leaf),
    leafNotAfter: new Date(leaf.validTo).toISOString(),
    leafSha256: createHash('sha256').update(leaf.raw).digest('hex'),
    rootSubject: subjectOf(root),
    rootSha256: createHash('sha256').update(root.raw).digest('hex'),
  }
}
