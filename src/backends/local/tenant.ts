import {createHash, randomBytes, randomUUID} from 'node:crypto'
import {RuleError} from '../../core/errors.js'
import {LOCATION_FACTS, type Location, noTenantError, parseLocation, resolveDatacenter, type Tenant} from '../../core/tenant/model.js'
import {createSigningIdentity} from '../../lib/x509.js'
import type {TenantApi} from '../../core/port/types.js'
import type {LocalStore, StoreSql} from './store.js'

interface TenantRow {
  org_id: string
  location: Location
  datacenter: string
  vortex_geo: string
  workspace_id: string
  workspace_key: string
  signing_key_pem: string
  signing_cert_der: Buffer
  ca_cert_der: Buffer
  created_at: string
}

const toTenant = (r: TenantRow): Tenant => ({
  orgId: r.org_id,
  location: r.location,
  datacenter: r.datacenter,
  vortexGeoLocation: r.vortex_geo,
  workspaceId: r.workspace_id,
  createdAt: r.created_at,
  certificateSha256: createHash('sha256').update(r.signing_cert_der).digest('hex'),
})

export async function requireTenantRow(store: LocalStore): Promise<TenantRow> {
  const row = await store.get<TenantRow>('SELECT * FROM tenant WHERE id = 1')
  if (!row) throw noTenantError(store.context.profile)
  return row
}

export function localTenantApi(store: LocalStore): TenantApi {
  const db: StoreSql = store
  return {
    async get() {
      const row = await db.get<TenantRow>('SELECT * FROM tenant WHERE id = 1')
      return row ? toTenant(row) : null
    },
    async create(given) {
      // The CLI's rules for every caller (issue 15 item 3): an unknown location is a usage error, not a crash.
      const location = parseLocation(given.location)
      const request = {location, datacenter: resolveDatacenter(location, given.datacenter)}
      const existing = await db.get<TenantRow>('SELECT * FROM tenant WHERE id = 1')
      if (existing && existing.location === request.location) return {tenant: toTenant(existing), created: false}
      // Key generation is slow; do it before taking the write lock, then re-check inside.
      const orgId = randomUUID().toLowerCase()
      const createdAt = store.now().toISOString()
      const identity = existing ? undefined : await createSigningIdentity(orgId, store.now())
      return store.mutate('tenant.create', orgId, async (tx) => {
        const current = await tx.get<TenantRow>('SELECT * FROM tenant WHERE id = 1')
        if (current) {
          if (current.location === request.location) return {tenant: toTenant(current), created: false}
          throw new RuleError('T1', `The tenant's data location is '${current.location}' and can never be changed.`, {
            suggestions: [
              `Keep --location ${current.location}, or create a separate tenant in another profile: atpctl init --location ${request.location} --profile <name>`,
            ],
          })
        }

        tx.run(
          `INSERT INTO tenant (id, org_id, location, datacenter, vortex_geo, workspace_id, workspace_key, signing_key_pem,
             signing_cert_der, ca_cert_der, created_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,

          orgId,
          request.location,
          request.datacenter,
          LOCATION_FACTS[request.location].vortexGeoLocation,
          randomUUID().toLowerCase(),
          randomBytes(64).toString('base64'),
          identity!.signingKeyPem,
          identity!.signingCertDer,
          identity!.caCertDer,
          createdAt,
        )
        return {tenant: toTenant(await requireTenantRow(tx)), created: true}
      })
    },
    async secrets() {
      const row = await requireTenantRow(store)
      return {
        workspaceKey: row.workspace_key,
        signingKeyPem: row.signing_key_pem,
        signingCertDer: row.signing_cert_der.toString('base64'),
        caCertDer: row.ca_cert_der.toString('base64'),
      }
    },
  }
}
