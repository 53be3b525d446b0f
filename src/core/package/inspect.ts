/**
 * Inspecting an onboarding/offboarding package: a zip as downloaded from the portal (or made by
 * `package generate`), or one loose carrier file. Reads the zip's central directory, checks
 * every entry's size and CRC by streaming (never buffering the archive), parses the envelope
 * out of each carrier, verifies both signatures and the certificate chain, and says who signed
 * it, for which org, and until when (offboarding).
 */
import {createHash} from 'node:crypto'
import {basename} from 'node:path'
import {openZipReader, type ZipEntry, ZipFormatError} from '../../lib/zip-reader.js'
import {InvalidInputError} from '../errors.js'
import {type CarrierKind, findEnvelope, OFFBOARDING_VALUE} from './carriers.js'
import {statPackageFile} from './input.js'
import {carrierLayouts, compareWithLayouts, deviates, describeLines, helperLayouts, isDeployableFile, isHelperFile, type StructureCheck, type StructureValues} from './structure.js'
import {type Envelope, MICROSOFT_ROOT_SHA256, parseBody, parseEnvelope, type ParsedBody, verifyEnvelope} from './envelope.js'
import type {PackageKind, PackageMethod} from './layout.js'
import type {TrustedRoot} from './trust.js'
import {archiveLimitViolation, DEFAULT_PACKAGE_LIMITS, type PackageLimits} from './limits.js'

export type SignerKind = 'tenant' | 'microsoft' | 'unknown'
export type OsFamily = 'windows' | 'linux' | 'macos'

export interface PackageProblem {
  code: 'PACKAGE_EXPIRED' | 'PACKAGE_EXPIRING' | 'PACKAGE_TAMPERED' | 'PACKAGE_WRONG_KIND' | 'PACKAGE_OTHER_TENANT'
  message: string
}

export interface PackageInspection {
  file: string
  fileName: string
  sha256: string
  container: 'zip' | 'file'
  /** Zip entries (0 for a loose file). */
  entryCount: number
  kind: PackageKind
  os: OsFamily | null
  /** Best guess of the deployment method; several methods share one layout (see methodCandidates). */
  method: PackageMethod | null
  methodCandidates: PackageMethod[]
  carriers: {path: string; carrier: CarrierKind}[]
  /** The "Streamlined"/Gateway connectivity variant (REFERENCE §1.1, §1.3). */
  streamlined: boolean
  orgId: string
  /** Offboarding: the orgIds array; onboarding: previousOrgIds. */
  orgIds: string[]
  datacenter: string | null
  geo: string | null
  geoLocationUrl: string | null
  version: string
  expiresAt: string | null
  daysLeft: number | null
  signatures: {sha1Valid: boolean; sha256Valid: boolean; sha256PssValid: boolean | null; chainValid: boolean}
  signer: {
    kind: SignerKind
    /** Microsoft: through the built-in Microsoft root, or a root an administrator added (--trust-root); null otherwise. */
    trustedBy: 'microsoft-root' | 'added-root' | null
    subject: string
    rootSubject: string
    rootSha256: string
    leafSha256: string
    leafNotAfter: string
  }
  /** Null when no tenant was given (no profile tenant). */
  belongsToTenant: boolean | null
  /** The decoded body, as in the package. */
  body: Record<string, unknown>
  /** Every carrier and helper file compared with its layout (item 5 of issue 15). */
  structure: StructureCheck[]
  problems: PackageProblem[]
  usable: boolean
}

export interface InspectOptions {
  tenant?: {orgId: string; certificateSha256: string} | null
  now?: Date
  /** Adds a PACKAGE_EXPIRING problem when an offboarding package expires within this many ms. */
  failIfExpiresWithinMs?: number
  /**
   * Roots trusted as Microsoft's besides the built-in Microsoft Root Certificate Authority 2011:
   * a private or national cloud's, added by an administrator (`--trust-root`; trust.ts).
   */
  trustedRoots?: readonly Pick<TrustedRoot, 'sha256'>[]
  /** Zip-bomb limits, the same as extraction's (DEFAULT_PACKAGE_LIMITS). */
  limits?: PackageLimits
}

const DAY = 86_400_000

/** Whole days left, counting a started day (7-day package → 7); negative once expired. */
export const daysLeft = (msLeft: number | null): number | null => (msLeft === null ? null : msLeft > 0 ? Math.ceil(msLeft / DAY) : Math.floor(msLeft / DAY))
/** Loose carriers and carrier entries are small; anything bigger is not a package file. */
const MAX_CARRIER_BYTES = 8 * 1024 * 1024

function malformed(message: string, suggestion?: string): InvalidInputError {
  return new InvalidInputError(message, {
    code: 'PACKAGE_MALFORMED',
    suggestions: [suggestion ?? 'Check that this is an onboarding/offboarding package (.zip, .cmd, .onboarding, .py, .plist, .xml, .json), or download it again.'],
  })
}

/** Beyond the shared zip-bomb limits: refused before any entry is inflated (exit 7). */
function unsafe(reason: string): InvalidInputError {
  return new InvalidInputError(`The package zip is not safe to read: ${reason}.`, {
    code: 'PACKAGE_UNSAFE',
    suggestions: ['Do not use this file: real packages are a few small files. Download the package again from the portal.'],
  })
}

function corrupt(error: ZipFormatError): InvalidInputError {
  if (error.reason === 'too-large') return unsafe(error.message)
  const tampered = error.reason === 'crc'
  return new InvalidInputError(`The package zip is ${tampered ? 'corrupted or tampered' : 'not usable'}: ${error.message}.`, {
    code: tampered ? 'PACKAGE_TAMPERED' : 'PACKAGE_MALFORMED',
    suggestions: ['Download the package again from the portal, or regenerate it with `atpctl package generate`.'],
  })
}

/** SHA-256 of the file through one reused buffer (no per-chunk garbage on big files). */
async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  const {open} = await import('node:fs/promises')
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024)
    for (let pos = 0; ; ) {
      const {bytesRead} = await fh.read(buf, 0, buf.length, pos)
      if (bytesRead === 0) break
      hash.update(buf.subarray(0, bytesRead))
      pos += bytesRead
    }
  } finally {
    await fh.close()
  }

  return hash.digest('hex')
}

const normalise = (name: string) => name.replace(/\\/g, '/')

/** Carrier text: UTF-8 (BOM dropped) or, when a BOM says so, UTF-16 as Windows tools write it. */
export function decodeText(data: Buffer): string {
  if (data[0] === 0xff && data[1] === 0xfe) return data.subarray(2).toString('utf16le')
  if (data[0] === 0xfe && data[1] === 0xff) return Buffer.from(data.subarray(2)).swap16().toString('utf16le')
  return data.toString('utf8').replace(/^\uFEFF/, '')
}

interface Found {
  path: string
  carrier: CarrierKind
  envelopeText: string
  text: string
}

/** A file of the zip that is not a carrier: its text when it is a helper small enough to be one. */
interface Other {
  path: string
  text: string | null
}

async function readCarriersFromZip(path: string, limits: PackageLimits): Promise<{found: Found[]; others: Other[]; names: string[]; entryCount: number}> {
  let reader
  try {
    reader = await openZipReader(path, {maxEntries: limits.maxEntries})
  } catch (error) {
    if (error instanceof ZipFormatError) throw corrupt(error)
    throw error
  }

  try {
    const violation = archiveLimitViolation(reader.entries, limits)
    if (violation) throw unsafe(violation)
    const found: Found[] = []
    const others: Other[] = []
    const names = reader.entries.map((e) => normalise(e.name))
    // Entries in file order: one sequential pass over the data.
    const ordered = [...reader.entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset)
    for (const entry of ordered) {
      if (entry.isDirectory) {
        if (entry.uncompressedSize !== 0) throw malformed(`The package zip has a directory entry with data ('${entry.name}').`)
        continue
      }

      const name = normalise(entry.name)
      const small = !entry.isSymlink && entry.uncompressedSize <= MAX_CARRIER_BYTES
      if (small && (isCandidate(entry) || isHelperFile(name))) {
        const text = decodeText(await reader.readEntry(entry, MAX_CARRIER_BYTES))
        const match = findEnvelope(name, text)
        if (match) found.push({path: name, text, ...match})
        else others.push({path: name, text: isHelperFile(name) ? text : null})
      } else {
        await reader.streamEntry(entry)
        others.push({path: name, text: null})
      }
    }

    return {found, others, names, entryCount: reader.entries.length}
  } catch (error) {
    if (error instanceof ZipFormatError) throw corrupt(error)
    throw error
  } finally {
    await reader.close()
  }
}

function isCandidate(entry: ZipEntry): boolean {
  return !entry.isSymlink && entry.uncompressedSize <= MAX_CARRIER_BYTES && /\.(cmd|bat|py|sh|json|plist|xml|mobileconfig|onboarding|offboarding)$/i.test(entry.name)
}

function detectLayout(found: Found[], names: string[], zipName: string): {os: OsFamily | null; methods: PackageMethod[]} {
  const carriers = new Set(found.map((f) => f.carrier))
  const lower = names.map((n) => n.toLowerCase())
  if (carriers.has('macos-plist') || carriers.has('macos-mobileconfig')) {
    const jamf = lower.some((n) => n.startsWith('jamf/'))
    const intune = lower.some((n) => n.startsWith('intune/'))
    return {os: 'macos', methods: intune && !jamf ? ['intune'] : jamf && !intune ? ['mdm'] : ['mdm', 'intune']}
  }

  if (carriers.has('macos-python')) return {os: 'macos', methods: ['local-script']}
  if (carriers.has('linux-python') || carriers.has('gateway-bash') || carriers.has('mdatp-json')) return {os: 'linux', methods: ['local-script']}
  if (carriers.has('windows-cmd')) {
    if (lower.some((n) => n.endsWith('onboard-nonpersistentmachine.ps1'))) return {os: 'windows', methods: ['vdi']}
    if (lower.some((n) => n.startsWith('optionalparamspolicy/'))) return {os: 'windows', methods: ['group-policy']}
    const cmd = found.find((f) => f.carrier === 'windows-cmd')!
    // One offboarding script serves GP, SCCM, local and VDI deployments alike (REFERENCE §1.1).
    if (cmd.text.includes(`/v ${OFFBOARDING_VALUE} /t REG_SZ`)) return {os: 'windows', methods: ['group-policy', 'local-script', 'configmgr', 'vdi']}
    if (/Press \(Y\) to confirm/i.test(cmd.text) || /localonboardingscript/i.test(cmd.path)) return {os: 'windows', methods: ['local-script']}
    return {os: 'windows', methods: ['group-policy', 'configmgr']}
  }

  if (carriers.has('windows-blob')) return {os: 'windows', methods: /configmgr/i.test(zipName) ? ['configmgr', 'intune', 'mdm'] : ['intune', 'mdm', 'configmgr']}
  return {os: null, methods: []}
}

/**
 * Inspects a package file. Throws InvalidInputError (exit 7) when it cannot be read as a
 * package at all (not found → NotFoundError); everything else (expired, expiring, tampered)
 * comes back in `problems` so callers can show the full report before failing.
 */
export async function inspectPackage(filePath: string, options: InspectOptions = {}): Promise<PackageInspection> {
  const now = options.now ?? new Date()
  const info = await statPackageFile(filePath)
  const head = Buffer.alloc(4)
  {
    const {open} = await import('node:fs/promises')
    const fh = await open(filePath, 'r')
    try {
      await fh.read(head, 0, 4, 0)
    } finally {
      await fh.close()
    }
  }

  const isZip = head.readUInt32LE(0) === 0x04034b50 || head.readUInt32LE(0) === 0x06054b50 || /\.zip$/i.test(filePath)
  const fileName = basename(filePath)
  let found: Found[]
  let others: Other[] = []
  let names: string[] = []
  let entryCount = 0
  if (isZip) {
    ;({found, others, names, entryCount} = await readCarriersFromZip(filePath, options.limits ?? DEFAULT_PACKAGE_LIMITS))
    if (found.length === 0) throw malformed(`The zip '${fileName}' contains no onboarding or offboarding information (${entryCount} entries, none a known carrier).`)
  } else {
    if (info.size > MAX_CARRIER_BYTES) throw malformed(`'${fileName}' is ${info.size} bytes: too large to be a package file.`)
    const {readFile} = await import('node:fs/promises')
    const text = decodeText(await readFile(filePath))
    const match = findEnvelope(fileName, text)
    if (!match) {
      if (/"workspaceKey"/.test(text)) {
        throw malformed(`'${fileName}' is a down-level workspace file (Workspace ID and key), not a signed package.`, 'Use it for down-level onboarding; inspect applies to onboarding/offboarding packages.')
      }

      throw malformed(`'${fileName}' does not contain onboarding or offboarding information.`)
    }

    found = [{path: fileName, text, ...match}]
    names = [fileName]
  }

  const envelopes: Envelope[] = found.map((f) => {
    try {
      return parseEnvelope(f.envelopeText)
    } catch (error) {
      throw malformed(`${(error as Error).message.replace(/\.$/, '')} (in '${f.path}').`)
    }
  })
  const first = envelopes[0]
  const disagree = envelopes.findIndex((e) => e.body !== first.body || e.sig !== first.sig || e.sha256sig !== first.sha256sig || e.cert !== first.cert)
  if (disagree > 0) throw malformed(`The carriers in the package disagree: '${found[0].path}' and '${found[disagree].path}' hold different blobs.`)
  const parsed: ParsedBody = parseBody(first.body)
  const check = verifyEnvelope(first)
  const {os, methods} = detectLayout(found, names, fileName)
  const body = JSON.parse(first.body) as Record<string, unknown>
  const tenant = options.tenant ?? null
  const trustedBy = !check.chainValid
    ? null
    : check.rootSha256 === MICROSOFT_ROOT_SHA256
      ? 'microsoft-root'
      : (options.trustedRoots ?? []).some((r) => r.sha256.toLowerCase() === check.rootSha256)
        ? 'added-root'
        : null
  const chainRootIsMicrosoft = trustedBy !== null
  const signerKind: SignerKind = chainRootIsMicrosoft ? 'microsoft' : tenant && check.chainValid && check.leafSha256 === tenant.certificateSha256 ? 'tenant' : 'unknown'
  const orgIds = parsed.kind === 'offboarding' ? parsed.body.orgIds : ((body.previousOrgIds as string[] | undefined) ?? [])
  const orgId = parsed.body.orgId.toLowerCase()
  const belongsToTenant = tenant ? orgId === tenant.orgId.toLowerCase() && (parsed.kind === 'onboarding' || orgIds.map((o) => o.toLowerCase()).includes(orgId)) : null
  const expiresAt = parsed.kind === 'offboarding' ? parsed.expiresAt : null
  const msLeft = expiresAt ? expiresAt.getTime() - now.getTime() : null
  const problems: PackageProblem[] = []
  const structure = checkStructure(found, others, {orgId: parsed.body.orgId, kind: parsed.kind, expiresAt: parsed.kind === 'offboarding' ? parsed.expiresAt : null})
  for (const s of structure.filter(deviates)) problems.push({code: 'PACKAGE_TAMPERED', message: structureMessage(s)})
  if (!check.sha1Valid || !check.sha256Valid || check.sha256PssValid === false) {
    const which = [!check.sha1Valid && 'sig (SHA-1)', !check.sha256Valid && 'sha256sig (SHA-256)', check.sha256PssValid === false && 'sha256sigPss'].filter(Boolean)
    problems.push({code: 'PACKAGE_TAMPERED', message: `The signature ${which.join(' and ')} does not match the body: the package was altered after signing.`})
  }

  if (!check.chainValid) problems.push({code: 'PACKAGE_TAMPERED', message: 'The embedded certificate does not chain to the root in the package: the certificates were altered.'})
  if (expiresAt && msLeft !== null && msLeft <= 0) {
    problems.push({code: 'PACKAGE_EXPIRED', message: `The offboarding package expired on ${expiresAt.toISOString()} (expired packages are refused).`})
  } else if (expiresAt && msLeft !== null && options.failIfExpiresWithinMs !== undefined && msLeft <= options.failIfExpiresWithinMs) {
    problems.push({code: 'PACKAGE_EXPIRING', message: `The offboarding package expires on ${expiresAt.toISOString()}, within the requested ${Math.round(options.failIfExpiresWithinMs / DAY)} day(s).`})
  }

  return {
    file: filePath,
    fileName,
    sha256: await sha256File(filePath),
    container: isZip ? 'zip' : 'file',
    entryCount,
    kind: parsed.kind,
    os,
    method: methods[0] ?? null,
    methodCandidates: methods,
    carriers: found.map((f) => ({path: f.path, carrier: f.carrier})),
    streamlined: 'partnerGeoLocation' in body || 'vortexServerUrl' in body || /^gateway/i.test(fileName),
    orgId,
    orgIds,
    datacenter: typeof body.datacenter === 'string' ? body.datacenter : null,
    geo: typeof body.vortexGeoLocation === 'string' ? body.vortexGeoLocation : null,
    geoLocationUrl: typeof body.geoLocationUrl === 'string' ? body.geoLocationUrl : null,
    version: parsed.body.version,
    expiresAt: expiresAt ? expiresAt.toISOString() : null,
    daysLeft: daysLeft(msLeft),
    signatures: {sha1Valid: check.sha1Valid, sha256Valid: check.sha256Valid, sha256PssValid: check.sha256PssValid, chainValid: check.chainValid},
    signer: {
      kind: signerKind,
      trustedBy: signerKind === 'microsoft' ? trustedBy : null,
      subject: check.leafSubject,
      rootSubject: check.rootSubject,
      rootSha256: check.rootSha256,
      leafSha256: check.leafSha256,
      leafNotAfter: check.leafNotAfter,
    },
    belongsToTenant,
    body,
    structure,
    problems,
    usable: problems.length === 0,
  }
}

/**
 * Item 5 of issue 15: the carriers (and helper files) against the layouts they can have. The
 * helpers follow the carriers' layout: in a package whose carriers are atpctl's, the helpers must
 * be atpctl's too; in a Microsoft one, those whose Microsoft text is known (kext.xml) are checked
 * and the others (ADMX/ADML, the VDI script) are reported as not checked (layout null).
 * A deployable file that is neither a carrier nor a helper is not part of any layout.
 */
function checkStructure(found: Found[], others: Other[], values: Omit<StructureValues, 'envelope'>): StructureCheck[] {
  const carriers = found.map((f) => compareWithLayouts(f.path, f.text, carrierLayouts(f.carrier, {...values, envelope: f.envelopeText})))
  const family = carriers.every((c) => c.layout === 'atpctl') ? 'atpctl' : 'microsoft'
  const envelope = found[0].envelopeText
  const helpers: StructureCheck[] = []
  for (const other of others) {
    const layouts = helperLayouts(other.path, {...values, envelope})
    if (layouts) {
      const own = layouts.filter((l) => l.family === family)
      if (own.length === 0) helpers.push({path: other.path, layout: null, unexpectedLines: [], missingLines: 0})
      else if (other.text === null) helpers.push({path: other.path, layout: family, unexpectedLines: [1], missingLines: 0})
      else helpers.push(compareWithLayouts(other.path, other.text, own))
    } else if (isDeployableFile(other.path)) {
      helpers.push({path: other.path, layout: null, unexpectedLines: [1], missingLines: 0})
    }
  }

  return [...carriers, ...helpers]
}

function structureMessage(s: StructureCheck): string {
  if (s.layout === null) return `'${s.path}' is not part of any package layout: real packages hold no such file.`
  const parts = [
    s.unexpectedLines.length > 0 ? `${describeLines(s.unexpectedLines)} ${s.unexpectedLines.length === 1 ? 'is' : 'are'} not part of it` : '',
    s.missingLines > 0 ? `${s.missingLines} of its line(s) are missing` : '',
  ].filter(Boolean)
  return `'${s.path}' does not have the structure of a real package file (${s.layout === 'atpctl' ? 'atpctl' : 'portal'} layout): ${parts.join(', and ')}. Only the blob is signed, so the signatures do not cover this change.`
}

export interface UsableOptions {
  /** The kind the caller needs (policy create: the policy's type). */
  kind?: PackageKind
  /** Refuse packages of another org (belongsToTenant must be true). */
  requireTenant?: boolean
  /** Refuse packages not signed by the tenant or Microsoft. */
  requireKnownSigner?: boolean
}

/**
 * Throws InvalidInputError (exit 7) naming every reason when the inspection has problems or
 * does not meet the caller's needs; returns the inspection otherwise.
 */
export function assertUsable(inspection: PackageInspection, options: UsableOptions = {}): PackageInspection {
  const problems = [...inspection.problems]
  if (options.kind && inspection.kind !== options.kind) {
    problems.push({code: 'PACKAGE_WRONG_KIND', message: `It is an ${inspection.kind} package, but an ${options.kind} package is needed.`})
  }

  if (options.requireTenant && inspection.belongsToTenant !== true) {
    problems.push({code: 'PACKAGE_OTHER_TENANT', message: `It belongs to org ${inspection.orgId}, not to this profile's tenant.`})
  }

  if (options.requireKnownSigner && inspection.signer.kind === 'unknown') {
    problems.push({code: 'PACKAGE_TAMPERED', message: `It is signed by an unknown issuer (${inspection.signer.rootSubject}), neither this tenant nor Microsoft.`})
  }

  if (problems.length === 0) return inspection
  throw new InvalidInputError(`Package '${inspection.fileName}' cannot be used: ${problems.map((p) => p.message).join(' ')}`, {
    code: problems[0].code,
    suggestions: [suggestionFor(problems[0].code, inspection)],
    details: {problems},
  })
}

function suggestionFor(code: PackageProblem['code'], inspection: PackageInspection): string {
  switch (code) {
    case 'PACKAGE_EXPIRED':
    case 'PACKAGE_EXPIRING':
      return `Generate a fresh one: atpctl package generate offboarding --os ${inspection.os ?? 'windows'} --method ${inspection.method ?? 'local-script'}`
    case 'PACKAGE_WRONG_KIND':
      return 'Pass a package of the right kind (onboarding for onboarding policies, offboarding for offboarding ones).'
    case 'PACKAGE_OTHER_TENANT':
      return 'Use a package generated for this profile (atpctl package generate ...), or switch profile with --profile.'
    default:
      return 'Do not deploy it. Download the package again from the portal, or regenerate it with `atpctl package generate`.'
  }
}
