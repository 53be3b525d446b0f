/**
 * Collection query rules, like ConfigMgr's query membership rules ("Operating System – build
 * number ≥ 14393"). A rule is conditions joined by `and`; a collection's rules are unioned, as
 * ConfigMgr unions membership rules. Pure: parsing, validation, and the membership decision
 * (`matchesRule`, `isCollectionMember`), which the embedded backend applies to one device at a
 * time (a sensor report, a small import) and compiles to SQL for whole inventories
 * (backends/local/collections.ts), pinned to it by test/core/collection/rules.differential.test.ts.
 * Text compares case-insensitively for ASCII letters, as the database's lower() does.
 */
import {type Difference, differences} from '../endpoint-lifecycle.js'
import {NotFoundError, RuleError, UsageError} from '../errors.js'
import {escapeName, foldAscii, hasControlCharacters, nameKey} from '../names.js'

export const RULE_FIELDS = {
  name: 'text',
  os: 'text',
  'os-name': 'text',
  family: 'text',
  build: 'number',
  release: 'text',
  level: 'text',
  environment: 'text',
  subscription: 'text',
  'managed-by': 'text',
  user: 'text',
  group: 'text',
} as const
export type RuleField = keyof typeof RULE_FIELDS

export const RULE_OPERATORS = ['>=', '<=', '!=', '!~', '=', '>', '<', '~'] as const
export type RuleOperator = (typeof RULE_OPERATORS)[number]

export interface RuleCondition {
  field: RuleField
  op: RuleOperator
  value: string | number
}

/** One membership rule: every condition must hold. */
export interface Rule {
  text: string
  conditions: RuleCondition[]
}

const ALIASES: Record<string, RuleField> = {
  osname: 'os-name',
  managedby: 'managed-by',
  groups: 'group',
  env: 'environment',
  version: 'release',
}

/** Operators people bring from other languages, and the one they mean here. */
const OPERATOR_TYPOS: Record<string, RuleOperator> = {
  '==': '=',
  '===': '=',
  '!==': '!=',
  '<>': '!=',
  '=~': '~',
  '~=': '~',
  '=>': '>=',
  '=<': '<=',
  '!': '!=',
  '!=~': '!~',
}

const syntaxHelp = 'Write FIELD OP VALUE, e.g. "build>=14393", "os~Server", "level=down-level"; join conditions with "and".'

/** Parses one rule, e.g. `build>=14393 and os~Server`. */
export function parseRule(text: string): Rule {
  // Rules are stored and shown: no control or bidi characters (issue 15 item 4).
  if (hasControlCharacters(text)) throw new UsageError(`The rule '${escapeName(text)}' holds control or bidirectional formatting characters.`, {suggestions: [syntaxHelp]})
  if (text.length > 1024) throw new UsageError(`A rule is ${text.length} characters long; the limit is 1024.`, {suggestions: [syntaxHelp]})
  const parts = text.split(/\s+and\s+|\s*&&\s*/i).map((p) => p.trim())
  if (parts.some((p) => p === '')) throw new UsageError(`Empty condition in rule '${text}'.`, {suggestions: [syntaxHelp]})
  return {text: text.trim(), conditions: parts.map((p) => parseCondition(p, text))}
}

function parseCondition(part: string, rule: string): RuleCondition {
  // The whole run of operator characters, so `==` or `=>` is refused rather than read as `=`
  // with a value starting '=' or '>' (which matches nothing). A value that starts with one of
  // them is written quoted: name="=x".
  const m = /^([A-Za-z-]+)\s*([=<>!~]+)\s*(.*)$/.exec(part)
  if (!m) throw new UsageError(`Cannot read condition '${part}' of rule '${rule}'.`, {suggestions: [syntaxHelp]})
  if (!(RULE_OPERATORS as readonly string[]).includes(m[2])) {
    const meant = OPERATOR_TYPOS[m[2]]
    throw new UsageError(`Unknown operator '${m[2]}' in rule '${rule}'.`, {
      suggestions: [`${meant ? `Did you mean \`${meant}\`? ` : ''}Operators: ${RULE_OPERATORS.join(' ')} (~ contains, !~ does not contain).`],
    })
  }

  const key = m[1].toLowerCase()
  const field = (key in RULE_FIELDS ? key : ALIASES[key.replace(/-/g, '')]) as RuleField | undefined
  if (!field) {
    throw new UsageError(`Unknown field '${m[1]}' in rule '${rule}'.`, {suggestions: [`Fields: ${Object.keys(RULE_FIELDS).join(', ')}.`]})
  }

  const op = m[2] as RuleOperator
  let raw = m[3].trim()
  if (/^(['"]).*\1$/.test(raw)) raw = raw.slice(1, -1)
  if (raw === '') throw new UsageError(`Missing value in condition '${part}'.`, {suggestions: [syntaxHelp]})
  if (RULE_FIELDS[field] === 'number') {
    const n = Number(raw)
    if (!Number.isInteger(n)) throw new UsageError(`'${raw}' is not a whole number for ${field} in rule '${rule}'.`, {suggestions: ['Example: build>=14393']})
    if (op === '~' || op === '!~') throw new UsageError(`Operator ${op} needs a text field, not ${field}.`, {suggestions: [syntaxHelp]})
    return {field, op, value: n}
  }

  if ((field === 'managed-by' || field === 'group') && raw.includes(';')) {
    // Lists hold no ';' (the inventory splits cells on it): such a value could only match across two items.
    throw new UsageError(`A ${field} value cannot contain ';' (in rule '${rule}'): it compares one item of the list.`, {suggestions: ['Write one condition per item, joined with "and".']})
  }

  if (['>', '<', '>=', '<='].includes(op)) {
    throw new UsageError(`Operator ${op} compares numbers; ${field} is text.`, {suggestions: ['Use =, !=, ~ (contains) or !~ (does not contain).']})
  }

  return {field, op, value: raw}
}

/** The values a rule reads from a device: one per field, lists for managed-by and group. */
export type RuleSubject = Record<RuleField, string | number | readonly string[] | null>

/** The rule fields of a device record. */
export function ruleSubject(d: {
  name: string
  os: string
  osName: string
  osFamily: string
  build: number | null
  release: string | null
  level: string
  environment: string | null
  subscription: string | null
  managedBy: readonly string[]
  user: string | null
  groups: readonly string[]
}): RuleSubject {
  return {
    name: d.name,
    os: d.os,
    'os-name': d.osName,
    family: d.osFamily,
    build: d.build,
    release: d.release,
    level: d.level,
    environment: d.environment,
    subscription: d.subscription,
    'managed-by': d.managedBy,
    user: d.user,
    group: d.groups,
  }
}

/** Whether every condition of a rule holds for a device. */
export function matchesRule(rule: Rule, device: RuleSubject): boolean {
  return rule.conditions.every((c) => matchesCondition(c, device[c.field]))
}

/**
 * Effective membership of one device in one collection: a direct member (added by hand or
 * named by the inventory) or matched by any of its query rules, and, when the collection has a
 * limiting collection, a member of that one too.
 */
export function isCollectionMember(m: {direct: boolean; rules: readonly Rule[]; device: RuleSubject; limitMember: boolean | null}): boolean {
  if (m.limitMember === false) return false
  return m.direct || m.rules.some((r) => matchesRule(r, m.device))
}


function matchesCondition(c: RuleCondition, actual: string | number | readonly string[] | null): boolean {
  if (typeof actual === 'object' && actual !== null) {
    // A list: = and ~ hold when some item does; != and !~ when every item does.
    return c.op === '!=' || c.op === '!~' ? actual.every((a) => matchesCondition(c, a)) : actual.some((a) => matchesCondition(c, a))
  }

  if (actual === null) return c.op === '!=' || c.op === '!~'
  if (typeof c.value === 'number') {
    const a = Number(actual)
    switch (c.op) {
      case '>=':
        return a >= c.value
      case '<=':
        return a <= c.value
      case '>':
        return a > c.value
      case '<':
        return a < c.value
      case '=':
        return a === c.value
      default:
        return a !== c.value
    }
  }

  const a = foldAscii(String(actual))
  const v = foldAscii(c.value)
  switch (c.op) {
    case '=':
      return a === v
    case '!=':
      return a !== v
    case '~':
      return a.includes(v)
    default:
      return !a.includes(v)
  }
}

/**
 * A rule in a canonical form, to tell whether two rules are the same (issue 11 item 4): spacing,
 * field aliases, case (every comparison is case-insensitive) and condition order do not matter.
 */
export function canonicalRule(text: string): string {
  return parseRule(text)
    .conditions.map((c) => `${c.field}${c.op}${String(c.value).toLowerCase()}`)
    .sort()
    .join(' and ')
}

/** The canonical forms of a collection's rules, as a sorted set (rules are unioned: order does not matter). */
export function canonicalRules(rules: readonly string[]): string[] {
  return [...new Set(rules.map(canonicalRule))].sort()
}

const shownRules = (rules: readonly string[]) => (rules.length === 0 ? 'no rules' : rules.map((r) => `'${escapeName(r)}'`).join(', '))
const shownLimit = (limit: string | null) => (limit === null ? 'no limiting collection' : `limited to '${escapeName(limit)}'`)

/**
 * What differs between a collection and a create request of the same name: its rules (as a
 * set) and its limiting collection (by name key). Empty: the same create again.
 */
export function collectionDifferences(
  existing: {limitTo: string | null; rules: readonly string[]},
  requested: {limitTo: string | null; rules: readonly string[]},
): Difference[] {
  return differences([
    {field: 'rules', existing: shownRules(existing.rules), requested: shownRules(requested.rules), same: canonicalRules(existing.rules).join('\n') === canonicalRules(requested.rules).join('\n')},
    {
      field: 'limit',
      existing: shownLimit(existing.limitTo),
      requested: shownLimit(requested.limitTo),
      same: (existing.limitTo === null ? null : nameKey(existing.limitTo)) === (requested.limitTo === null ? null : nameKey(requested.limitTo)),
    },
  ])
}

/** What `collection update` changes; absent fields stay. `limitTo: null` removes the limit. */
export interface CollectionChange {
  addRules?: string[]
  removeRules?: string[]
  /** Drops every rule first (then addRules apply). */
  clearRules?: boolean
  limitTo?: string | null
}

/**
 * The rules and limit after a change. A rule to remove must be one of the collection's (by its
 * canonical form; exit 3 otherwise); a rule added twice is kept once. Rules are re-validated.
 */
export function applyCollectionChange(current: {name: string; limitTo: string | null; rules: readonly string[]}, change: CollectionChange): {limitTo: string | null; rules: string[]} {
  const nothing = !change.clearRules && (change.addRules ?? []).length === 0 && (change.removeRules ?? []).length === 0 && change.limitTo === undefined
  if (nothing) {
    throw new UsageError(`Nothing to change in collection '${escapeName(current.name)}'.`, {
      suggestions: ['Pass --add-rule R, --remove-rule R, --clear-rules, --limit-to C or --no-limit.'],
    })
  }

  for (const r of [...(change.addRules ?? []), ...(change.removeRules ?? [])]) parseRule(r)
  let rules = change.clearRules ? [] : [...current.rules]
  for (const r of change.removeRules ?? []) {
    const key = canonicalRule(r)
    const kept = rules.filter((x) => canonicalRule(x) !== key)
    if (kept.length === rules.length && !change.clearRules) {
      throw new NotFoundError(`Collection '${escapeName(current.name)}' has no rule '${escapeName(r)}'.`, {
        suggestions: [current.rules.length === 0 ? 'It has no rules.' : `Its rules: ${shownRules(current.rules)}.`],
      })
    }

    rules = kept
  }

  for (const r of change.addRules ?? []) {
    const text = parseRule(r).text
    if (!rules.some((x) => canonicalRule(x) === canonicalRule(text))) rules.push(text)
  }

  return {limitTo: change.limitTo === undefined ? current.limitTo : change.limitTo, rules}
}

/**
 * A limiting collection may not be the collection itself nor one limited (directly or further
 * down) to it: membership would depend on itself. `limitOf` gives each collection's limit by
 * name key. Throws RuleError naming the loop.
 */
export function checkLimitChain(name: string, limitTo: string | null, limitOf: ReadonlyMap<string, string | null>, display: ReadonlyMap<string, string>): void {
  if (limitTo === null) return
  const self = nameKey(name)
  const chain: string[] = [limitTo]
  let at: string | null = nameKey(limitTo)
  const seen = new Set<string>()
  while (at !== null && !seen.has(at)) {
    if (at === self) {
      throw new RuleError('', `Collection '${escapeName(name)}' cannot be limited to '${escapeName(limitTo)}': ${chain.map(escapeName).join(' -> ')} ${chain.length === 1 ? 'is the collection itself' : 'leads back to it'}.`, {
        suggestions: ['Limit it to a collection that does not depend on it, or pass --no-limit.'],
      })
    }

    seen.add(at)
    at = limitOf.get(at) ?? null
    if (at !== null) chain.push(display.get(at) ?? at)
  }
}
