/**
 * Issue 15 item 3: no request can produce a 500. Every write route of the registry gets a body
 * that its schema accepts but whose every text holds a terminal escape (and whose numbers are
 * negative); each must be answered 2xx/4xx, and the server's error log must stay empty.
 */
import {OPERATIONS, type JsonSchema} from '../../src/backends/remote/operations.js'
import {startTestServer, type TestServer} from './helpers.js'

/** A value of the schema, hostile where the schema allows anything. */
function sample(schema: JsonSchema): unknown {
  if (Array.isArray(schema.anyOf)) return sample(schema.anyOf[0] as JsonSchema)
  if ('const' in schema) return schema.const
  switch (schema.type) {
    case 'string': {
      return 'x\u001b[2J'
    }

    case 'integer':
    case 'number': {
      return -1
    }

    case 'boolean': {
      return true
    }

    case 'array': {
      return [sample(schema.items as JsonSchema)]
    }

    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>
      return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, sample(v)]))
    }

    default: {
      return null
    }
  }
}

describe('atpctl serve: no write request produces a 500 (issue 15 item 3)', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer()
  })
  afterAll(async () => s.cleanup())

  const writes = OPERATIONS.filter((o) => o.method !== 'GET')
  it.each(writes.map((o) => [o.id, o] as const))('%s with hostile values is answered without a 5xx', async (_id, o) => {
    let path = o.path
    for (const a of o.args.filter((a) => a.in === 'path')) path = path.replace(`:${a.name}`, encodeURIComponent('x\u001b[2J'))
    const bodyArg = o.args.find((a) => a.in === 'body')
    const fields = o.args.filter((a) => a.in === 'field')
    const body = bodyArg ? sample(bodyArg.schema) : Object.fromEntries(fields.map((f) => [f.name, sample(f.schema)]))
    const r = await s.request(o.method, path, {auth: s.keys.owner, body})
    expect({id: o.id, status: r.status < 500 ? 'not 5xx' : r.status}).toEqual({id: o.id, status: 'not 5xx'})
  })

  it('the error log is empty', () => {
    expect(s.errors).toEqual([])
  })
})
