import {OPERATIONS, type JsonSchema} from '../../src/backends/remote/operations.js'
import {OPERATION_KINDS} from '../../src/core/rbac/roles.js'
import {join} from 'node:path'
import {openDatabase} from '../../src/backends/local/database.js'
import {loadLocalResources} from '../../src/backends/local/index.js'
import {createLocalStore} from '../../src/backends/local/store.js'
import {tempHome} from '../helpers/cli.js'

/** Every object schema, however deep. */
function objectSchemas(schema: JsonSchema, at: string, out: {at: string; schema: JsonSchema}[] = []) {
  if (schema.type === 'object' && schema.properties) out.push({at, schema})
  for (const [key, value] of Object.entries(schema)) {
    if (Array.isArray(value)) value.forEach((v, i) => typeof v === 'object' && v && objectSchemas(v as JsonSchema, `${at}.${key}[${i}]`, out))
    else if (typeof value === 'object' && value) objectSchemas(value as JsonSchema, `${at}.${key}`, out)
  }

  return out
}

describe('operation registry (issue 7: one entry per backend method)', () => {
  it('covers every method of the embedded backend, and names nothing it lacks', async () => {
    const {home, cleanup} = tempHome('atpctl-registry-')
    const db = await openDatabase(join(home, 'tenant.db'))
    try {
      // The backend loads each resource module on first use; load them all to list their methods.
      const resources = await loadLocalResources(createLocalStore(db, {profile: 'test', actor: 'test:jest'}))
      const methods: string[] = []
      for (const [resource, api] of Object.entries(resources)) {
        if (typeof api !== 'object' || api === null) continue
        for (const [name, fn] of Object.entries(api)) if (typeof fn === 'function') methods.push(`${resource}.${name}`)
      }

      const ids = OPERATIONS.map((o) => o.id)
      expect(methods.filter((m) => !ids.includes(m))).toEqual([])
      expect(ids.filter((id) => !methods.includes(id))).toEqual([])
      expect(new Set(ids).size).toBe(ids.length)
    } finally {
      db.close()
      cleanup()
    }
  })

  it('gives each operation a distinct /v1 route, a known kind and path arguments that match the route', () => {
    const routes = OPERATIONS.map((o) => `${o.method} ${o.path}`)
    expect(new Set(routes).size).toBe(routes.length)
    for (const o of OPERATIONS) {
      expect(o.path.startsWith('/v1/')).toBe(true)
      expect(OPERATION_KINDS).toContain(o.kind)
      const segments = [...o.path.matchAll(/:(\w+)/g)].map((m) => m[1])
      expect({id: o.id, segments}).toEqual({id: o.id, segments: o.args.filter((a) => a.in === 'path').map((a) => a.name)})
      expect(o.args.filter((a) => a.in === 'body').length).toBeLessThanOrEqual(1)
      if (o.args.some((a) => a.in === 'body')) expect(o.args.some((a) => a.in === 'field')).toBe(false)
      // Secrets and bodies never go in a URL: GET and DELETE carry no body.
      if (o.method === 'GET' || o.method === 'DELETE') expect(o.args.every((a) => a.in === 'path' || a.in === 'query')).toBe(true)
    }
  })

  it('refuses unknown fields in every object schema (additionalProperties: false)', () => {
    for (const o of OPERATIONS) {
      for (const a of o.args) {
        for (const {at, schema} of objectSchemas(a.schema, `${o.id}(${a.name})`)) expect({at, additionalProperties: schema.additionalProperties}).toEqual({at, additionalProperties: false})
      }
    }
  })

  it('puts no secret-looking argument in a path or query', () => {
    for (const o of OPERATIONS) {
      for (const a of o.args.filter((x) => x.in === 'path' || x.in === 'query')) {
        const names = [a.name, ...Object.keys((a.schema.properties ?? {}) as object)]
        for (const name of names) expect(`${o.id}:${name}`).not.toMatch(/:(secret|apiKey|key|token|password)$/i)
      }
    }
  })
})
