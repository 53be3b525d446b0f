/**
 * The schema and TenantDocument (document.ts) must not diverge: this test reads the interfaces
 * with the TypeScript compiler and walks the schema beside them, property by property
 * (names, required ones, lists, nested objects, literal and enumerated values).
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import ts from 'typescript'
import {Ajv} from 'ajv'
import {CLIENT_APPS} from '../../../src/core/access/rules.js'
import {MAX_RISKS} from '../../../src/core/compliance/rules.js'
import {CLOUDS, PROVIDERS} from '../../../src/core/integration/catalogue.js'
import {LOCATIONS} from '../../../src/core/tenant/model.js'
import {TENANT_FILE_SCHEMA} from '../../../src/core/tenant-file/schema.js'
import {PROJECT_ROOT} from '../../helpers/cli.js'

type Schema = {type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; additionalProperties?: boolean; description?: string; enum?: string[]; const?: string}

const source = ts.createSourceFile('document.ts', readFileSync(join(PROJECT_ROOT, 'src/core/tenant-file/document.ts'), 'utf8'), ts.ScriptTarget.ES2022, true)
const interfaces = new Map<string, ts.InterfaceDeclaration>()
const aliases = new Map<string, ts.TypeAliasDeclaration>()
source.forEachChild((node) => {
  if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node)
  if (ts.isTypeAliasDeclaration(node)) aliases.set(node.name.text, node)
})

/** Walks a TypeScript type and the schema of the same value together; returns the differences. */
function compare(type: ts.TypeNode, schema: Schema, at: string): string[] {
  if (ts.isUnionTypeNode(type)) {
    const parts = type.types.filter((t) => !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword))
    const nullable = parts.length < type.types.length
    const types = ([] as string[]).concat(schema.type ?? [])
    const problems = nullable && !types.includes('null') ? [`${at}: nullable in TypeScript, not in the schema`] : []
    if (parts.length === 1) return [...problems, ...compare(parts[0], schema, at)]
    return problems
  }

  if (ts.isArrayTypeNode(type)) {
    if (!schema.items || !([] as string[]).concat(schema.type ?? []).includes('array')) return [`${at}: a list in TypeScript, not in the schema`]
    return compare(type.elementType, schema.items, `${at}[]`)
  }

  if (ts.isTypeQueryNode(type)) return schema.const ? [] : [`${at}: a constant in TypeScript, no const in the schema`]
  if (ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal)) return schema.enum?.includes(type.literal.text) || schema.const === type.literal.text ? [] : [`${at}: '${type.literal.text}' not allowed by the schema`]
  if (ts.isTypeReferenceNode(type)) {
    const name = type.typeName.getText()
    const declaration = interfaces.get(name)
    if (declaration) return compareInterface(declaration, schema, at)
    const alias = aliases.get(name)
    if (alias) return compareAlias(alias, schema, at)
    // A core type (Location, Cloud, PolicyType…): an enumeration in the schema.
    return schema.enum && schema.enum.length > 0 ? [] : [`${at}: ${name} is not enumerated in the schema`]
  }

  const keyword = {[ts.SyntaxKind.StringKeyword]: 'string', [ts.SyntaxKind.BooleanKeyword]: 'boolean', [ts.SyntaxKind.NumberKeyword]: 'integer'}[type.kind as number]
  if (keyword) return ([] as string[]).concat(schema.type ?? []).includes(keyword) ? [] : [`${at}: ${keyword} in TypeScript, ${String(schema.type)} in the schema`]
  return [`${at}: a TypeScript type this test does not know (${type.getText()})`]
}

function compareAlias(alias: ts.TypeAliasDeclaration, schema: Schema, at: string): string[] {
  // SecretReference = {env: string} | {file: string}: one object schema with both, one at a time.
  if (ts.isUnionTypeNode(alias.type) && alias.type.types.every(ts.isTypeLiteralNode)) {
    const members = alias.type.types.flatMap((t) => (t as ts.TypeLiteralNode).members.map((m) => (m.name as ts.Identifier).text))
    const problems = members.filter((m) => !schema.properties?.[m]).map((m) => `${at}.${m}: missing from the schema`)
    const extra = Object.keys(schema.properties ?? {}).filter((p) => !members.includes(p))
    return [...problems, ...extra.map((p) => `${at}.${p}: in the schema, not in TypeScript`)]
  }

  return compare(alias.type, schema, at)
}

function compareInterface(declaration: ts.InterfaceDeclaration, schema: Schema, at: string): string[] {
  const problems: string[] = []
  if (schema.additionalProperties !== false) problems.push(`${at}: the schema allows unknown properties`)
  const members = declaration.members.filter(ts.isPropertySignature)
  const names = members.map((m) => (m.name as ts.Identifier).text)
  for (const extra of Object.keys(schema.properties ?? {}).filter((p) => !names.includes(p))) problems.push(`${at}.${extra}: in the schema, not in ${declaration.name.text}`)
  for (const m of members) {
    const name = (m.name as ts.Identifier).text
    const property = schema.properties?.[name]
    if (!property) {
      problems.push(`${at}.${name}: missing from the schema`)
      continue
    }

    if (!property.description) problems.push(`${at}.${name}: no description`)
    const required = (schema.required ?? []).includes(name)
    if (required === Boolean(m.questionToken)) problems.push(`${at}.${name}: ${m.questionToken ? 'optional' : 'required'} in TypeScript, not in the schema`)
    problems.push(...compare(m.type!, property, `${at}.${name}`))
  }

  return problems
}

describe('the atpctl.yaml schema', () => {
  it('matches TenantDocument property for property', () => {
    const root = interfaces.get('TenantDocument')!
    expect(compareInterface(root, TENANT_FILE_SCHEMA as Schema, 'TenantDocument')).toEqual([])
  })

  it('would notice a divergence (the comparison itself can fail)', () => {
    const broken = structuredClone(TENANT_FILE_SCHEMA) as Schema
    delete broken.properties!.groups.items!.properties!.users
    broken.properties!.policies.items!.required = ['name']
    expect(compareInterface(interfaces.get('TenantDocument')!, broken, 'TenantDocument')).toEqual([
      'TenantDocument.groups[].users: missing from the schema',
      'TenantDocument.policies[].type: required in TypeScript, not in the schema',
    ])
  })

  it('compiles with ajv in strict mode, and takes its enumerations from core', () => {
    expect(() => new Ajv({strict: true, allowUnionTypes: true}).compile(TENANT_FILE_SCHEMA)).not.toThrow()
    const p = TENANT_FILE_SCHEMA.properties as Record<string, Schema>
    expect(p.tenant.properties!.location.enum).toEqual([...LOCATIONS])
    const integrations = p.integrations.properties!
    expect(integrations.thirdParty.items!.properties!.provider.enum).toEqual(PROVIDERS.map((x) => x.id))
    expect(integrations.defenderForCloud.items!.properties!.cloud.enum).toEqual([...CLOUDS])
    expect(p.compliancePolicies.items!.properties!.maxRisk.enum).toEqual([...MAX_RISKS])
    expect(p.accessPolicies.items!.properties!.clients.items!.enum).toEqual([...CLIENT_APPS])
  })
})
