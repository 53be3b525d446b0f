/**
 * Which failures to load better-sqlite3's compiled module mean an incomplete installation
 * (exit 15 with the rebuild to run), and which are left to the caller.
 */
import {nativeModuleProblem} from '../../../src/backends/local/database.js'

const runtime = {installDir: '/usr/lib/node_modules/atpctl', node: 'v22.23.5', abi: '127'}

/** The errors as Node.js and the `bindings` package word them. */
const notBuilt = new Error(
  'Could not locate the bindings file. Tried:\n → /usr/lib/node_modules/atpctl/node_modules/better-sqlite3/build/better_sqlite3.node\n → /usr/lib/node_modules/atpctl/node_modules/better-sqlite3/build/Debug/better_sqlite3.node',
)
const otherAbi = Object.assign(
  new Error(
    "The module '/usr/lib/node_modules/atpctl/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 127. Please try re-compiling or re-installing\nthe module (for instance, using `npm rebuild` or `npm install`).",
  ),
  {code: 'ERR_DLOPEN_FAILED'},
)

describe('nativeModuleProblem', () => {
  it('a module never built: exit 15, the rebuild command, where to run it and what it needs', () => {
    const e = nativeModuleProblem(notBuilt, runtime)!
    expect(e).toMatchObject({code: 'INSTALL_INCOMPLETE', exitCode: 15})
    expect(e.message).toBe('atpctl is not completely installed: its native SQLite module (better-sqlite3) was never built: the install skipped or failed its build step.')
    expect(e.suggestions[0]).toBe(
      'Build it: npm rebuild better-sqlite3 (run in /usr/lib/node_modules/atpctl); this compiles C++ and needs python3, make and a C++ compiler (Debian/Ubuntu: apt-get install python3 make g++).',
    )
    expect(e.message).not.toContain('Tried')
  })

  it('a module built for another Node.js names both module versions and this Node.js', () => {
    const e = nativeModuleProblem(otherAbi, runtime)!
    expect(e.exitCode).toBe(15)
    expect(e.message).toBe(
      'atpctl is not completely installed: its native SQLite module (better-sqlite3) was built for another Node.js (module version 115; this Node.js v22.23.5 needs 127).',
    )
    expect(e.suggestions[0]).toContain('npm rebuild better-sqlite3')
  })

  it('without a known install directory it says where in words', () => {
    expect(nativeModuleProblem(notBuilt, {...runtime, installDir: null})!.suggestions[0]).toContain('(run in the directory atpctl is installed in)')
  })

  it('anything else is not an install problem: a busy or unreadable database, another module failing to load', () => {
    expect(nativeModuleProblem(Object.assign(new Error('database is locked'), {code: 'SQLITE_BUSY'}), runtime)).toBeNull()
    expect(nativeModuleProblem(Object.assign(new Error('unable to open database file'), {code: 'SQLITE_CANTOPEN'}), runtime)).toBeNull()
    expect(nativeModuleProblem(Object.assign(new Error('/x/other.node: invalid ELF header'), {code: 'ERR_DLOPEN_FAILED'}), runtime)).toBeNull()
    expect(nativeModuleProblem(undefined, runtime)).toBeNull()
    expect(nativeModuleProblem('a string', runtime)).toBeNull()
  })
})
