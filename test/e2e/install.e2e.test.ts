/**
 * atpctl as it is installed: what the npm package holds, what it depends on, and what an
 * incomplete install (better-sqlite3's native module never built, as with `npm install
 * --ignore-scripts` or a failed compile) says and exits with.
 */
import {spawnSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {PROJECT_ROOT} from '../helpers/cli.js'

const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'))
const NODE_MODULES = join(PROJECT_ROOT, 'node_modules')
const MODULE = join('build', 'Release', 'better_sqlite3.node')

/**
 * An install of the built atpctl in a temp dir: its files (as `files` ships them) and every
 * dependency linked from this clone, except better-sqlite3, copied without its compiled module.
 */
function installWithoutNativeModule(root: string): string {
  const app = join(root, 'app')
  mkdirSync(join(app, 'node_modules', 'better-sqlite3'), {recursive: true})
  for (const entry of ['bin', 'dist', 'oclif.manifest.json', 'package.json']) cpSync(join(PROJECT_ROOT, entry), join(app, entry), {recursive: true})
  for (const name of readdirSync(NODE_MODULES)) {
    if (name !== 'better-sqlite3') symlinkSync(join(NODE_MODULES, name), join(app, 'node_modules', name))
  }

  for (const entry of ['package.json', 'lib']) cpSync(join(NODE_MODULES, 'better-sqlite3', entry), join(app, 'node_modules', 'better-sqlite3', entry), {recursive: true})
  return app
}

function run(app: string, home: string, args: string[]) {
  const r = spawnSync(process.execPath, [join(app, 'bin', 'run.js'), ...args], {
    cwd: home,
    env: {PATH: process.env.PATH, HOME: home, ATPCTL_HOME: join(home, 'atpctl'), NO_COLOR: '1', CI: '1'},
    encoding: 'utf8',
  })
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

describe('an install whose better-sqlite3 module was never built (npm install --ignore-scripts)', () => {
  let root: string
  let app: string
  let home: string
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'atpctl-install-'))
    app = installWithoutNativeModule(root)
    home = join(root, 'home')
    mkdirSync(home)
  })
  afterAll(() => rmSync(root, {recursive: true, force: true}))

  it('every backend command exits 15 saying what is missing and how to build it; nothing is written', () => {
    for (const args of [['init', '--location', 'eu'], ['status'], ['device', 'list'], ['serve', '--port', '0']]) {
      const r = run(app, home, args)
      expect({args, code: r.code}).toEqual({args, code: 15})
      expect(r.stdout).toBe('')
      const lines = r.stderr.trimEnd().split('\n')
      expect(lines[0]).toBe('Error: atpctl is not completely installed: its native SQLite module (better-sqlite3) was never built: the install skipped or failed its build step.')
      expect(lines[1]).toBe(
        `Try this: Build it: npm rebuild better-sqlite3 (run in ${app}); this compiles C++ and needs python3, make and a C++ compiler (Debian/Ubuntu: apt-get install python3 make g++).`,
      )
      expect(r.stderr).not.toContain('Could not locate the bindings file')
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }

    // No config, no profile directory, no empty database left behind.
    expect(existsSync(join(home, 'atpctl'))).toBe(false)
  })

  it('--json gives the error document with code INSTALL_INCOMPLETE and exit code 15', () => {
    const r = run(app, home, ['status', '--json'])
    expect(r.code).toBe(15)
    expect(JSON.parse(r.stdout).error).toMatchObject({code: 'INSTALL_INCOMPLETE', exitCode: 15, suggestions: [expect.stringContaining('npm rebuild better-sqlite3'), expect.stringContaining('without --ignore-scripts')]})
  })

  it('a module that is not a loadable library (a broken build) is the same exit 15', () => {
    mkdirSync(join(app, 'node_modules', 'better-sqlite3', 'build', 'Release'), {recursive: true})
    writeFileSync(join(app, 'node_modules', 'better-sqlite3', MODULE), 'not an ELF file')
    try {
      const r = run(app, home, ['status'])
      expect(r.code).toBe(15)
      expect(r.stderr).toMatch(/^Error: atpctl is not completely installed: its native SQLite module \(better-sqlite3\) cannot be loaded: .*better_sqlite3\.node/)
      expect(r.stderr).toContain('Try this: Build it: npm rebuild better-sqlite3')
    } finally {
      rmSync(join(app, 'node_modules', 'better-sqlite3', 'build'), {recursive: true, force: true})
    }
  })

  it('with the module in place (what npm rebuild produces) the same install works', () => {
    cpSync(join(NODE_MODULES, 'better-sqlite3', MODULE), join(app, 'node_modules', 'better-sqlite3', MODULE))
    try {
      expect(run(app, home, ['init', '--location', 'eu']).code).toBe(0)
      expect(run(app, home, ['status']).code).toBe(0)
    } finally {
      rmSync(join(app, 'node_modules', 'better-sqlite3', 'build'), {recursive: true, force: true})
      rmSync(join(home, 'atpctl'), {recursive: true, force: true})
    }
  })
})

describe('the npm package', () => {
  it('npm pack ships the CLI, the manifest, LICENSE, README and the sample inventory, and nothing of the tests', () => {
    const cache = mkdtempSync(join(tmpdir(), 'atpctl-npm-'))
    try {
      const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: PROJECT_ROOT,
        env: {...process.env, npm_config_cache: cache, npm_config_update_notifier: 'false', HOME: cache},
        encoding: 'utf8',
      })
      expect(r.status).toBe(0)
      const files = (JSON.parse(r.stdout)[0].files as {path: string}[]).map((f) => f.path)
      expect(files).toEqual(
        expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'fixtures/inventory/sample.csv', 'bin/run.js', 'oclif.manifest.json', 'dist/commands/init.js']),
      )
      expect(files.filter((f) => /^(test|src|bench|node_modules|\.ci)\//.test(f))).toEqual([])
    } finally {
      rmSync(cache, {recursive: true, force: true})
    }
  })

  it('LICENSE is the MIT licence package.json names, by "atpctl contributors"', () => {
    const license = readFileSync(join(PROJECT_ROOT, 'LICENSE'), 'utf8')
    expect(pkg.license).toBe('MIT')
    expect(license.split('\n')[0]).toBe('MIT License')
    expect(license).toMatch(/^Copyright \(c\) \d{4} atpctl contributors$/m)
  })

  it('names its repository, home page and issue tracker', () => {
    expect(pkg.repository).toEqual({type: 'git', url: 'git+https://github.com/atpctl/atpctl.git'})
    expect(pkg.homepage).toBe('https://github.com/atpctl/atpctl#readme')
    expect(pkg.bugs).toEqual({url: 'https://github.com/atpctl/atpctl/issues'})
  })

  it('every runtime dependency is imported by the built code, and the built code imports only declared ones', () => {
    const imported = new Set<string>()
    const visit = (dir: string) => {
      for (const entry of readdirSync(dir, {withFileTypes: true})) {
        const path = join(dir, entry.name)
        if (entry.isDirectory()) visit(path)
        else if (entry.name.endsWith('.js')) {
          const source = readFileSync(path, 'utf8')
          for (const m of source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"]([a-z0-9@][a-z0-9._/@-]*)['"]/g)) {
            const spec = m[1]
            if (spec.startsWith('node:')) continue
            imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0])
          }
        }
      }
    }

    visit(join(PROJECT_ROOT, 'dist'))
    visit(join(PROJECT_ROOT, 'bin'))
    // oclif loads its plugins by name from package.json rather than by import.
    for (const plugin of pkg.oclif.plugins as string[]) imported.add(plugin)
    const declared = Object.keys(pkg.dependencies).sort()
    expect(declared.filter((name) => !imported.has(name))).toEqual([])
    expect([...imported].filter((name) => !declared.includes(name)).sort()).toEqual([])
  })
})
