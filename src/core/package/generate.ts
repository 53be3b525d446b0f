/**
 * `package generate`: builds an onboarding/offboarding package for the profile's tenant with
 * the structure of the real ones (REFERENCE §1.1–§1.6), signs it with the tenant identity,
 * writes it atomically owner-only (T2) and records it in the tenant.
 */
import {createHash} from 'node:crypto'
import {basename, join, resolve} from 'node:path'
import type {Backend} from '../port/types.js'
import {buildZip, writeFileAtomic, type ZipFile} from '../../lib/zip-writer.js'
import {requireCapability} from '../capabilities.js'
import {UsageError} from '../errors.js'
import {NAME_RULES, requireName} from '../names.js'
import type {Tenant, TenantSecrets} from '../tenant/model.js'
import {requireOwnTenant} from '../tenant/service.js'
import {
  dateToFiletime,
  type OnboardingBody,
  serializeEnvelope,
  serializeOffboardingBody,
  serializeOnboardingBody,
  signEnvelope,
} from './envelope.js'
import {tenantPackageContent, tenantPackageLayout} from './tenant-package.js'
import {checkPair, type PackageKind, type PackageMethod, type PackageOs, validUntil, zipName} from './layout.js'
import {
  adml,
  admx,
  linuxPython,
  macosKextProfile,
  macosMobileconfig,
  macosPlist,
  macosPython,
  seededUuid,
  packageSeed,
  kextSeed,
  vdiHelperPs1,
  windowsOffboardingCmd,
  windowsOnboardingCmd,
} from './templates.js'

export const ONBOARDING_BLOB_VERSION = '1.45'
export const OFFBOARDING_BLOB_VERSION = '1.65'
/** CM7 and the seeds: 30 days; newer portal docs say 7 (REFERENCE §1.1), hence the option. */
export const DEFAULT_VALID_DAYS = 30
const DAY = 86_400_000

export interface GenerateOptions {
  kind: PackageKind
  os: PackageOs
  method: PackageMethod
  /**
   * A real tenant: the Defender for Cloud subscription whose onboarding package to download
   * (capability `subscription-packages`); refused where there are no subscriptions.
   */
  subscription?: string
  /** Output file; default: the real package name in `directory`. */
  out?: string
  directory: string
  validDays?: number
  /** The "Streamlined"/Gateway connectivity variant (onboarding only). */
  streamlined?: boolean
  now?: Date
}

export interface GeneratedPackage {
  /** The record in the tenant (`package list`); null for a real tenant's package, which atpctl does not record. */
  id: string | null
  kind: PackageKind
  os: PackageOs
  method: PackageMethod
  file: string
  fileName: string
  sha256: string
  bytes: number
  orgId: string
  createdAt: string
  expiresAt: string | null
  /** Entry names inside the zip (empty for a single file). */
  entries: string[]
  /** A real tenant's package: the subscription it was downloaded from, exactly as Microsoft sent it. */
  subscriptionId?: string
}

/** What a package contains, before it is written: the pure part, used by tests and the bench. */
export interface PackageContent {
  fileName: string
  /** Zip entries, or one file written as is (down-level). */
  files: ZipFile[]
  zip: boolean
  expiresAt: Date | null
}

/** Gateway URLs of our self-hosted tenant (the real ones are Microsoft's; see REFERENCE §1.7). */
function gatewayFields(tenant: Tenant, streamlined: boolean): Pick<OnboardingBody, 'geoLocationUrl' | 'vortexServerUrl' | 'vortexTicketUrl' | 'partnerGeoLocation'> {
  const dc = tenant.datacenter.toLowerCase()
  const geo = tenant.vortexGeoLocation.toLowerCase()
  if (!streamlined) return {geoLocationUrl: `https://gw-${dc}.atpctl.example/`}
  return {
    geoLocationUrl: `https://edr-${dc}.${geo}.endpoint.atpctl.example/edr/`,
    vortexServerUrl: `https://${geo}-v20.events.endpoint.atpctl.example/OneCollector/1.0`,
    vortexTicketUrl: 'https://events.atpctl.example',
    partnerGeoLocation: `GW_${tenant.vortexGeoLocation}`,
  }
}

/** Builds the files of a package (no I/O). */
export function buildPackageContent(
  tenant: Tenant,
  secrets: TenantSecrets,
  options: {kind: PackageKind; os: PackageOs; method: PackageMethod; validDays?: number; streamlined?: boolean; now: Date},
): PackageContent {
  const {kind, os, method, now} = options
  checkPair(kind, os, method)
  const validDays = options.validDays ?? DEFAULT_VALID_DAYS
  if (!Number.isInteger(validDays) || validDays < 1 || validDays > 30) {
    throw new UsageError(`--valid-days must be a whole number from 1 to 30 (got ${validDays}).`, {suggestions: ['Offboarding packages are valid for 30 days at most; pass e.g. --valid-days 7.']})
  }

  if (options.streamlined && kind !== 'onboarding') throw new UsageError('--streamlined applies to onboarding packages only.')
  if (os === 'down-level') {
    const text = JSON.stringify(
      {
        workspaceId: tenant.workspaceId,
        workspaceKey: secrets.workspaceKey,
        orgId: tenant.orgId,
        mmaSetupArguments: `NOAPM=1 ADD_OPINSIGHTS_WORKSPACE=1 OPINSIGHTS_WORKSPACE_AZURE_CLOUD_TYPE=0 OPINSIGHTS_WORKSPACE_ID="${tenant.workspaceId}" OPINSIGHTS_WORKSPACE_KEY="${secrets.workspaceKey}" AcceptEndUserLicenseAgreement=1`,
      },
      null,
      2,
    )
    return {fileName: zipName(kind, os, null), files: [{name: zipName(kind, os, null), data: Buffer.from(text + '\n')}], zip: false, expiresAt: null}
  }

  const seed = packageSeed(tenant.orgId, kind, os, method)
  const identity = {signingKeyPem: secrets.signingKeyPem, signingCertDer: secrets.signingCertDer, chain: [secrets.caCertDer]}
  let body: string
  let expiresAt: Date | null = null
  if (kind === 'onboarding') {
    body = serializeOnboardingBody({
      previousOrgIds: [],
      orgId: tenant.orgId,
      ...gatewayFields(tenant, options.streamlined ?? false),
      datacenter: tenant.datacenter,
      vortexGeoLocation: tenant.vortexGeoLocation,
      version: ONBOARDING_BLOB_VERSION,
      ...(os === 'linux' ? {deviceType: 'Server', packageGuid: seededUuid(seed).toLowerCase()} : options.streamlined ? {packageGuid: seededUuid(seed).toLowerCase()} : {}),
    })
  } else {
    expiresAt = new Date(now.getTime() + validDays * DAY)
    body = serializeOffboardingBody({orgIds: [tenant.orgId], orgId: tenant.orgId, expirationTimestamp: dateToFiletime(expiresAt), version: OFFBOARDING_BLOB_VERSION})
  }

  const envelope = serializeEnvelope(signEnvelope(body, identity))
  const files = carrierFiles(kind, os, method, envelope, tenant.orgId, expiresAt, seed)
  const name = zipName(kind, os, expiresAt)
  return {fileName: options.streamlined ? `Gateway${name}` : name, files, zip: true, expiresAt}
}

function carrierFiles(kind: PackageKind, os: PackageOs, method: PackageMethod, envelope: string, orgId: string, expiresAt: Date | null, seed: string): ZipFile[] {
  const f = (name: string, text: string): ZipFile => ({name, data: Buffer.from(text, 'utf8')})
  const until = expiresAt ? validUntil(expiresAt) : ''
  if (os === 'linux') {
    const name = kind === 'onboarding' ? 'MicrosoftDefenderATPOnboardingLinuxServer.py' : `MicrosoftDefenderATPOffboardingLinuxServer${until}.py`
    return [f(name, linuxPython(envelope, kind, expiresAt))]
  }

  if (os === 'macos') {
    if (method === 'local-script') return [f('MicrosoftDefenderATPOnboardingMacOs.py', macosPython(envelope, orgId))]
    // Real macOS MDM zips use backslash separators (REFERENCE §1.1).
    if (kind === 'onboarding') {
      return [
        f('intune\\kext.xml', macosKextProfile(kextSeed(seed))),
        f('intune\\WindowsDefenderATPOnboarding.xml', macosMobileconfig(envelope, orgId, kind, seed)),
        f('jamf\\WindowsDefenderATPOnboarding.plist', macosPlist(envelope, orgId, kind)),
      ]
    }

    return [
      f(`intune\\WindowsDefenderATPOffboarding${until}.xml`, macosMobileconfig(envelope, orgId, kind, seed)),
      f(`jamf\\WindowsDefenderATPOffboarding${until}.plist`, macosPlist(envelope, orgId, kind)),
    ]
  }

  // windows and windows-server: one file set (CM8).
  if (kind === 'offboarding') {
    if (method === 'configmgr' || method === 'intune' || method === 'mdm') return [f(`WindowsDefenderATP${until}.offboarding`, envelope)]
    return [f(`WindowsDefenderATPOffboardingScript${until}.cmd`, windowsOffboardingCmd(envelope, orgId))]
  }

  switch (method) {
    case 'local-script':
      return [f('WindowsDefenderATPLocalOnboardingScript.cmd', windowsOnboardingCmd(envelope, 'local-script'))]
    case 'group-policy':
      return [
        f('OptionalParamsPolicy/AtpConfiguration.adml', adml()),
        f('OptionalParamsPolicy/AtpConfiguration.admx', admx()),
        f('WindowsDefenderATPOnboardingScript.cmd', windowsOnboardingCmd(envelope, 'group-policy')),
      ]
    case 'vdi':
      return [
        f('Onboard-NonPersistentMachine.ps1', vdiHelperPs1('WindowsDefenderATPOnboardingScript.cmd')),
        f('WindowsDefenderATPOnboardingScript.cmd', windowsOnboardingCmd(envelope, 'group-policy')),
      ]
    default:
      return [f('WindowsDefenderATP.onboarding', envelope)]
  }
}

/** Writes a package owner-only, atomically (temp + rename): a partial file never appears (T2). */
async function writePackage(file: string, data: Buffer): Promise<void> {
  try {
    await writeFileAtomic(file, data, 0o600)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new UsageError(`Cannot write the package to '${file}' (${code ?? (error as Error).message}).`, {
      suggestions: ['Pass --out with a path in an existing directory you can write to.'],
    })
  }
}

/**
 * A real tenant's onboarding package (issue 13): the subscription's script exactly as Microsoft
 * sent it, in the portal's zip for that OS; other pairs and offboarding are refused (exit 4) by
 * `tenantPackageLayout` before anything is asked.
 */
async function downloadSubscriptionPackage(backend: Backend, options: GenerateOptions & {subscription: string}): Promise<{package: GeneratedPackage}> {
  requireCapability(backend, 'subscription-packages')
  if (options.validDays !== undefined) throw new UsageError('--valid-days applies to offboarding packages, which Microsoft hands out only in the portal.')
  if (options.streamlined) throw new UsageError("--streamlined does not apply to a subscription's package: Microsoft sends it as it is.")
  const layout = tenantPackageLayout(options.kind, options.os, options.method)
  const subscriptionId = requireName(options.subscription, NAME_RULES.subscription, ['Pass --subscription with a subscription id: atpctl integration show defender-for-cloud lists them.'])
  const {contentBase64} = await backend.packages.subscriptionScript({subscriptionId, script: layout.script})
  const content = tenantPackageContent(layout, Buffer.from(contentBase64, 'base64'))
  const file = resolve(options.out ?? join(options.directory, content.fileName))
  await writePackage(file, content.zip)
  return {
    package: {
      id: null,
      kind: options.kind,
      os: options.os,
      method: options.method,
      file,
      fileName: basename(file),
      sha256: createHash('sha256').update(content.zip).digest('hex'),
      bytes: content.zip.length,
      orgId: content.orgId ?? 'unknown',
      createdAt: (options.now ?? new Date()).toISOString(),
      expiresAt: null,
      entries: [layout.entryName],
      subscriptionId,
    },
  }
}

/** Generates, writes (temp + rename, 0600) and records a package; on a real tenant, downloads the subscription's. */
export async function generatePackage(backend: Backend, options: GenerateOptions & {profile: string}): Promise<{package: GeneratedPackage}> {
  if (options.subscription !== undefined) return downloadSubscriptionPackage(backend, {...options, subscription: options.subscription})
  if (!backend.capabilities.packages.supported && backend.capabilities['subscription-packages'].supported) {
    throw new UsageError("A real tenant's onboarding package comes from one of its Defender for Cloud subscriptions: pass --subscription.", {
      suggestions: [
        `atpctl package generate onboarding --os ${options.os} --method local-script --subscription SUBSCRIPTION_ID (atpctl integration show defender-for-cloud lists the subscriptions).`,
        backend.capabilities.packages.instead,
      ],
    })
  }

  const tenant = await requireOwnTenant(backend, options.profile, 'packages')
  const secrets = await backend.tenant.secrets()
  const now = options.now ?? new Date()
  const content = buildPackageContent(tenant, secrets, {...options, now})
  const data = content.zip ? buildZip(content.files) : content.files[0].data
  const file = resolve(options.out ?? join(options.directory, content.fileName))
  await writePackage(file, data)

  const sha256 = createHash('sha256').update(data).digest('hex')
  const record = await backend.packages.record({
    kind: options.kind,
    os: options.os,
    method: options.method,
    fileName: basename(file),
    path: file,
    sha256,
    bytes: data.length,
    createdAt: now.toISOString(),
    expiresAt: content.expiresAt ? content.expiresAt.toISOString() : null,
  })
  return {
    package: {
      id: record.id,
      kind: record.kind,
      os: record.os,
      method: record.method,
      file,
      fileName: record.fileName,
      sha256,
      bytes: data.length,
      orgId: record.orgId,
      createdAt: record.createdAt,
      expiresAt: record.expiresAt,
      entries: content.zip ? content.files.map((x) => x.name).sort() : [],
    },
  }
}
