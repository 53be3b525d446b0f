/**
 * The part of OData `$filter` the Defender for Endpoint API accepts on its lists: comparisons
 * (eq ne gt ge lt le), `in (…)`, startswith/endswith/contains, `and`/`or`/`not`, parentheses,
 * `machineTags/any(t: t eq 'x')`, quoted strings ('' escapes a quote), numbers, booleans, null,
 * and unquoted date-times (`lastSeen gt 2018-08-01Z`). Only the fields each list documents as
 * filterable may be used; anything else is refused the way the service refuses it (400).
 * String comparisons ignore case, as the service's do.
 */

export class ODataError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ODataError'
  }
}

type Literal = {kind: 'string'; value: string} | {kind: 'number'; value: number} | {kind: 'date'; value: number; text: string} | {kind: 'bool'; value: boolean} | {kind: 'null'}

type Node =
  | {op: 'and' | 'or'; left: Node; right: Node}
  | {op: 'not'; operand: Node}
  | {op: 'cmp'; cmp: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; field: string; literal: Literal}
  | {op: 'in'; field: string; literals: Literal[]}
  | {op: 'fn'; fn: 'startswith' | 'endswith' | 'contains'; field: string; literal: Literal; negate: boolean}
  | {op: 'any'; field: string; cmp: 'eq' | 'ne'; literal: Literal}

type Token = {t: 'str'; v: string} | {t: 'word'; v: string} | {t: 'atom'; v: string} | {t: 'punct'; v: string}

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (/\s/.test(c)) {
      i++
    } else if (c === "'") {
      let value = ''
      i++
      for (;;) {
        if (i >= text.length) throw new ODataError(`Syntax error: unterminated string literal in '${text}'.`)
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'"
            i += 2
            continue
          }

          i++
          break
        }

        value += text[i++]
      }

      tokens.push({t: 'str', v: value})
    } else if ('(),/:'.includes(c)) {
      tokens.push({t: 'punct', v: c})
      i++
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i))!
      tokens.push({t: 'word', v: m[0]})
      i += m[0].length
    } else if (/[0-9+-]/.test(c)) {
      const m = /^[+-]?[0-9][0-9A-Za-z:.+-]*/.exec(text.slice(i))
      if (!m) throw new ODataError(`Syntax error at position ${i} in '${text}'.`)
      tokens.push({t: 'atom', v: m[0]})
      i += m[0].length
    } else {
      throw new ODataError(`Syntax error: character '${c}' is not valid at position ${i} in '${text}'.`)
    }
  }

  return tokens
}

const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le'])

class Parser {
  private pos = 0
  constructor(
    private readonly tokens: Token[],
    private readonly text: string,
    private readonly fields: Map<string, string>,
  ) {}

  parse(): Node {
    const node = this.or()
    if (this.pos < this.tokens.length) this.fail(`unexpected '${this.tokens[this.pos].v}'`)
    return node
  }

  private fail(what: string): never {
    throw new ODataError(`Invalid filter clause: ${what} in '${this.text}'.`)
  }

  private peekWord(word: string): boolean {
    const token = this.tokens[this.pos]
    return token !== undefined && token.t === 'word' && token.v.toLowerCase() === word
  }

  private punct(p: string): void {
    const token = this.tokens[this.pos]
    if (!token || token.t !== 'punct' || token.v !== p) this.fail(`expected '${p}'`)
    this.pos++
  }

  private isPunct(p: string): boolean {
    const token = this.tokens[this.pos]
    return token !== undefined && token.t === 'punct' && token.v === p
  }

  private or(): Node {
    let left = this.and()
    while (this.peekWord('or')) {
      this.pos++
      left = {op: 'or', left, right: this.and()}
    }

    return left
  }

  private and(): Node {
    let left = this.unary()
    while (this.peekWord('and')) {
      this.pos++
      left = {op: 'and', left, right: this.unary()}
    }

    return left
  }

  private unary(): Node {
    if (this.peekWord('not')) {
      this.pos++
      return {op: 'not', operand: this.unary()}
    }

    if (this.isPunct('(')) {
      this.pos++
      const node = this.or()
      this.punct(')')
      return node
    }

    for (const fn of ['startswith', 'endswith', 'contains'] as const) {
      if (this.peekWord(fn) && this.tokens[this.pos + 1]?.v === '(') {
        this.pos += 2
        const field = this.field()
        this.punct(',')
        const literal = this.literal()
        this.punct(')')
        let negate = false
        if (this.peekWord('eq') || this.peekWord('ne')) {
          const cmp = this.tokens[this.pos++].v.toLowerCase()
          const value = this.literal()
          if (value.kind !== 'bool') this.fail(`${fn}() compares only with true or false`)
          negate = (cmp === 'eq') !== value.value
        }

        return {op: 'fn', fn, field, literal, negate}
      }
    }

    const field = this.field()
    if (this.isPunct('/')) {
      this.pos++
      if (!this.peekWord('any')) this.fail(`expected any() after '${field}/'`)
      this.pos++
      this.punct('(')
      const variable = this.word()
      this.punct(':')
      if (this.word() !== variable) this.fail(`the lambda must compare '${variable}'`)
      const cmp = this.word().toLowerCase()
      if (cmp !== 'eq' && cmp !== 'ne') this.fail(`any() supports eq and ne, not '${cmp}'`)
      const literal = this.literal()
      this.punct(')')
      return {op: 'any', field, cmp, literal}
    }

    const operator = this.word().toLowerCase()
    if (operator === 'in') {
      this.punct('(')
      const literals = [this.literal()]
      while (this.isPunct(',')) {
        this.pos++
        literals.push(this.literal())
      }

      this.punct(')')
      return {op: 'in', field, literals}
    }

    if (!COMPARISONS.has(operator)) this.fail(`unknown operator '${operator}'`)
    return {op: 'cmp', cmp: operator as 'eq', field, literal: this.literal()}
  }

  private word(): string {
    const token = this.tokens[this.pos]
    if (!token || token.t !== 'word') this.fail(`expected a name${token ? ` at '${token.v}'` : ' at the end'}`)
    this.pos++
    return token.v
  }

  private field(): string {
    const name = this.word()
    const property = this.fields.get(name.toLowerCase())
    if (!property) throw new ODataError(`Invalid filter: the property '${name}' is not supported for filtering. Supported: ${[...this.fields.values()].join(', ')}.`)
    return property
  }

  private literal(): Literal {
    const token = this.tokens[this.pos++]
    if (!token) this.fail('expected a value at the end')
    if (token.t === 'str') return {kind: 'string', value: token.v}
    if (token.t === 'word') {
      const word = token.v.toLowerCase()
      if (word === 'true' || word === 'false') return {kind: 'bool', value: word === 'true'}
      if (word === 'null') return {kind: 'null'}
      this.fail(`'${token.v}' is not a value (quote strings)`)
    }

    if (token.t === 'atom') {
      if (/^[+-]?\d+(\.\d+)?$/.test(token.v)) return {kind: 'number', value: Number(token.v)}
      const date = Date.parse(/^\d{4}-\d{2}-\d{2}Z$/.test(token.v) ? token.v.replace('Z', 'T00:00:00Z') : token.v)
      if (Number.isFinite(date)) return {kind: 'date', value: date, text: token.v}
    }

    return this.fail(`'${token.v}' is not a value`)
  }
}

function compare(value: unknown, literal: Literal): number | null {
  if (value === null || value === undefined) return literal.kind === 'null' ? 0 : null
  if (literal.kind === 'null') return null
  if (literal.kind === 'date') {
    const t = typeof value === 'string' ? Date.parse(value) : NaN
    return Number.isFinite(t) ? Math.sign(t - literal.value) : null
  }

  if (literal.kind === 'number') return typeof value === 'number' ? Math.sign(value - literal.value) : null
  if (literal.kind === 'bool') return typeof value === 'boolean' ? (value === literal.value ? 0 : 1) : null
  if (typeof value === 'number') {
    const n = Number(literal.value)
    return Number.isFinite(n) ? Math.sign(value - n) : null
  }

  const a = String(value).toLowerCase()
  const b = literal.value.toLowerCase()
  return a < b ? -1 : a > b ? 1 : 0
}

function evaluate(node: Node, entity: Record<string, unknown>): boolean {
  switch (node.op) {
    case 'and':
      return evaluate(node.left, entity) && evaluate(node.right, entity)
    case 'or':
      return evaluate(node.left, entity) || evaluate(node.right, entity)
    case 'not':
      return !evaluate(node.operand, entity)
    case 'in':
      return node.literals.some((literal) => compare(entity[node.field], literal) === 0)
    case 'any': {
      const values = entity[node.field]
      const hit = Array.isArray(values) && values.some((v) => compare(v, node.literal) === 0)
      return node.cmp === 'eq' ? hit : Array.isArray(values) && values.some((v) => compare(v, node.literal) !== 0)
    }

    case 'fn': {
      const value = entity[node.field]
      if (typeof value !== 'string' || node.literal.kind !== 'string') return node.negate
      const a = value.toLowerCase()
      const b = node.literal.value.toLowerCase()
      const hit = node.fn === 'startswith' ? a.startsWith(b) : node.fn === 'endswith' ? a.endsWith(b) : a.includes(b)
      return hit !== node.negate
    }

    case 'cmp': {
      const c = compare(entity[node.field], node.literal)
      if (c === null) return node.cmp === 'ne'
      return {eq: c === 0, ne: c !== 0, gt: c > 0, ge: c >= 0, lt: c < 0, le: c <= 0}[node.cmp]
    }
  }
}

/**
 * Compiles a `$filter` into a predicate over entities; `filterable` lists the properties the API
 * documents as filterable (matched without regard to case, as the service does).
 */
export function compileFilter(text: string, filterable: readonly string[]): (entity: object) => boolean {
  const fields = new Map(filterable.map((f) => [f.toLowerCase(), f.charAt(0).toLowerCase() + f.slice(1)]))
  const tokens = tokenize(text)
  if (tokens.length === 0) return () => true
  const node = new Parser(tokens, text, fields).parse()
  return (entity) => evaluate(node, entity as Record<string, unknown>)
}
