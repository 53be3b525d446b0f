import {randomBytes} from 'node:crypto'
import {SUBSCRIPTION_PACKAGES_INSTEAD, unsupported} from '../../core/capabilities.js'
import {checkPackageRecord, type PackageKind, type PackageMethod, type PackageOs} from '../../core/package/layout.js'
import type {PackageApi, PackageRecord} from '../../core/port/packages-api.js'
import {afterCondition, keysetPage, positionParams} from './keyset.js'
import type {LocalStore, StoreSql} from './store.js'
import {requireTenantRow} from './tenant.js'

interface PackageRow {
  id: string
  kind: PackageKind
  os: PackageOs
  method: PackageMethod
  file_name: string
  path: string
  sha256: string
  bytes: number
  org_id: string
  created_at: string
  expires_at: string | null
}

const toRecord = (r: PackageRow): PackageRecord => ({
  id: r.id,
  kind: r.kind,
  os: r.os,
  method: r.method,
  fileName: r.file_name,
  path: r.path,
  sha256: r.sha256,
  bytes: r.bytes,
  orgId: r.org_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
})

export function localPackageApi(store: LocalStore): PackageApi {
  const db: StoreSql = store
  return {
    async record(input) {
      const tenant = await requireTenantRow(store)
      checkPackageRecord(input)
      const id = `pkg_${randomBytes(6).toString('hex')}`
      return store.mutate('package.generate', `${input.kind}:${input.os}:${input.method}:${id}`, async (tx) => {
        tx.run(
          `INSERT INTO package (id, kind, os, method, file_name, path, sha256, bytes, org_id, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          id, input.kind, input.os, input.method, input.fileName, input.path, input.sha256, input.bytes, tenant.org_id, input.createdAt, input.expiresAt,
        )
        return toRecord((await tx.get<PackageRow>('SELECT * FROM package WHERE id = ?', id))!)
      })
    },
    async list(filter = {}) {
      await requireTenantRow(store)
      // created_at is indexed (package_created); the store's insertion-order key is in every index.
      const order = store.dialect.insertionOrder
      return keysetPage({
        list: 'packages',
        shape: ['string', 'number'],
        request: filter,
        rows: (after, limit) =>
          db.all<PackageRow & {row_id: number}>(`SELECT *, ${order} AS row_id FROM package WHERE ${afterCondition(['created_at', order], after)} ${filter.kind ? 'AND kind = @kind' : ''}
               ORDER BY created_at, ${order} LIMIT @limit`, {...positionParams(after), kind: filter.kind, limit}),
        positionOf: (r) => [r.created_at, r.row_id],
        toItem: toRecord,
      })
    },
    // An embedded tenant has no Azure subscription to download from: it builds its own packages.
    async subscriptionScript() {
      throw unsupported('subscription-packages', 'local', {instead: SUBSCRIPTION_PACKAGES_INSTEAD})
    },
  }
}
