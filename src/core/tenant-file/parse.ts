/**
 * Reading `atpctl.yaml` (issue 14): YAML with the position of every node, validated against the
 * JSON Schema with a real validator (ajv), every problem mapped to file:line:column with what
 * was expected. A bad file is one InvalidInputError (exit 7) naming all its problems in
 * `details.errors`. References between resources (a deployment to a collection nobody names) are
 * the plan's to check: they depend on the tenant.
 */
import {Ajv, type ErrorObject} from 'ajv'
import {isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type Document} from 'yaml'
import {closestMatch} from '../did-you-mean.js'
import {InvalidInputError} from '../errors.js'
import type {TenantDocument} from './document.js'
import type {SourcePosition} from './plan-types.js'
import {TENANT_FILE_SCHEMA} from './schema.js'

export type DocumentPath = (string | number)[]

export interface ParsedTenantFile {
  document: TenantDocument
  /** Where a value of the document is written (1-based), e.g. `['policies', 0, 'deployments']`. */
  positionOf(path: DocumentPath): SourcePosition | undefined
}

/** One problem of a file, at its line and column (1-based). */
export interface TenantFileError {
  file: string
  line: number
  column: number
  message: string
}

/** The lists whose entries are named, and the field naming each (unique within the list, case-insensitively). */
const NAMED_LISTS: {path: string[]; key: string; what: string}[] = [
  {path: ['integrations', 'thirdParty'], key: 'provider', what: 'provider'},
  {path: ['integrations', 'defenderForCloud'], key: 'subscriptionId', what: 'subscription'},
  {path: ['groups'], key: 'name', what: 'group'},
  {path: ['collections'], key: 'name', what: 'collection'},
  {path: ['policies'], key: 'name', what: 'policy'},
  {path: ['edrProfiles'], key: 'name', what: 'EDR profile'},
  {path: ['compliancePolicies'], key: 'name', what: 'compliance policy'},
  {path: ['accessPolicies'], key: 'name', what: 'access policy'},
  {path: ['appConfigurations'], key: 'name', what: 'app configuration'},
]

const MAX_LISTED = 20

let validator: ReturnType<Ajv['compile']> | undefined
function validate(value: unknown): ErrorObject[] {
  validator ??= new Ajv({allErrors: true, strict: true, allowUnionTypes: true}).compile(TENANT_FILE_SCHEMA)
  if (validator(value)) return []
  const errors = [...(validator.errors ?? [])]
  // A value outside an enumeration is said once, with the values expected, not also as a wrong type.
  const listed = new Set(errors.filter((e) => e.keyword === 'enum' || e.keyword === 'const').map((e) => e.instancePath))
  return errors.filter((e) => !(e.keyword === 'type' && listed.has(e.instancePath)))
}

/** How the file is named in messages: `-` is standard input. */
export function displayName(file: string): string {
  return file === '-' ? '(stdin)' : file
}

/**
 * Parses and validates the text of an `atpctl.yaml`. A syntax error, a value the schema refuses
 * or two entries of a list with one name throw InvalidInputError (exit 7) with every problem in
 * `details.errors` (`{file, line, column, message}`), sorted by position.
 */
export function parseTenantFile(text: string, file: string): ParsedTenantFile {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true, strict: true})
  const at = (offset: number): {line: number; column: number} => {
    const {line, col} = lineCounter.linePos(offset)
    return {line, column: col}
  }

  const errors: TenantFileError[] = []
  for (const e of doc.errors) {
    const {line, column} = at(e.pos[0])
    errors.push({file, line, column, message: syntaxMessage(e.code, e.message)})
  }

  if (errors.length === 0) {
    const value = doc.contents === null ? null : (doc.toJS({maxAliasCount: 100}) as unknown)
    for (const e of validate(value)) errors.push(schemaError(e, doc, file, at))
    if (errors.length === 0) errors.push(...duplicateNames(value as TenantDocument, doc, file, at))
  }

  if (errors.length > 0) throw invalidFile(file, errors)
  const document = doc.toJS() as TenantDocument
  return {
    document,
    positionOf(path) {
      const node = nodeAt(doc, path)
      if (!node?.range) return undefined
      return {file, ...at(node.range[0])}
    },
  }
}

function invalidFile(file: string, errors: TenantFileError[]): InvalidInputError {
  errors.sort((a, b) => a.line - b.line || a.column - b.column)
  const name = displayName(file)
  const shown = errors.slice(0, MAX_LISTED).map((e) => `${name}:${e.line}:${e.column}: ${e.message}`)
  if (errors.length > MAX_LISTED) shown.push(`… and ${errors.length - MAX_LISTED} more`)
  const lead = errors.length === 1 ? `${name} is not a valid atpctl.yaml:` : `${name} is not a valid atpctl.yaml (${errors.length} problems):`
  return new InvalidInputError(`${lead}\n${shown.join('\n')}`, {
    code: 'INVALID_TENANT_FILE',
    details: {errors},
    suggestions: ['Fix the file at those lines; `atpctl schema --out atpctl.schema.json` gives editors the schema to check it as you type.'],
  })
}

function syntaxMessage(code: string, message: string): string {
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')
  if (code === 'DUPLICATE_KEY') return `${first} (a key may appear once in a mapping)`
  return `YAML syntax: ${first}`
}

/** The node at a path of the document (a map key's value, a sequence's item). */
function nodeAt(doc: Document, path: DocumentPath): Node | undefined {
  if (path.length === 0) return (doc.contents as Node | null) ?? undefined
  const node = doc.getIn(path, true) as unknown
  return node && typeof node === 'object' && 'range' in node ? (node as Node) : undefined
}

/** The key node of `property` in the map at `path`, for an error about the key itself. */
function keyNodeAt(doc: Document, path: DocumentPath, property: string): Node | undefined {
  const map = nodeAt(doc, path)
  if (!isMap(map)) return undefined
  const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === property)
  return pair && isScalar(pair.key) ? pair.key : undefined
}

function pointerToPath(pointer: string): DocumentPath {
  if (pointer === '') return []
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part))
}

/** The dotted form of a path for messages: `policies[0].type`. */
export function pathText(path: DocumentPath): string {
  let out = ''
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`
  return out === '' ? 'the file' : out
}

function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 60)}…` : value}'`
  return `${typeof value} ${String(value)}`
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  boolean: 'true or false',
  integer: 'a whole number',
  number: 'a number',
  array: 'a list',
  object: 'a mapping',
  null: 'null',
}

/** The schema of the property at a path (for the properties an unknown key might have meant). */
function schemaAt(path: DocumentPath): Record<string, unknown> | undefined {
  let schema: Record<string, unknown> | undefined = TENANT_FILE_SCHEMA
  for (const part of path) {
    if (!schema) return undefined
    schema = (typeof part === 'number' ? schema.items : (schema.properties as Record<string, Record<string, unknown>> | undefined)?.[part]) as Record<string, unknown> | undefined
  }

  return schema
}

function schemaError(e: ErrorObject, doc: Document, file: string, at: (offset: number) => {line: number; column: number}): TenantFileError {
  const path = pointerToPath(e.instancePath)
  const where = pathText(path)
  let node = nodeAt(doc, path)
  let message: string
  const value = (node && isScalar(node) ? node.value : isSeq(node) ? [] : isMap(node) ? {} : undefined) as unknown
  const params = e.params as Record<string, unknown>
  switch (e.keyword) {
    case 'additionalProperties': {
      const property = String(params.additionalProperty)
      node = keyNodeAt(doc, path, property) ?? node
      const known = Object.keys((schemaAt(path)?.properties as Record<string, unknown> | undefined) ?? {})
      const guess = closestMatch(property, known)
      message = `unknown property '${property}' in ${where}${guess ? `: did you mean '${guess}'?` : `; expected one of: ${known.join(', ')}`}`
      break
    }

    case 'required': {
      message = `${where} is missing the required property '${String(params.missingProperty)}'`
      break
    }

    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String)
      const guess = typeof value === 'string' ? closestMatch(value, allowed) : undefined
      message = `${where} is ${describeValue(value)}; expected one of: ${allowed.join(', ')}${guess ? ` (did you mean '${guess}'?)` : ''}`
      break
    }

    case 'const': {
      message = `${where} is ${describeValue(value)}; expected '${String(params.allowedValue)}'`
      break
    }

    case 'type': {
      const types = String(params.type)
        .split(',')
        .map((t) => TYPE_WORDS[t] ?? t)
      message = `${where} is ${describeValue(value)}; expected ${types.join(' or ')}`
      break
    }

    case 'minProperties':
    case 'maxProperties': {
      message = `${where} must name exactly one of env (an environment variable) or file (a path)`
      break
    }

    case 'uniqueItems': {
      // Point at the repeat, the later of the two equal items.
      const item = nodeAt(doc, [...path, Math.max(Number(params.i), Number(params.j))])
      node = item ?? node
      message = `${where} lists the same value twice`
      break
    }

    case 'minLength': {
      message = `${where} is empty; expected a non-empty string`
      break
    }

    case 'maxLength': {
      message = `${where} is longer than ${String(params.limit)} characters`
      break
    }

    case 'pattern': {
      message = `${where} is ${describeValue(value)}; expected an environment variable name (letters, digits and _, not starting with a digit)`
      break
    }

    case 'minimum':
    case 'maximum': {
      message = `${where} is ${describeValue(value)}; expected a number ${e.keyword === 'minimum' ? 'of at least' : 'of at most'} ${String(params.limit)}`
      break
    }

    default: {
      message = `${where} ${e.message ?? 'is not valid'}`
    }
  }

  const offset = node?.range?.[0] ?? 0
  return {file, ...at(offset), message}
}

function duplicateNames(document: TenantDocument, doc: Document, file: string, at: (offset: number) => {line: number; column: number}): TenantFileError[] {
  const errors: TenantFileError[] = []
  const lists: {path: DocumentPath; key: string; what: string}[] = [...NAMED_LISTS]
  for (const [i] of (document.policies ?? []).entries()) lists.push({path: ['policies', i, 'deployments'], key: '', what: 'deployment'})
  for (const {path, key, what} of lists) {
    let entries: unknown = document
    for (const part of path) entries = (entries as Record<string | number, unknown> | undefined)?.[part]
    if (!Array.isArray(entries)) continue
    const seen = new Map<string, number>()
    for (const [i, entry] of entries.entries()) {
      const name = key === '' ? entry : (entry as Record<string, unknown>)[key]
      if (typeof name !== 'string') continue
      const k = name.toLowerCase()
      const first = seen.get(k)
      if (first === undefined) {
        seen.set(k, i)
        continue
      }

      const node = nodeAt(doc, key === '' ? [...path, i] : [...path, i, key])
      const firstLine = at(nodeAt(doc, [...path, first])?.range?.[0] ?? 0).line
      errors.push({file, ...at(node?.range?.[0] ?? 0), message: `${pathText(path)} names ${what} '${name}' twice (first at line ${firstLine}); names are unique, whatever their case`})
    }
  }

  return errors
}
