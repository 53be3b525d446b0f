/**
 * The stub's TLS identity: a throw-away CA and a server certificate it issues for `localhost`
 * and `127.0.0.1` (ECDSA P-256, SHA-256), made once per process with Node's crypto and a few
 * lines of DER. Clients trust the CA through a CA file (`--ca-file`, `NODE_EXTRA_CA_CERTS`),
 * never by turning verification off.
 */
import {createHash, generateKeyPairSync, type KeyObject, randomBytes, sign} from 'node:crypto'

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

const tlv = (tag: number, value: Buffer) => Buffer.concat([Buffer.from([tag]), len(value.length), value])
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items))
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items))
const octets = (v: Buffer) => tlv(0x04, v)
const bits = (v: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), v]))
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]))
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'))

function int(value: Buffer): Buffer {
  let v = value
  while (v.length > 1 && v[0] === 0 && (v[1] & 0x80) === 0) v = v.subarray(1)
  if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v])
  return tlv(0x02, v)
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number)
  const bytes = [parts[0] * 40 + parts[1]]
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

const utcTime = (d: Date) => tlv(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z', 'ascii'))
const name = (cn: string) => seq(set(seq(oid('2.5.4.10'), utf8('atpctl test stub'))), set(seq(oid('2.5.4.3'), utf8(cn))))
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'))
const ext = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value))

function certificate(subject: string, issuer: string, publicKey: KeyObject, issuerKey: KeyObject, issuerKeyId: Buffer, isCa: boolean): Buffer {
  const spki = publicKey.export({type: 'spki', format: 'der'})
  const keyId = createHash('sha1').update(spki).digest()
  const now = Date.now()
  const extensions = [
    ext('2.5.29.19', true, seq(...(isCa ? [bool(true)] : []))),
    ext('2.5.29.15', true, tlv(0x03, isCa ? Buffer.from([0x01, 0x06]) : Buffer.from([0x07, 0x80]))),
    ext('2.5.29.14', false, octets(keyId)),
    ext('2.5.29.35', false, seq(tlv(0x80, issuerKeyId))),
    ...(isCa
      ? []
      : [
          ext('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))),
          ext('2.5.29.17', false, seq(tlv(0x82, Buffer.from('localhost', 'ascii')), tlv(0x87, Buffer.from([127, 0, 0, 1])))),
        ]),
  ]
  const serial = randomBytes(16)
  serial[0] &= 0x7f
  const tbs = seq(
    tlv(0xa0, int(Buffer.from([2]))),
    int(serial),
    ECDSA_SHA256,
    name(issuer),
    seq(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 30 * 86_400_000))),
    name(subject),
    spki,
    tlv(0xa3, seq(...extensions)),
  )
  return seq(tbs, ECDSA_SHA256, bits(sign('sha256', tbs, issuerKey)))
}

const pem = (label: string, der: Buffer) => `-----BEGIN ${label}-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`

export interface StubTls {
  caPem: string
  certPem: string
  keyPem: string
}

let cached: StubTls | undefined

export function stubTls(): StubTls {
  if (cached) return cached
  const ca = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  const leaf = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  const caKeyId = createHash('sha1').update(ca.publicKey.export({type: 'spki', format: 'der'})).digest()
  const caDer = certificate('atpctl stub CA', 'atpctl stub CA', ca.publicKey, ca.privateKey, caKeyId, true)
  const leafDer = certificate('localhost', 'atpctl stub CA', leaf.publicKey, ca.privateKey, caKeyId, false)
  cached = {caPem: pem('CERTIFICATE', caDer), certPem: pem('CERTIFICATE', leafDer), keyPem: leaf.privateKey.export({type: 'pkcs8', format: 'pem'}).toString()}
  return cached
}
