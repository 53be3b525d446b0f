import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

/**
 * Issue 11 item 7: SQLite's own dialect and driver stay in the SQLite store modules, so another
 * store (PostgreSQL) can be added without rewriting the resource modules. This fails when a
 * construct that was moved out creeps back into a resource module. What is still SQLite-specific
 * there is listed in ARCHITECTURE.md ("SQLite-specific SQL still in").
 */
const DIR = join(process.cwd(), 'src', 'backends', 'local')
/** The SQLite store: connection, transactions, audit chain, statement cache, dialect, and the backend's assembly. */
const STORE_MODULES = new Set(['database.ts', 'store.ts', 'audit.ts', 'statement-cache.ts', 'sqlite-dialect.ts', 'index.ts'])

const FORBIDDEN: [string, RegExp][] = [
  ['the driver (better-sqlite3)', /better-sqlite3/],
  ['prepared statements of the driver', /\.prepare\(/],
  ['pragmas', /\.pragma\(|\bPRAGMA\b/i],
  ["the driver's transactions", /\bdb\.transaction\(|\bBEGIN\b|\bCOMMIT\b|\bSAVEPOINT\b/],
  ['INSERT OR IGNORE/REPLACE', /\bINSERT\s+OR\s+(IGNORE|REPLACE|ABORT|FAIL|ROLLBACK)\b/i],
  ['REPLACE INTO', /\bREPLACE\s+INTO\b/i],
  ['the temp schema prefix', /\btemp\.\w/],
  ['sqlite_master / sqlite_schema', /sqlite_(master|schema|sequence)/i],
  ['strftime', /\bstrftime\s*\(/i],
  ['group_concat', /\bgroup_concat\s*\(/i],
  ["SQLite's error codes", /SQLITE_[A-Z]/],
]

const resourceModules = readdirSync(DIR).filter((f) => f.endsWith('.ts') && !STORE_MODULES.has(f))

describe('SQLite dialect confined to the SQLite store modules', () => {
  it('finds the resource modules', () => {
    expect(resourceModules).toEqual(expect.arrayContaining(['devices.ts', 'collections.ts', 'intune.ts', 'sensor-ingest.ts']))
  })

  it.each(resourceModules)('%s uses no SQLite-only construct that moved to the store', (file) => {
    const text = readFileSync(join(DIR, file), 'utf8')
    const found = FORBIDDEN.filter(([, pattern]) => pattern.test(text)).map(([name]) => name)
    expect(found).toEqual([])
  })

  it('json_each (a JSON array as a table) is asked of the dialect', () => {
    const offenders = resourceModules.filter((f) => /\bjson_each\s*\(/i.test(readFileSync(join(DIR, f), 'utf8')))
    expect(offenders).toEqual([])
  })

  // Moved behind store.dialect (issue 11 item 7): the substring test, the JSON aggregates and
  // objects, the case-insensitive comparison and the insertion-order key (a module listed beside
  // one would be an exception named in ARCHITECTURE.md; there is none left).
  const MOVED: [string, RegExp, string[]][] = [
    ['instr() (dialect.contains)', /\binstr\s*\(/i, []],
    ['json_group_array/json_group_object (dialect.jsonArrayAggregate/jsonObjectAggregate)', /\bjson_group_(array|object)\s*\(/i, []],
    ['json_object() (dialect.jsonObject)', /\bjson_object\s*\(/i, []],
    ['COLLATE NOCASE (dialect.caseless)', /\bCOLLATE\s+NOCASE\b/i, []],
    ['rowid (dialect.insertionOrder)', /\browid\b/i, []],
  ]

  it.each(MOVED)('%s is asked of the dialect', (_name, pattern, still) => {
    const offenders = resourceModules.filter((f) => !still.includes(f) && pattern.test(readFileSync(join(DIR, f), 'utf8')))
    expect(offenders).toEqual([])
  })

  it('the moved constructs are caught (the check can fail)', () => {
    const sample = "SELECT json_group_array(json_object('a', x)) FROM t WHERE instr(a, b) > 0 AND name = ? COLLATE NOCASE ORDER BY rowid"
    expect(MOVED.filter(([, pattern]) => pattern.test(sample)).map(([name]) => name)).toHaveLength(MOVED.length)
  })

  it('the check itself catches a construct (it can fail)', () => {
    const sample = "db.prepare('INSERT OR IGNORE INTO t (a) VALUES (?)').run(1); SELECT * FROM temp.import_stage"
    const found = FORBIDDEN.filter(([, pattern]) => pattern.test(sample)).map(([name]) => name)
    expect(found).toEqual(expect.arrayContaining(['prepared statements of the driver', 'INSERT OR IGNORE/REPLACE', 'the temp schema prefix']))
  })
})
