/**
 * A minimal DER encoder for X.509 v3 certificates, enough for the tenant signing identity:
 * an RSA-2048 root (CA) and a leaf it issues, both signed with SHA-256/RSA. Node's crypto
 * makes the keys and signatures; this module only lays out the ASN.1 that `openssl x509
 * -inform DER` and `openssl verify` read.
 */
import {createHash, randomBytes, sign, type KeyObject} from 'node:crypto'

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length])
  const bytes: number[] = []
  for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

function tlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(value.length), value])
}

const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items))
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items))
const explicit = (n: number, value: Buffer) => tlv(0xa0 + n, value)
const nullValue = () => Buffer.from([0x05, 0x00])
const boolean = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0x00]))
const octetString = (v: Buffer) => tlv(0x04, v)
const bitString = (v: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), v]))
const utf8String = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'))

function integer(value: Buffer): Buffer {
  let v = value
  while (v.length > 1 && v[0] === 0 && (v[1] & 0x80) === 0) v = v.subarray(1)
  if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v])
  return tlv(0x02, v)
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number)
  const bytes: number[] = [parts[0] * 40 + parts[1]]
  for (const part of parts.slice(2)) {
    const chunk: number[] = []
    let n = part
    do {
      chunk.unshift(n & 0x7f)
      n = Math.floor(n / 128)
    } while (n > 0)
    for (let i = 0; i < chunk.length - 1; i++) chunk[i] |= 0x80
    bytes.push(...chunk)
  }

  return tlv(0x06, Buffer.from(bytes))
}

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'
  // RFC 5280: UTCTime until 2049, GeneralizedTime after.
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii')) : tlv(0x18, Buffer.from(iso, 'ascii'))
}

function name(commonName: string, organization: string): Buffer {
  return sequence(
    set(sequence(oid('2.5.4.10'), utf8String(organization))),
    set(sequence(oid('2.5.4.3'), utf8String(commonName))),
  )
}

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), nullValue())

export interface CertificateRequest {
  subjectCommonName: string
  issuerCommonName: string
  organization: string
  subjectPublicKey: KeyObject
  issuerPrivateKey: KeyObject
  notBefore: Date
  notAfter: Date
  isCa: boolean
}

/** Builds and signs one certificate; returns its DER bytes. */
export function buildCertificate(request: CertificateRequest): Buffer {
  const spki = request.subjectPublicKey.export({type: 'spki', format: 'der'})
  const keyId = createHash('sha1').update(spki).digest()
  const keyUsage = request.isCa ? Buffer.from([0x01, 0x06]) : Buffer.from([0x07, 0x80]) // keyCertSign|cRLSign : digitalSignature
  const extensions = [
    sequence(oid('2.5.29.19'), boolean(true), octetString(sequence(...(request.isCa ? [boolean(true)] : [])))),
    sequence(oid('2.5.29.15'), boolean(true), octetString(tlv(0x03, keyUsage))),
    sequence(oid('2.5.29.14'), octetString(octetString(keyId))),
  ]
  const serial = randomBytes(16)
  serial[0] &= 0x7f
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    SHA256_WITH_RSA,
    name(request.issuerCommonName, request.organization),
    sequence(time(request.notBefore), time(request.notAfter)),
    name(request.subjectCommonName, request.organization),
    spki,
    explicit(3, sequence(...extensions)),
  )
  const signature = sign('sha256', tbs, request.issuerPrivateKey)
  return sequence(tbs, SHA256_WITH_RSA, bitString(signature))
}

export interface SigningIdentity {
  signingKeyPem: string
  signingCertDer: Buffer
  caCertDer: Buffer
}

/**
 * The tenant signing identity: a root CA and a signing leaf it issued, RSA-2048 each, like the
 * two-level layout of real packages (leaf in `cert`, issuers in `chain`).
 */
export async function createSigningIdentity(orgId: string, now: Date): Promise<SigningIdentity> {
  const {generateKeyPair} = await import('node:crypto')
  const generate = () =>
    new Promise<{publicKey: KeyObject; privateKey: KeyObject}>((resolve, reject) => {
      generateKeyPair('rsa', {modulusLength: 2048}, (err, publicKey, privateKey) => (err ? reject(err) : resolve({publicKey, privateKey})))
    })
  const [ca, leaf] = await Promise.all([generate(), generate()])
  const organization = `atpctl tenant ${orgId}`
  const year = 365 * 86_400_000
  const caCertDer = buildCertificate({
    subjectCommonName: 'atpctl Tenant Root CA',
    issuerCommonName: 'atpctl Tenant Root CA',
    organization,
    subjectPublicKey: ca.publicKey,
    issuerPrivateKey: ca.privateKey,
    notBefore: now,
    notAfter: new Date(now.getTime() + 10 * year),
    isCa: true,
  })
  const signingCertDer = buildCertificate({
    subjectCommonName: 'atpctl Package Signing',
    issuerCommonName: 'atpctl Tenant Root CA',
    organization,
    subjectPublicKey: leaf.publicKey,
    issuerPrivateKey: ca.privateKey,
    notBefore: now,
    notAfter: new Date(now.getTime() + 2 * year),
    isCa: false,
  })
  return {signingKeyPem: leaf.privateKey.export({type: 'pkcs8', format: 'pem'}).toString(), signingCertDer, caCertDer}
}

