/**
 * The SQL that only SQLite speaks, named, for the resource modules of the embedded backend: they
 * write portable SQL and ask the store's dialect (`store.dialect`) for the rest, so another
 * store (PostgreSQL) supplies its own words for the same things without the modules changing.
 * What is still SQLite-specific in them is listed in ARCHITECTURE.md.
 */

export interface SqlDialect {
  /** The column type of a key numbering a table's rows in insertion order (SQLite: the rowid alias). */
  readonly rowNumberKey: string
  /** True when `haystack` contains `needle` (SQL expressions; an empty needle is contained). */
  contains(haystack: string, needle: string): string
  /** The values of a JSON array (an SQL expression, typically a parameter) as a one-column table, column `value`. */
  jsonArrayValues(json: string): string
  /**
   * The values of the JSON array at `path` ('$.key') of `json` (a column of a row beside it in
   * the FROM clause), as a table item of that FROM clause, column `value`.
   */
  jsonArrayAt(json: string, path: string): string
  /** An aggregate joining `expression` over a group with the unit separator (U+001F). */
  joinWithUnitSeparator(expression: string): string
  /** An aggregate: the group's `expression` values as a JSON array (text), in the order they come. */
  jsonArrayAggregate(expression: string): string
  /** A JSON object of the given (key, SQL expression) pairs, as a value for the JSON aggregates. */
  jsonObject(pairs: readonly (readonly [string, string])[]): string
  /** An aggregate: a JSON object (text) of the group's `key` → `value` pairs. */
  jsonObjectAggregate(key: string, value: string): string
  /**
   * `expression` compared, grouped and ordered case-insensitively (ASCII letters), wherever an
   * expression stands: `${caseless('name')} = @p`, `ORDER BY ${caseless('name')}` (SQLite: the
   * NOCASE collation).
   */
  caseless(expression: string): string
  /**
   * The key of a table's rows in insertion order, a stable tie break of listings (SQLite: the
   * rowid; another store needs a column for it).
   */
  readonly insertionOrder: string
  /** The larger of two values (SQLite's two-argument max()). */
  greater(a: string, b: string): string
  /** Did this error come from a unique constraint (a duplicate key)? */
  isUniqueViolation(error: unknown): boolean
  /** Is this an error of the database itself (busy, full, I/O, a constraint), not of atpctl's code? */
  isDatabaseFailure(error: unknown): boolean
}

export const SQLITE_DIALECT: SqlDialect = {
  rowNumberKey: 'INTEGER PRIMARY KEY',
  contains: (haystack, needle) => `instr(${haystack}, ${needle}) > 0`,
  jsonArrayValues: (json) => `SELECT value FROM json_each(${json})`,
  jsonArrayAt: (json, path) => `json_each(${json}, '${path}')`,
  joinWithUnitSeparator: (expression) => `group_concat(${expression}, char(31))`,
  jsonArrayAggregate: (expression) => `json_group_array(${expression})`,
  jsonObjectAggregate: (key, value) => `json_group_object(${key}, ${value})`,
  jsonObject: (pairs) => `json_object(${pairs.map(([key, value]) => `'${key.replaceAll("'", "''")}', ${value}`).join(', ')})`,
  caseless: (expression) => `${expression} COLLATE NOCASE`,
  insertionOrder: 'rowid',
  greater: (a, b) => `MAX(${a}, ${b})`,
  isUniqueViolation: (error) => (error as {code?: unknown} | null)?.code === 'SQLITE_CONSTRAINT_UNIQUE',
  isDatabaseFailure: (error) => String((error as {code?: unknown} | null)?.code ?? '').startsWith('SQLITE_'),
}
