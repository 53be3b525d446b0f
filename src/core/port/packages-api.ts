import type {Page, PageRequest} from './page.js'
import type {PackageKind, PackageMethod, PackageOs} from '../package/layout.js'
import type {TenantScript} from '../package/tenant-package.js'

/** One generated package, as recorded in the tenant (issue 3: `atpctl package list`). */
export interface PackageRecord {
  id: string
  kind: PackageKind
  os: PackageOs
  method: PackageMethod
  fileName: string
  /** Where it was written, on the machine that generated it. */
  path: string
  sha256: string
  bytes: number
  orgId: string
  createdAt: string
  /** Offboarding: the expiry; onboarding and down-level: null. */
  expiresAt: string | null
}

export type PackageRecordInput = Omit<PackageRecord, 'id' | 'orgId'>

export interface PackageApi {
  /** Records a generated package (audited). */
  record(input: PackageRecordInput): Promise<PackageRecord>
  /** Recorded packages, oldest first. */
  list(filter?: {kind?: PackageKind} & PageRequest): Promise<Page<PackageRecord>>
  /**
   * The onboarding script a Defender for Cloud subscription hands out (a real tenant's
   * `mdeOnboardings/default`), base64 of the bytes exactly as received. Only a backend with
   * Azure subscriptions has it (capability `subscription-packages`).
   */
  subscriptionScript(request: {subscriptionId: string; script: TenantScript}): Promise<{contentBase64: string}>
}
