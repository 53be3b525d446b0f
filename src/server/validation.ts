/**
 * The request schemas' validator, outside Fastify too: the same compiler and options Fastify
 * uses for every route (unknown fields refused, no type coercion), so a streamed record read
 * back in the database thread is checked exactly as a JSON body of the same route is.
 */
import AjvCompiler from '@fastify/ajv-compiler'
import type {JsonSchema} from '../backends/remote/operations.js'

export const AJV_CUSTOM_OPTIONS = {removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false} as const

let compiler: ReturnType<ReturnType<typeof AjvCompiler>> | undefined

/** A check of one value: null when it fits `schema`, else what is wrong (`/build must be integer`). */
export function compileCheck(schema: JsonSchema): (value: unknown) => string | null {
  compiler ??= AjvCompiler()({}, {customOptions: {...AJV_CUSTOM_OPTIONS}})
  const validate = compiler({schema, httpPart: 'body'})
  return (value) => {
    if (validate(value)) return null
    const [first] = validate.errors ?? []
    return first ? `${first.instancePath || '(record)'} ${first.message ?? 'is not acceptable'}` : 'not acceptable'
  }
}
